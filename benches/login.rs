//! A flood of logins (run by `benches/login.sh`, figures in `docs/PERFORMANCE.md`).
//!
//! `cargo bench --bench login -- <logins> <connections>`: a real `amicus serve` (the release
//! binary named by `AMICUS_BIN`) with one account, whose owner has logged in once from her
//! phone. `<connections>` clients then send `<logins>` failed logins as fast as they are
//! answered, for unknown names and for her account; a second into the flood, she logs in from
//! her phone with the right password. Reports the answers, the rate, how long her login took,
//! and the server's peak memory.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{bin, Instance, Res};

const PASSWORD: &str = "a long passphrase for the benchmark";

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let num = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    rt.block_on(flood(num(0, 10_000), num(1, 200)))
}

/// A browser: cookies kept, redirects not followed.
fn browser() -> Res<reqwest::Client> {
    Ok(reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build()?)
}

/// The CSRF token of `client`, from the login form.
async fn csrf(instance: &Instance, client: &reqwest::Client) -> Res<String> {
    let html = client.get(instance.url("/login")).send().await?.text().await?;
    let start = html.find("name=\"csrf\" value=\"").ok_or("no csrf field")? + 19;
    Ok(html[start..].split('"').next().unwrap_or_default().to_string())
}

async fn login(instance: &Instance, client: &reqwest::Client, token: &str, user: &str, pw: &str) -> Res<u16> {
    let form = [("csrf", token), ("username", user), ("password", pw), ("next", "/")];
    Ok(client.post(instance.url("/login")).form(&form).send().await?.status().as_u16())
}

async fn flood(logins: usize, connections: usize) -> Res<()> {
    let mut instance = Instance::new(&[])?;
    let mut create = std::process::Command::new(bin())
        .args(["user", "create", "amina", "--role", "editor", "--password-stdin"])
        .current_dir(instance.dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = create.stdin.take() {
        use std::io::Write;
        writeln!(stdin, "{PASSWORD}")?;
    }
    if !create.wait()?.success() {
        return Err("could not create the account".into());
    }
    instance.start().await?;
    let instance = Arc::new(instance);

    // her phone has logged in before: it keeps a device cookie
    let phone = browser()?;
    let token = csrf(&instance, &phone).await?;
    if login(&instance, &phone, &token, "amina", PASSWORD).await? != 303 {
        return Err("the owner could not log in before the flood".into());
    }
    let (idle, _) = instance.memory();

    let attacker = browser()?;
    let attacker_token = csrf(&instance, &attacker).await?;
    let next = Arc::new(AtomicUsize::new(0));
    let answers: Arc<Mutex<BTreeMap<u16, usize>>> = Arc::default();
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let (instance, client, token) = (instance.clone(), attacker.clone(), attacker_token.clone());
        let (next, answers) = (next.clone(), answers.clone());
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= logins {
                    return;
                }
                // one guess in four at her account, the rest at names that do not exist
                let user = if n % 4 == 0 { "amina".to_string() } else { format!("nobody{n}") };
                let status = login(&instance, &client, &token, &user, "wrong guess").await.unwrap_or(0);
                *answers.lock().unwrap_or_else(|e| e.into_inner()).entry(status).or_default() += 1;
            }
        });
    }
    // a second into the flood, she logs in from her phone
    tokio::time::sleep(Duration::from_secs(1)).await;
    let asked = Instant::now();
    let token = csrf(&instance, &phone).await?;
    let owner = login(&instance, &phone, &token, "amina", PASSWORD).await?;
    let owner_took = asked.elapsed();
    let mut peak: f64 = 0.0;
    loop {
        tokio::select! {
            done = tasks.join_next() => if done.is_none() { break },
            _ = tokio::time::sleep(Duration::from_millis(50)) => peak = peak.max(instance.memory().1),
        }
    }
    let elapsed = started.elapsed();
    let (after, hwm) = instance.memory();
    let answers = answers.lock().unwrap_or_else(|e| e.into_inner()).clone();
    println!("login flood: {logins} failed logins from {connections} connections");
    println!("  answers: {answers:?} (401 checked and refused, 429 told to wait)");
    println!("  {:.1} s, {:.0} logins/s", elapsed.as_secs_f64(), logins as f64 / elapsed.as_secs_f64());
    println!("  the owner's login from her phone: {owner} in {:.2} s", owner_took.as_secs_f64());
    println!("  memory: {idle:.0} MB idle, {after:.0} MB after, {:.0} MB peak", hwm.max(peak));
    Ok(())
}
