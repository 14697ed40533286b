//! Integration tests over real HTTP. One binary; the backend is SQLite unless
//! `AMICUS_TEST_POSTGRES` names a PostgreSQL server (each test gets its own database).

mod api;
mod cli;
mod helpers;
mod pages;
mod search;
mod transfer;
mod uploads;
