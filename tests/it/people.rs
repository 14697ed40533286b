//! People in the browser: invitations and reset links that work once, members managed by their
//! organisation's admins, one's own password, sessions and sign-in history.

use amicus::db::people::NewLink;
use amicus::model::user::{OrgRole, Role};

use crate::helpers::{Browser, TestApp, PASSWORD};

/// The path of the one-time link a link page shows (`/invite/...` or `/reset/...`).
fn link_path(html: &str) -> String {
    let start = html.find("id=\"f-link\" value=\"").expect("the link field") + 19;
    // as the browser reads the attribute: templates escape `/`
    let link = html[start..].split('"').next().expect("the link").replace("&#x2f;", "/");
    let at = link.find("/invite/").or_else(|| link.find("/reset/")).expect("a link path");
    link[at..].to_string()
}

async fn admin(app: &TestApp) -> Browser {
    app.user("ines", Role::Admin).await;
    let browser = TestApp::client_of(app);
    assert_eq!(browser.login_as("ines", PASSWORD).await, 303);
    browser
}

#[tokio::test]
async fn an_admin_invites_an_editor_who_joins_once_and_can_publish() {
    let app = TestApp::spawn().await;
    let ines = admin(&app).await;
    let res = ines.post("/admin/people", &[("action", "create-org"), ("handle", "redress"), ("name", "Redress")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/orgs/redress/members?done=org-created");
    assert!(ines.get("/orgs/redress/members?done=org-created").await.contains("class=\"flash\""));

    let res = ines
        .post("/admin/people", &[("action", "invite"), ("role", "editor"), ("org", "redress"), ("org_role", "editor")])
        .await;
    assert_eq!(res.status(), 200);
    let path = link_path(&res.text().await.unwrap());
    assert!(path.starts_with("/invite/"));

    // the invitee: a new browser, no account yet
    let amina = Browser::with_agent(
        &app,
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    );
    let form = amina.get(&path).await;
    assert!(form.contains("Redress"), "the form says which organisation");
    // two different passwords: refused, the link still unused
    let fields = [("username", "amina"), ("password", "a long passphrase"), ("password_again", "another one")];
    assert_eq!(amina.post(&path, &fields).await.status(), 422);
    let fields = [
        ("username", "amina"),
        ("display_name", "Amina K."),
        ("password", "a long passphrase"),
        ("password_again", "a long passphrase"),
    ];
    let res = amina.post(&path, &fields).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/orgs/redress?done=welcome");
    // logged in, as an editor of the organisation
    let account = amina.get("/account").await;
    assert!(account.contains("Amina K.") && account.contains("Chrome · Android"), "{account}");
    assert_eq!(amina.get_response("/r/new?org=redress").await.status(), 200);

    // the link worked once: a second use, even by someone else, is refused
    let other = TestApp::client_of(&app);
    assert_eq!(other.get_response(&path).await.status(), 410);
    let fields = [("username", "intruder"), ("password", "a long passphrase"), ("password_again", "a long passphrase")];
    assert_eq!(other.post(&path, &fields).await.status(), 410);
    assert!(app.ctx.db.user_by_username("intruder").await.unwrap().is_none());
}

#[tokio::test]
async fn an_invitation_to_a_taken_name_stays_usable_and_an_expired_one_is_refused() {
    let app = TestApp::spawn().await;
    let ines = admin(&app).await;
    let res = ines.post("/admin/people", &[("action", "invite"), ("role", "member"), ("org", "")]).await;
    let path = link_path(&res.text().await.unwrap());
    let guest = TestApp::client_of(&app);
    let taken = [("username", "ines"), ("password", "a long passphrase"), ("password_again", "a long passphrase")];
    let res = guest.post(&path, &taken).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("f-username"));
    let free = [("username", "guest"), ("password", "a long passphrase"), ("password_again", "a long passphrase")];
    assert_eq!(guest.post(&path, &free).await.status(), 303);
    assert_eq!(app.ctx.db.user_by_username("guest").await.unwrap().unwrap().role, Role::Member);

    // a link past its seven days
    let admin = app.ctx.db.user_by_username("ines").await.unwrap().unwrap();
    let secret = "expired-secret-of-a-link";
    app.ctx
        .db
        .insert_link(NewLink {
            token_hash: &amicus::accounts::digest(secret),
            kind: "invite",
            role: Some(Role::Admin),
            org: None,
            user_id: None,
            created_by: admin.id,
            valid_for: chrono::Duration::days(-1),
        })
        .await
        .unwrap();
    let late = TestApp::client_of(&app);
    assert_eq!(late.get_response(&format!("/invite/{secret}")).await.status(), 410);
    let fields = [("username", "late"), ("password", "a long passphrase"), ("password_again", "a long passphrase")];
    assert_eq!(late.post(&format!("/invite/{secret}"), &fields).await.status(), 410);
}

#[tokio::test]
async fn organisation_admins_manage_their_members_but_not_an_instance_admin() {
    let app = TestApp::spawn().await;
    app.org_with_editor("redress", "amina").await; // amina administers redress
    app.user("ines", Role::Admin).await;
    app.user("omar", Role::Editor).await;
    amicus::accounts::add_member(&app.ctx, "redress", "ines", OrgRole::Editor).await.unwrap();
    amicus::accounts::add_member(&app.ctx, "redress", "omar", OrgRole::Editor).await.unwrap();
    let id = |name: &'static str| {
        let db = app.ctx.db.clone();
        async move { db.user_by_username(name).await.unwrap().unwrap().id.to_string() }
    };
    let amina = TestApp::client_of(&app);
    assert_eq!(amina.login_as("amina", PASSWORD).await, 303);

    // an invitation into the organisation, for a member
    let res = amina.post("/orgs/redress/members", &[("action", "invite"), ("org_role", "member")]).await;
    assert_eq!(res.status(), 200);
    assert!(link_path(&res.text().await.unwrap()).starts_with("/invite/"));
    // but not to the instance: that is the instance admins' page
    assert_eq!(amina.post("/admin/people", &[("action", "invite"), ("role", "admin")]).await.status(), 403);

    // omar becomes a member (reads drafts, publishes nothing)
    let omar = id("omar").await;
    let res = amina.post("/orgs/redress/members", &[("action", "role"), ("user", &omar), ("role", "member")]).await;
    assert_eq!(res.headers()["location"], "/orgs/redress/members?done=role-changed");
    let org = app.ctx.db.org_by_handle("redress").await.unwrap().unwrap();
    let omar_user = app.ctx.db.user_by_username("omar").await.unwrap().unwrap();
    assert!(amicus::accounts::require_editor(&app.ctx, &omar_user, org.id).await.is_err());

    // the instance admin's membership is not hers to change
    let ines = id("ines").await;
    let res = amina.post("/orgs/redress/members", &[("action", "role"), ("user", &ines), ("role", "member")]).await;
    assert_eq!(res.status(), 403);
    let res = amina.post("/orgs/redress/members", &[("action", "remove"), ("user", &ines), ("confirm", "1")]).await;
    assert_eq!(res.status(), 403);

    // the last admin stays one
    let me = id("amina").await;
    let res = amina.post("/orgs/redress/members", &[("action", "role"), ("user", &me), ("role", "editor")]).await;
    assert_eq!(res.status(), 422);

    // removing asks first, then removes
    let res = amina.post("/orgs/redress/members", &[("action", "remove"), ("user", &omar)]).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("name=\"confirm\" value=\"1\""));
    assert!(app.ctx.db.member_role(org.id, omar_user.id).await.unwrap().is_some());
    let res = amina.post("/orgs/redress/members", &[("action", "remove"), ("user", &omar), ("confirm", "1")]).await;
    assert_eq!(res.headers()["location"], "/orgs/redress/members?done=member-removed");
    assert!(app.ctx.db.member_role(org.id, omar_user.id).await.unwrap().is_none());

    // someone outside the organisation sees nothing of it
    app.user("zed", Role::Editor).await;
    let zed = TestApp::client_of(&app);
    assert_eq!(zed.login_as("zed", PASSWORD).await, 303);
    assert_eq!(zed.get_response("/orgs/redress/members").await.status(), 403);
    assert_eq!(zed.post("/orgs/redress/members", &[("action", "invite"), ("org_role", "admin")]).await.status(), 403);
}

