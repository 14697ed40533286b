//! Amicus: a federated ActivityPub server for international-justice and human-rights
//! organisations. A guided tour, from the inside out:

/// Accounts, organisations, sessions and tokens: the rules.
pub mod accounts;
/// The agenda: events of organisations.
pub mod agenda;
/// The running instance: the HTTP state around the domain core, and serve.
pub mod app;
/// Campaigns: a hashtag, a page and a followable group gathering publications.
pub mod campaigns;
/// The community of practice: threads of replies under publications and events.
pub mod community;
/// Configuration from defaults, `amicus.toml` and the environment.
pub mod config;
/// The only place with SQL: SQLite or PostgreSQL behind one `Db`.
pub mod db;
/// The domain's state of an instance (`Core`), for everything but HTTP handlers.
pub mod domain;
/// The one error type.
pub mod error;
/// ActivityPub: actors, keys, discovery, and the documents other servers read.
pub mod federation;
/// HTTP: router, middleware, pages, API, feeds.
pub mod http;
/// Interface strings in four languages and language negotiation.
pub mod i18n;
/// iCalendar (RFC 5545) output of the agenda.
pub mod ics;
/// Reading iCalendar files for `amicus import-ics`.
pub mod ics_read;
/// The library's search index, in memory on each node.
pub mod index;
/// Applications to join the instance and messages to its admins.
pub mod joining;
/// The resource library's operations, shared by pages, API and CLI.
pub mod library;
/// Rate limits kept in memory: logins, inbox requests per remote host.
pub mod limits;
/// The live agenda: changes announced to open pages (Server-Sent Events), across nodes.
pub mod live;
/// E-mail of invitation and reset links, when an SMTP server is configured.
pub mod mail;
/// Checking and cleaning uploads (type by magic bytes, metadata removal).
pub mod media;
/// Domain types and validation: resources, organisations, users, languages, vocabularies.
pub mod model;
/// Passkeys and security keys (WebAuthn) as a second factor.
pub mod passkeys;
/// Text normalisation and query parsing for search in ar/en/fr/es.
pub mod search;
/// Statements: versions and digests of signed texts, signatories, embargoes.
pub mod statements;
/// Where uploaded files live.
pub mod storage;
/// Second factors: time-based one-time passwords and their QR code.
pub mod totp;
/// Importing and exporting the library as JSON Lines.
pub mod transfer;

pub use app::{serve, Ctx};
pub use config::Config;
pub use domain::Core;
