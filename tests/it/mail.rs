//! E-mail when an SMTP server is configured: invitation links sent to the invitee, reset
//! links to people who gave an address, through a real SMTP server (aiosmtpd in CI).

use std::sync::{Arc, Mutex};

use amicus::model::user::Role;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::helpers::{TestApp, PASSWORD};

/// What the server received: each message's recipients and its data.
type Inbox = Arc<Mutex<Vec<(Vec<String>, String)>>>;

/// An SMTP server on 127.0.0.1 that accepts every message: aiosmtpd (a real implementation,
/// installed by `.ci/test-tools`, writing to a Maildir) when `AMICUS_AIOSMTPD_PYTHON` names
/// its Python, which CI requires; otherwise a minimal one here.
struct MailSink {
    port: u16,
    got: Inbox,
    maildir: Option<(tempfile::TempDir, std::process::Child)>,
}

impl Drop for MailSink {
    fn drop(&mut self) {
        if let Some((_, child)) = &mut self.maildir {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl MailSink {
    async fn start() -> MailSink {
        match std::env::var("AMICUS_AIOSMTPD_PYTHON").ok().filter(|p| !p.is_empty()) {
            Some(python) => MailSink::aiosmtpd(&python).await,
            None if std::env::var("CI").is_ok() => panic!("CI must set AMICUS_AIOSMTPD_PYTHON (.ci/test-tools)"),
            None => MailSink::minimal().await,
        }
    }

    async fn aiosmtpd(python: &str) -> MailSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox"])
            .arg(dir.path().join("mail"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("run aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        MailSink { port, got: Inbox::default(), maildir: Some((dir, child)) }
    }

    async fn minimal() -> MailSink {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let got: Inbox = Arc::default();
        let kept = got.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                    let (mut to, mut data, mut in_data) = (Vec::new(), String::new(), false);
                    while let Ok(Some(line)) = lines.next_line().await {
                        if in_data {
                            if line == "." {
                                in_data = false;
                                kept.lock().unwrap().push((std::mem::take(&mut to), std::mem::take(&mut data)));
                                write.write_all(b"250 queued\r\n").await.unwrap();
                            } else {
                                data.push_str(&line);
                                data.push('\n');
                            }
                            continue;
                        }
                        let verb = line.get(..4).unwrap_or_default().to_ascii_uppercase();
                        let reply: &[u8] = match verb.as_str() {
                            "EHLO" => b"250-sink.test\r\n250 8BITMIME\r\n",
                            "RCPT" => {
                                to.push(line.split(['<', '>']).nth(1).unwrap_or_default().to_string());
                                b"250 ok\r\n"
                            }
                            "DATA" => {
                                in_data = true;
                                b"354 go on\r\n"
                            }
                            "QUIT" => {
                                write.write_all(b"221 bye\r\n").await.unwrap();
                                break;
                            }
                            _ => b"250 ok\r\n",
                        };
                        write.write_all(reply).await.unwrap();
                    }
                });
            }
        });
        MailSink { port, got, maildir: None }
    }

    /// Every message so far: its recipients and its text.
    fn messages(&self) -> Vec<(Vec<String>, String)> {
        let Some((dir, _)) = &self.maildir else { return self.got.lock().unwrap().clone() };
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir.path().join("mail").join("new")) else { return out };
        let mut paths: Vec<_> = entries.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        paths.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
            // aiosmtpd records the envelope's recipients in X-RcptTo
            let to = text
                .lines()
                .find_map(|l| l.strip_prefix("X-RcptTo: "))
                .map(|r| r.split(", ").map(str::to_string).collect())
                .unwrap_or_default();
            out.push((to, text));
        }
        out
    }

    /// The path of the first link to this instance in the last message to `to`.
    fn link_to(&self, to: &str, base: &str) -> Option<String> {
        let got = self.messages();
        let (_, data) = got.iter().rev().find(|(rcpt, _)| rcpt.iter().any(|r| r == to))?;
        // undo quoted-printable soft line breaks, should the server's client have used them
        let text = data.replace("=\n", "").replace("=3D", "=");
        let at = text.find(base)? + base.len();
        Some(text[at..].split_whitespace().next()?.to_string())
    }

    fn count(&self) -> usize {
        self.messages().len()
    }
}