#[tokio::test]
async fn a_reset_link_sets_a_new_password_once_and_ends_every_session() {
    let app = TestApp::spawn().await;
    let ines = admin(&app).await;
    app.user("amina", Role::Editor).await;
    let amina_id = app.ctx.db.user_by_username("amina").await.unwrap().unwrap().id.to_string();
    let phone = TestApp::client_of(&app);
    assert_eq!(phone.login_as("amina", PASSWORD).await, 303);
    assert_eq!(phone.get_response("/account").await.status(), 200);

    let res = ines.post("/admin/people", &[("action", "reset"), ("user", &amina_id)]).await;
    assert_eq!(res.status(), 200);
    let path = link_path(&res.text().await.unwrap());
    let laptop = TestApp::client_of(&app);
    assert_eq!(laptop.get_response(&path).await.status(), 200);
    let short = [("password", "short"), ("password_again", "short")];
    assert_eq!(laptop.post(&path, &short).await.status(), 422);
    let new = [("password", "a brand new passphrase"), ("password_again", "a brand new passphrase")];
    let res = laptop.post(&path, &new).await;
    assert_eq!(res.headers()["location"], "/login?done=password-reset");
    // the phone's session ended; the old password no longer works, the new one does
    assert_ne!(phone.get_response("/account").await.status(), 200);
    assert_eq!(laptop.login_as("amina", PASSWORD).await, 401);
    assert_eq!(laptop.login_as("amina", "a brand new passphrase").await, 303);
    // used once
    assert_eq!(TestApp::client_of(&app).post(&path, &new).await.status(), 410);
    // only instance admins issue them
    assert_eq!(laptop.post("/admin/people", &[("action", "reset"), ("user", &amina_id)]).await.status(), 403);
}

