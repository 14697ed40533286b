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

/// An official calendar as an NGO would mirror it: a folded title, zones, an all-day
/// deadline, a cancelled hearing, and three bad entries.
const CALENDAR: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Court//Calendar//EN\r\n\
BEGIN:VEVENT\r\nUID:hearing-1@court.example\r\nDTSTAMP:20261101T000000Z\r\n\
SUMMARY:Confirmation of charges hearing in the case of The Prosecutor v. A\r\n \
bd-Al-Rahman\r\nDTSTART;TZID=Europe/Amsterdam:20270304T093000\r\nDTEND;TZID=Europe/Amsterdam:20270304T163000\r\n\
LOCATION:Courtroom I\\, The Hague\r\nURL:https://court.example/calendar/1\r\nCATEGORIES:hearing-confirmation-of-charges\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:deadline-1@court.example\r\nSUMMARY:Submissions due\r\nDTSTART;VALUE=DATE:20270310\r\nCATEGORIES:Deadline\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:hearing-2@court.example\r\nSUMMARY:Status conference\r\nDTSTART:20270311T130000Z\r\nDURATION:PT1H\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nSUMMARY:No UID here\r\nDTSTART:20270312T130000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:broken@court.example\r\nSUMMARY:Broken\r\nDESCRIPTION:a long line\r\nthat lost its fold\r\nDTSTART:20270312T130000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:forever@court.example\r\nSUMMARY:Every week forever\r\nDTSTART:20270312T130000Z\r\nRRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

#[tokio::test]
async fn an_official_calendar_is_imported_again_and_again_without_duplicates() {
    let cli = Cli::new().await;
    std::fs::write(cli.dir.path().join("none.toml"), "").unwrap();
    let (ok, _, err) = cli.run(&["org", "create", "redress", "--name", "REDRESS"], "");
    assert!(ok, "{err}");
    let file = cli.dir.path().join("court.ics");
    std::fs::write(&file, CALENDAR).unwrap();
    let args = ["import-ics", file.to_str().unwrap(), "--org", "redress", "--timezone", "Europe/Amsterdam"];
    let (ok, out, err) = cli.run(&args, "");
    assert!(!ok, "bad entries make the command fail");
    assert!(out.contains("imported 3 new events, updated 0, 0 unchanged, 3 entries with errors"), "{out}");
    // each bad entry by the line it starts on, with the reason
    assert!(err.contains("line 28: UID is missing"), "{err}");
    assert!(err.contains("line 36: not an iCalendar line"), "{err}");
    assert!(err.contains("line 39: rrule: A recurrence must end"), "{err}");
    // again: nothing new, nothing changed
    let (_, out, _) = cli.run(&args, "");
    assert!(out.contains("imported 0 new events, updated 0, 3 unchanged"), "{out}");
    // the court moves the hearing: the import updates it
    std::fs::write(&file, CALENDAR.replace("20270304T093000", "20270304T100000")).unwrap();
    let (_, out, _) = cli.run(&args, "");
    assert!(out.contains("imported 0 new events, updated 1, 2 unchanged"), "{out}");

    let (ok, out, err) = cli.run(&["export", "--org", "redress", "--events"], "");
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3);
    let hearing = lines.iter().find(|l| l["kind"] == "hearing-confirmation-of-charges").unwrap();
    assert_eq!(
        hearing["translations"]["en"]["title"],
        "Confirmation of charges hearing in the case of The Prosecutor v. Abd-Al-Rahman"
    );
    assert_eq!(
        (hearing["start"].as_str(), hearing["timezone"].as_str()),
        (Some("2027-03-04T10:00"), Some("Europe/Amsterdam"))
    );
    assert_eq!(hearing["place"]["name"], "Courtroom I, The Hague");
    let deadline = lines.iter().find(|l| l["kind"] == "deadline").unwrap();
    assert_eq!((deadline["all_day"].as_bool(), deadline["start"].as_str()), (Some(true), Some("2027-03-10")));
    let cancelled = lines.iter().find(|l| l["status"] == "cancelled").unwrap();
    // 13:00 UTC is 14:00 in The Hague, and it lasts an hour
    assert_eq!(
        (cancelled["start"].as_str(), cancelled["end"].as_str()),
        (Some("2027-03-11T14:00"), Some("2027-03-11T15:00"))
    );
    assert!(err.contains("exported 3 events"));

    // a file that is not there, an unknown zone: clear errors
    let (ok, _, err) = cli.run(&["import-ics", "missing.ics", "--org", "redress"], "");
    assert!(!ok && err.contains("cannot open missing.ics"), "{err}");
    let (ok, _, err) =
        cli.run(&["import-ics", file.to_str().unwrap(), "--org", "redress", "--timezone", "Mars/Olympus"], "");
    assert!(!ok && err.contains("Mars/Olympus"), "{err}");
}

// the command blocks this thread while the server answers it: the server runs on another
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_calendar_is_imported_from_its_address_and_a_private_address_is_refused_in_production() {
    // the court's calendar, served over HTTP
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = axum::Router::new()
        .route("/calendar.ics", axum::routing::get(|| async { ([("content-type", "text/calendar")], CALENDAR) }));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let cli = Cli::new().await;
    std::fs::write(cli.dir.path().join("none.toml"), "").unwrap();
    cli.run(&["org", "create", "redress", "--name", "REDRESS"], "");
    // a production instance fetches nothing on this machine: not an address, not a name of it
    for url in [format!("http://127.0.0.1:{port}/calendar.ics"), format!("https://localhost:{port}/calendar.ics")] {
        let (ok, _, err) = cli.run(&["import-ics", &url, "--org", "redress"], "");
        assert!(!ok && err.contains(&format!("cannot open {url}")), "{err}");
    }
    // on the development network, a name mapped to it is fetched and imported
    let url = format!("http://court.localhost:{port}/calendar.ics");
    std::fs::write(cli.dir.path().join("none.toml"), "dev_network = true\nresolve = \"court.localhost=127.0.0.1\"\n")
        .unwrap();
    let (_, out, err) = cli.run(&["import-ics", &url, "--org", "redress"], "");
    assert!(out.contains("imported 3 new events"), "{out}{err}");
}