async fn mailing_app() -> (TestApp, MailSink) {
    let sink = MailSink::start().await;
    let port = sink.port;
    let app = TestApp::spawn_with(move |c| {
        c.smtp_url = Some(format!("smtp://127.0.0.1:{port}?insecure"));
        c.mail_from = Some("Amicus <noreply@amicus.test>".into());
    })
    .await;
    (app, sink)
}

#[tokio::test]
async fn an_invitation_is_e_mailed_when_an_address_is_given() {
    let (app, sink) = mailing_app().await;
    app.user("ines", Role::Admin).await;
    let ines = TestApp::client_of(&app);
    assert_eq!(ines.login_as("ines", PASSWORD).await, 303);
    let people = ines.get("/admin/people").await;
    assert!(people.contains(r#"name="email" type="email""#));
    let res =
        ines.post("/admin/people", &[("action", "invite"), ("role", "editor"), ("email", "salma@ngo.example")]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("The link was also e-mailed to salma@ngo.example."));
    let base = app.ctx.config.base_url();
    let path = sink.link_to("salma@ngo.example", &base).expect("the invitation in the mail");
    assert!(path.starts_with("/invite/"));
    let page = TestApp::client_of(&app).get_response(&path).await;
    assert_eq!(page.status(), 200, "the mailed link is the invitation");
    // a malformed address is said, and nothing is sent
    let before = sink.count();
    let res =
        ines.post("/admin/people", &[("action", "invite"), ("role", "editor"), ("email", "not an address")]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(sink.count(), before);
}

#[tokio::test]
async fn a_forgotten_password_is_reset_by_mail_without_telling_who_has_an_account() {
    let (app, sink) = mailing_app().await;
    app.user("amina", Role::Editor).await;
    let amina = TestApp::client_of(&app);
    assert_eq!(amina.login_as("amina", PASSWORD).await, 303);
    assert!(amina.get("/account").await.contains(r#"id="f-email""#));
    let res = amina.post("/account", &[("action", "email"), ("email", "amina@ngo.example")]).await;
    assert_eq!(res.headers()["location"], "/account?done=email");

    let stranger = TestApp::client_of(&app);
    assert!(stranger.get("/login").await.contains(r#"href="/forgot""#));
    let unknown = stranger.post("/forgot", &[("who", "nobody")]).await.text().await.unwrap();
    assert_eq!(sink.count(), 0, "no account, no mail");
    let known = stranger.post("/forgot", &[("who", "AMINA@ngo.example")]).await.text().await.unwrap();
    // the same answer either way
    let said = |html: &str| html.contains("If an account with an e-mail address matches");
    assert!(said(&unknown) && said(&known));
    let base = app.ctx.config.base_url();
    let path = sink.link_to("amina@ngo.example", &base).expect("the reset link in the mail");
    assert!(path.starts_with("/reset/"));
    let res = stranger
        .post(&path, &[("password", "a brand new passphrase"), ("password_again", "a brand new passphrase")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(TestApp::client_of(&app).login_as("amina", "a brand new passphrase").await, 303);
}

#[tokio::test]
async fn without_a_mail_server_nothing_asks_for_an_address() {
    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let amina = TestApp::client_of(&app);
    assert_eq!(amina.login_as("amina", PASSWORD).await, 303);
    assert!(!amina.get("/account").await.contains(r#"id="f-email""#));
    assert!(!amina.get("/login").await.contains(r#"href="/forgot""#));
    assert_eq!(amina.get_response("/forgot").await.status(), 404);
}