#[tokio::test]
async fn people_see_their_sessions_and_failed_sign_ins_and_end_them() {
    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let phone = Browser::with_agent(&app, "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1");
    let laptop = TestApp::client_of(&app); // Firefox on Linux
    assert_eq!(laptop.login_as("amina", "not her password").await, 401);
    assert_eq!(phone.login_as("amina", PASSWORD).await, 303);
    assert_eq!(laptop.login_as("amina", PASSWORD).await, 303);

    let page = laptop.get("/account").await;
    assert!(page.contains("Safari · iOS") && page.contains("Firefox · Linux"), "both sessions are listed");
    assert!(page.contains("Failed (wrong password or code)"), "the failed attempt is listed");
    assert!(!page.contains("Mozilla/5.0"), "never the user agent itself");

    // a wrong current password changes nothing
    let wrong = [
        ("action", "password"),
        ("current_password", "nope"),
        ("password", "a new passphrase"),
        ("password_again", "a new passphrase"),
    ];
    assert_eq!(laptop.post("/account", &wrong).await.status(), 422);
    // end the phone's session from the laptop
    let sessions =
        app.ctx.db.sessions_of(app.ctx.db.user_by_username("amina").await.unwrap().unwrap().id, "").await.unwrap();
    let phone_session = sessions.iter().find(|s| s.device == "Safari · iOS").unwrap().public_id.clone();
    let res = laptop.post("/account", &[("action", "end"), ("session", &phone_session)]).await;
    assert_eq!(res.headers()["location"], "/account?done=session-ended");
    assert_ne!(phone.get_response("/account").await.status(), 200);
    assert_eq!(laptop.get_response("/account").await.status(), 200);

    // another person cannot end a session that is not theirs
    app.user("omar", Role::Editor).await;
    let omar = TestApp::client_of(&app);
    assert_eq!(omar.login_as("omar", PASSWORD).await, 303);
    let laptop_session =
        app.ctx.db.sessions_of(app.ctx.db.user_by_username("amina").await.unwrap().unwrap().id, "").await.unwrap()[0]
            .public_id
            .clone();
    omar.post("/account", &[("action", "end"), ("session", &laptop_session)]).await;
    assert_eq!(laptop.get_response("/account").await.status(), 200);

    // the right password changes it, and ends the other sessions but this one
    assert_eq!(phone.login_as("amina", PASSWORD).await, 303);
    let change = [
        ("action", "password"),
        ("current_password", PASSWORD),
        ("password", "a new passphrase"),
        ("password_again", "a new passphrase"),
    ];
    assert_eq!(laptop.post("/account", &change).await.headers()["location"], "/account?done=password");
    assert_eq!(laptop.get_response("/account").await.status(), 200);
    assert_ne!(phone.get_response("/account").await.status(), 200);

    // a display name; "log out everywhere" asks first
    let res = laptop.post("/account", &[("action", "name"), ("display_name", "Amina K.")]).await;
    assert_eq!(res.headers()["location"], "/account?done=name");
    assert!(laptop.get("/account?done=name").await.contains("Amina K."));
    let confirm = laptop.get("/logout/everywhere").await;
    assert!(confirm.contains("name=\"everywhere\" value=\"1\""));
}