#[tokio::test]
async fn statements_are_invited_signed_and_withdrawn_and_campaigns_filled_from_the_command_line() {
    let cli = Cli::new().await;
    std::fs::write(cli.dir.path().join("none.toml"), "").unwrap();
    for (user, org) in [("amina", "ccij"), ("rasha", "redress")] {
        let (ok, _, err) =
            cli.run(&["user", "create", user, "--role", "editor", "--password-stdin"], "a long passphrase\n");
        assert!(ok, "{err}");
        let (ok, _, err) = cli.run(&["org", "create", org, "--name", org, "--owner", user], "");
        assert!(ok, "{err}");
    }
    let statement = serde_json::json!({
        "external_id": "arrest-now", "org": "ccij", "kind": "joint-statement", "original_language": "en",
        "translations": {"en": {"title": "Arrest now", "body": "We call on all States."}}, "status": "published"
    });
    let campaign = serde_json::json!({"campaign": {"org": "ccij", "handle": "makingjusticework", "hashtag": "#MakingJusticeWork",
        "original_language": "en", "translations": {"en": {"title": "Making Justice Work"}}, "status": "published"}});
    let file = cli.dir.path().join("lines.jsonl");
    std::fs::write(&file, format!("{statement}\n{campaign}\n")).unwrap();
    let (ok, _, err) = cli.run(&["import", file.to_str().unwrap(), "--org", "ccij"], "");
    assert!(ok, "{err}");

    let (ok, out, err) = cli.run(&["statement", "list", "--org", "ccij"], "");
    assert!(ok, "{err}");
    let fields: Vec<&str> = out.lines().next().unwrap_or_default().split('\t').collect();
    assert_eq!(
        (fields.get(1), fields.get(2), fields.get(5)),
        (Some(&"published"), Some(&"v1"), Some(&"Arrest now")),
        "{out}"
    );
    let (id, digest) = (fields[0].to_string(), fields[3].to_string());

    // only an editor of the lead organisation invites; an unknown target is named
    let (ok, _, err) = cli.run(&["statement", "invite", &id, "redress", "--as", "rasha"], "");
    assert!(!ok, "rasha does not edit ccij: {err}");
    let (ok, out, err) = cli.run(&["statement", "invite", &id, "redress", "nobody", "--as", "amina"], "");
    assert!(!ok && out.contains("1 invited") && out.contains("nobody"), "{out} {err}");
    let (ok, _, err) =
        cli.run(&["statement", "sign", &id, "--org", "redress", "--digest", "zQmOld", "--as", "rasha"], "");
    assert!(!ok && err.contains("digest"), "a stale digest signs nothing: {err}");
    let (ok, out, err) =
        cli.run(&["statement", "sign", &id, "--org", "redress", "--digest", &digest, "--as", "rasha"], "");
    assert!(ok && out.contains("redress signed"), "{out} {err}");
    let (ok, out, _) = cli.run(&["statement", "signatories", &id], "");
    assert!(ok && out.contains("@redress@localhost:8080\tsigned\tv1\tverified"), "{out}");
    let (ok, out, err) = cli.run(&["statement", "withdraw", &id, "--org", "redress", "--as", "rasha"], "");
    assert!(ok, "{out} {err}");
    let (_, out, _) = cli.run(&["statement", "signatories", &id], "");
    assert!(out.contains("\twithdrawn\t"), "{out}");
    let (ok, _, err) = cli.run(&["statement", "withdraw", &id, "--org", "redress", "--as", "nobody"], "");
    assert!(!ok && err.contains("no account nobody"), "{err}");

    // the campaign imported with the statement; its organisers add the statement, a partner proposes
    let (ok, out, _) = cli.run(&["campaign", "list"], "");
    assert!(ok && out.contains("@makingjusticework@localhost:8080\t#MakingJusticeWork\tpublished\tccij"), "{out}");
    let cid = out.split('\t').next().unwrap().to_string();
    let ap_id = format!("http://localhost:8080/s/{id}");
    let (ok, out, err) = cli.run(&["campaign", "add", &cid, &ap_id, "--as", "amina"], "");
    assert!(ok && out.contains("approved"), "{out} {err}");
    let (ok, out, err) = cli.run(&["campaign", "add", &cid, &ap_id, "--org", "redress", "--as", "rasha"], "");
    assert!(ok && out.contains("proposed"), "{out} {err}");
    let (ok, _, err) = cli.run(&["campaign", "add", &cid, "http://localhost:8080/s/none", "--as", "amina"], "");
    assert!(!ok, "{err}");
    let (_, out, _) = cli.run(&["export", "--org", "ccij"], "");
    assert!(
        out.lines()
            .last()
            .unwrap()
            .contains(&format!("{{\"ap_id\":\"{ap_id}\",\"kind\":\"resource\",\"state\":\"approved\"}}")),
        "{out}"
    );
}
