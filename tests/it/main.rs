//! Integration tests over real HTTP. One binary; the backend is SQLite unless
//! `AMICUS_TEST_POSTGRES` names a PostgreSQL server (each test gets its own database).

// Test helpers outside #[test] functions may fail loudly: clippy.toml only covers the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod campaigns;
mod cli;
mod community;
mod editor;
mod events;
mod federation;
mod hardening;
mod helpers;
mod joining;
mod mail;
mod network;
mod outage;
mod pages;
mod partners;
mod people;
mod search;
mod statements;
mod transfer;
mod uploads;