#[tokio::test]
async fn a_forged_session_cookie_is_nobody() {
    let app = TestApp::spawn().await;
    app.user("amina", Role::Admin).await;
    let res = app
        .client
        .get(app.url("/account"))
        .header("cookie", "amicus_session=forged-session-value-of-the-right-length-abc")
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
    let res = app.client.get(app.url("/admin/people")).header("cookie", "amicus_session=x").send().await.unwrap();
    assert_ne!(res.status(), 200);
    // and someone logged in but not an instance admin gets 403
    app.user("omar", Role::Editor).await;
    let omar = TestApp::client_of(&app);
    assert_eq!(omar.login_as("omar", PASSWORD).await, 303);
    assert_eq!(omar.get_response("/admin/people").await.status(), 403);
}

/// The value of the form field `name` in a page.
fn field(html: &str, name: &str) -> String {
    let start = html.find(&format!("name=\"{name}\" value=\"")).expect("the field") + name.len() + 15;
    html[start..].split('"').next().expect("its value").to_string()
}

/// The current TOTP code for a base32 secret.
fn current_code(secret: &str) -> String {
    let bytes = amicus::totp::from_base32(secret).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    amicus::totp::code_at(&bytes, amicus::totp::step_at(now))
}

#[tokio::test]
async fn two_step_login_holds_against_replays_and_a_hundred_wrong_codes() {
    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let laptop = TestApp::client_of(&app);
    assert_eq!(laptop.login_as("amina", PASSWORD).await, 303);
    let page = laptop.get("/account/2fa").await;
    assert!(page.contains("<svg"), "the QR code is drawn here, as SVG");
    let secret = field(&page, "secret");
    let code = current_code(&secret);
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let res = laptop.post("/account/2fa", &[("action", "enable"), ("secret", &secret), ("code", &wrong)]).await;
    assert_eq!(res.status(), 422);
    let res = laptop.post("/account/2fa", &[("action", "enable"), ("secret", &secret), ("code", &code)]).await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    let recovery: Vec<String> =
        html.split("<li><code>").skip(1).map(|s| s.split('<').next().unwrap().to_string()).collect();
    assert_eq!(recovery.len(), 10);

    // the password alone no longer opens a session
    let phone = TestApp::client_of(&app);
    let csrf_login = phone.post("/login", &[("username", "amina"), ("password", PASSWORD), ("next", "/account")]).await;
    assert_eq!(csrf_login.status(), 303);
    assert_eq!(csrf_login.headers()["location"], "/login/code?next=%2Faccount");
    assert_ne!(phone.get_response("/account").await.status(), 200);
    let res = phone.post("/login/code", &[("code", &wrong), ("next", "/account")]).await;
    assert_eq!(res.status(), 401);
    let res = phone.post("/login/code", &[("code", &code), ("next", "/account")]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account");
    assert_eq!(phone.get_response("/account").await.status(), 200);

    // a code works once, even within its 30 seconds
    let thief = TestApp::client_of(&app);
    assert_eq!(thief.login_as("amina", PASSWORD).await, 303);
    assert_eq!(thief.post("/login/code", &[("code", &code), ("next", "/")]).await.status(), 401);
    // a hundred wrong codes: after a few, each is refused at once without being checked
    let mut limited = 0;
    for i in 0..100 {
        let guess = format!("{:06}", (code.parse::<u32>().unwrap() + 2 + i) % 1_000_000);
        let status = thief.post("/login/code", &[("code", &guess), ("next", "/")]).await.status();
        assert_ne!(status, 303, "a guessed code got in");
        limited += u32::from(status == 429);
    }
    assert!(limited >= 90, "guessing is slowed: {limited} of 100 were made to wait");
    // meanwhile the owner, with her password and a recovery code, gets in
    let tablet = TestApp::client_of(&app);
    assert_eq!(tablet.login_as("amina", PASSWORD).await, 303);
    let res = tablet.post("/login/code", &[("code", &recovery[0].to_uppercase()), ("next", "/")]).await;
    assert_eq!(res.status(), 303, "a recovery code, in any case");
    // which works once
    let again = TestApp::client_of(&app);
    assert_eq!(again.login_as("amina", PASSWORD).await, 303);
    assert_eq!(again.post("/login/code", &[("code", &recovery[0]), ("next", "/")]).await.status(), 401);
    assert!(tablet.get("/account").await.contains("Failed (wrong password or code)"));

    // turning it off needs the password and a code
    let off = [("action", "disable"), ("current_password", "not it"), ("code", recovery[1].as_str())];
    assert_eq!(tablet.post("/account/2fa", &off).await.status(), 422);
    let off = [("action", "disable"), ("current_password", PASSWORD), ("code", "123")];
    assert_eq!(tablet.post("/account/2fa", &off).await.status(), 422);
    let off = [("action", "disable"), ("current_password", PASSWORD), ("code", recovery[1].as_str())];
    assert_eq!(tablet.post("/account/2fa", &off).await.headers()["location"], "/account?done=2fa-off");
    let plain = TestApp::client_of(&app);
    let res = plain.post("/login", &[("username", "amina"), ("password", PASSWORD), ("next", "/")]).await;
    assert_eq!(res.headers()["location"], "/");
}

#[tokio::test]
async fn an_instance_can_require_two_step_login_of_those_who_publish() {
    let app = TestApp::spawn().await;
    let ines = admin(&app).await;
    app.org_with_editor("redress", "amina").await;
    app.user("reader", Role::Member).await;
    // only an instance admin may change it
    let amina = TestApp::client_of(&app);
    assert_eq!(amina.login_as("amina", PASSWORD).await, 303);
    let refused = amina.post("/admin/people", &[("action", "require-2fa"), ("require", "on")]).await;
    assert_eq!(refused.status(), 403);
    assert_eq!(amina.get_response("/r/new?org=redress").await.status(), 200, "not required yet");

    // the admin turns it on for herself first, or she would lock herself out
    let res = ines.post("/admin/people", &[("action", "require-2fa"), ("require", "on")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("Turn on two-step login for your own account first"));
    let own = field(&ines.get("/account/2fa").await, "secret");
    let res = ines.post("/account/2fa", &[("action", "enable"), ("secret", &own), ("code", &current_code(&own))]).await;
    assert_eq!(res.status(), 200);
    let res = ines.post("/admin/people", &[("action", "require-2fa"), ("require", "on")]).await;
    assert_eq!(res.headers()["location"], "/admin/people?done=setting-saved");
    assert!(ines.get("/admin/people").await.contains(r#"name="require" checked"#));

    // the editor without it is sent to turn it on before writing or saving anything
    for path in ["/r/new?org=redress", "/admin/people"] {
        let res = amina.get_response(path).await;
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()["location"], "/account/2fa?done=2fa-required");
    }
    let post = amina.post("/r/new", &[("org", "redress"), ("title", "x")]).await;
    assert_eq!(post.headers()["location"], "/account/2fa?done=2fa-required");
    // reading, her account and the two-step page stay open
    assert_eq!(amina.get_response("/library").await.status(), 200);
    let page = amina.get("/account/2fa?done=2fa-required").await;
    assert!(page.contains("This instance requires two-step login for your role"));
    // a member who only reads is not asked
    let reader = TestApp::client_of(&app);
    assert_eq!(reader.login_as("reader", PASSWORD).await, 303);
    assert_eq!(reader.get_response("/account").await.status(), 200);
    assert_eq!(reader.post("/account", &[("action", "name"), ("display_name", "R")]).await.status(), 303);

    // once she turns it on, she writes again
    let secret = field(&page, "secret");
    let res = amina
        .post("/account/2fa", &[("action", "enable"), ("secret", &secret), ("code", &current_code(&secret))])
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(amina.get_response("/r/new?org=redress").await.status(), 200);
}

#[tokio::test]
async fn passkeys_come_after_two_step_login_and_refuse_what_is_not_a_key() {
    // the whole ceremony with a real browser's authenticator is in the browser suite
    // (tests/browser/axe.mjs); here, what the server refuses
    let app = TestApp::spawn().await;
    app.user("amina", Role::Editor).await;
    let amina = TestApp::client_of(&app);
    assert_eq!(amina.login_as("amina", PASSWORD).await, 303);
    let none = serde_json::json!({});
    // not before two-step login is on
    assert_eq!(amina.post_json("/account/passkeys/options", true, &none).await.status(), 422);
    let page = amina.get("/account/2fa").await;
    let secret = field(&page, "secret");
    let res = amina
        .post("/account/2fa", &[("action", "enable"), ("secret", &secret), ("code", &current_code(&secret))])
        .await;
    assert_eq!(res.status(), 200);
    // a forged token is refused; the real one gets the browser's options
    assert_eq!(amina.post_json("/account/passkeys/options", false, &none).await.status(), 400);
    let res = amina.post_json("/account/passkeys/options", true, &none).await;
    assert_eq!(res.status(), 200);
    let options: serde_json::Value = res.json().await.unwrap();
    let rp = app.ctx.config.domain.split(':').next().unwrap().to_string();
    assert_eq!(options["publicKey"]["rp"]["id"], rp);
    assert!(options["publicKey"]["challenge"].as_str().is_some_and(|c| c.len() >= 32));
    // an answer that is no key's is refused, and the challenge is spent
    let forged = serde_json::json!({"name": "mine", "credential": {"id": "AAAA", "rawId": "AAAA", "type": "public-key",
        "response": {"attestationObject": "AAAA", "clientDataJSON": "AAAA"}}});
    assert_eq!(amina.post_json("/account/passkeys", true, &forged).await.status(), 422);
    assert_eq!(amina.post_json("/account/passkeys", true, &forged).await.status(), 410);
    assert!(app
        .ctx
        .db
        .passkeys_of(app.ctx.db.user_by_username("amina").await.unwrap().unwrap().id)
        .await
        .unwrap()
        .is_empty());

    // at login, passkey options need the pending token of a right password
    let stranger = TestApp::client_of(&app);
    assert_eq!(stranger.post_json("/login/passkey/options", true, &none).await.status(), 410);
    let login = stranger.post("/login", &[("username", "amina"), ("password", PASSWORD), ("next", "/account")]).await;
    assert_eq!(login.status(), 303);
    // she has no passkey: nothing to offer, and the code page does not offer one
    assert_eq!(stranger.post_json("/login/passkey/options", true, &none).await.status(), 404);
    assert!(!stranger.get("/login/code").await.contains("passkey-login"));
}
