//! The administration CLI, run as the real binary against a fresh database.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{postgres_server, PgDatabase};

struct Cli {
    lang: String,
    dir: tempfile::TempDir,
    database_url: String,
    _pg: Option<PgDatabase>,
}

impl Cli {
    async fn new() -> Cli {
        let dir = tempfile::tempdir().unwrap();
        let pg = match postgres_server() {
            Some(s) => Some(PgDatabase::create(&s).await),
            None => None,
        };
        let database_url = pg
            .as_ref()
            .map(|p| p.url.clone())
            .unwrap_or_else(|| format!("sqlite://{}/amicus.db", dir.path().display()));
        Cli { lang: "C.UTF-8".into(), dir, database_url, _pg: pg }
    }

    fn run(&self, args: &[&str], stdin: &str) -> (bool, String, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_amicus"))
            .args(args)
            .env("AMICUS_DATA", self.dir.path())
            .env("DATABASE_URL", &self.database_url)
            .env("AMICUS_CONFIG", self.dir.path().join("none.toml"))
            .env("LANG", &self.lang)
            .env_remove("LC_ALL")
            .env_remove("LC_MESSAGES")
            .current_dir(self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[tokio::test]
async fn operators_create_users_organisations_members_and_tokens() {
    let cli = Cli::new().await;
    std::fs::write(cli.dir.path().join("none.toml"), "").unwrap();
    let (ok, out, err) =
        cli.run(&["user", "create", "amina", "--role", "admin", "--password-stdin"], "a long passphrase\n");
    assert!(ok, "{err}");
    assert!(out.contains("created user amina"));
    let (ok, _, err) = cli.run(&["org", "create", "redress", "--name", "REDRESS", "--owner", "amina"], "");
    assert!(ok, "{err}");
    let (ok, _, err) = cli.run(&["org", "create", "redress", "--name", "Again"], "");
    assert!(!ok);
    assert!(err.contains("already taken"), "{err}");
    let (ok, _, err) = cli.run(&["user", "create", "bruno", "--role", "editor", "--password-stdin"], "short");
    assert!(!ok && err.contains("too short"), "{err}");
    let (ok, _, err) =
        cli.run(&["user", "create", "Bad Name", "--role", "editor", "--password-stdin"], "a long passphrase");
    assert!(!ok && err.contains("cannot be a username"), "{err}");
    cli.run(&["user", "create", "bruno", "--role", "editor", "--password-stdin"], "another long passphrase");
    let (ok, out, err) = cli.run(&["org", "add-member", "redress", "bruno", "--role", "editor"], "");
    assert!(ok, "{err}");
    assert!(out.contains("bruno is now editor of redress"));
    let (ok, _, err) = cli.run(&["org", "add-member", "nobody", "bruno", "--role", "editor"], "");
    assert!(!ok && err.contains("no organisation"), "{err}");
    let (ok, out, _) = cli.run(&["token", "create", "bruno"], "");
    assert!(ok);
    assert_eq!(out.lines().last().unwrap().len(), 43);
}

#[tokio::test]
async fn the_starter_library_loads_with_one_command_and_exports_back() {
    let cli = Cli::new().await;
    std::fs::write(cli.dir.path().join("none.toml"), "").unwrap();
    let file = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/starter-library.jsonl");
    let (ok, out, err) = cli.run(&["import", file, "--org", "starter", "--create-org", "Amicus starter library"], "");
    assert!(ok, "{err}");
    assert!(out.contains("imported 72 new, updated 0, 0 lines with errors"), "{out}");
    let (ok, out, _) = cli.run(&["export", "--org", "starter"], "");
    assert!(ok);
    assert_eq!(out.lines().count(), 72);
    let (ok, _, err) = cli.run(&["import", "/no/such/file.jsonl", "--org", "starter"], "");
    assert!(!ok && err.contains("cannot open"), "{err}");
}

#[tokio::test]
async fn config_default_prints_a_commented_example() {
    let cli = Cli::new().await;
    let (ok, out, _) = cli.run(&["config", "default"], "");
    assert!(ok);
    assert!(out.contains("# bind = \"127.0.0.1:8080\""));
}

#[tokio::test]
async fn the_command_line_speaks_the_terminals_language() {
    let mut cli = Cli::new().await;
    std::fs::write(cli.dir.path().join("none.toml"), "").unwrap();
    cli.lang = "fr_FR.UTF-8".into();
    let (ok, out, _) =
        cli.run(&["user", "create", "amina", "--role", "admin", "--password-stdin"], "a long passphrase");
    assert!(ok && out.contains("compte amina créé"), "{out}");
    let (ok, _, err) = cli.run(&["user", "create", "bruno", "--role", "editor", "--password-stdin"], "court");
    assert!(!ok && err.contains("trop court"), "{err}");
    cli.lang = "ar_EG.UTF-8".into();
    let (ok, _, err) = cli.run(&["org", "add-member", "nobody", "amina", "--role", "editor"], "");
    assert!(!ok && err.contains("لا توجد منظمة"), "{err}");
}
