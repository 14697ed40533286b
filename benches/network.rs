//! A joint statement co-signed across a network of real instances on loopback: how long each
//! signature takes to show on every instance that has the statement.
//!
//! `cargo bench --bench network -- [instances] [organisations per instance] [ms between signatures]`
//! (defaults 50, 4, 1000; run by `benches/network.sh`, which builds the release binary first).
//!
//! Instance 0 holds the lead organisation and its statement; each instance holds its
//! signatory organisations (200 with the defaults). The lead invites them all by address;
//! once every invitation has arrived, each organisation accepts it through its own instance's
//! API, one every `ms`, and every instance's `GET /api/v1/statements/{id}/signatories` is
//! polled until every signature shows there. A signature's latency on an instance is the time
//! from its acceptance being sent to its first showing on that instance (polled every 250 ms,
//! so a figure may be up to 250 ms late, never early).

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Instance, Res};
use serde_json::{json, Value};

const PASSWORD: &str = "a long passphrase for the bench";

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: u64| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (instances, per, every) = (arg(1, 50) as usize, arg(2, 4) as usize, arg(3, 1000));
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(instances, per, every))
}

/// One signatory: its instance, its handle there, the invitation it received.
struct Signer {
    instance: usize,
    handle: String,
    invitation: String,
}

async fn run(n: usize, per: usize, every_ms: u64) -> Res<()> {
    let started = Instant::now();
    // named hosts (`n7.localhost:port`), which every instance resolves to loopback
    let hosts: Vec<String> = (0..n).map(|i| format!("n{i}.localhost")).collect();
    let mut all: Vec<Instance> = (0..n).map(|i| Instance::named(&format!("n{i}"), &hosts)).collect::<Res<_>>()?;
    // accounts, organisations and tokens, through the CLI, several instances at a time
    let tokens: Vec<String> = std::thread::scope(|s| {
        let jobs: Vec<_> = all
            .iter()
            .enumerate()
            .map(|(i, inst)| {
                s.spawn(move || -> Result<String, String> {
                    let e = |e: Box<dyn std::error::Error + Send + Sync>| e.to_string();
                    inst.cli(&["user", "create", "ed", "--role", "editor", "--password-stdin"], PASSWORD, &[])
                        .map_err(e)?;
                    let mut handles: Vec<String> = (0..per).map(|j| format!("org{j}")).collect();
                    if i == 0 {
                        handles.push("lead".into());
                    }
                    for h in &handles {
                        inst.cli(&["org", "create", h, "--name", &format!("{h} on {i}"), "--owner", "ed"], "", &[])
                            .map_err(e)?;
                    }
                    let out = inst.cli(&["token", "create", "ed"], "", &[]).map_err(e)?;
                    out.lines().last().map(str::to_string).ok_or_else(|| "no token".to_string())
                })
            })
            .collect();
        jobs.into_iter().map(|j| j.join().map_err(|_| "a setup thread failed".to_string())?).collect::<Result<_, _>>()
    })?;
    futures_util::future::try_join_all(all.iter_mut().map(|i| i.start())).await?;
    eprintln!("{n} instances up in {:.1} s", started.elapsed().as_secs_f64());

    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    let api = |i: usize, path: &str| all[i].url(&format!("/api/v1{path}"));
    let statement = json!({
        "org": "lead", "kind": "joint-statement", "original_language": "en",
        "translations": {"en": {"title": "Arrest warrants must be executed", "summary": "States must cooperate.",
                                "body": "We, the undersigned, call on all States Parties to execute the warrants."}},
        "status": "published", "open_signing": false
    });
    let res = client.post(api(0, "/statements")).bearer_auth(&tokens[0]).json(&statement).send().await?;
    let created: Value = res.json().await?;
    let lead_id = created["id"].as_str().ok_or("no statement id")?.to_string();
    let digest = created["digest"].as_str().ok_or("no digest")?.to_string();
    let targets: Vec<String> = (0..n)
        .flat_map(|i| (0..per).map(move |j| (i, j)))
        .map(|(i, j)| if i == 0 { format!("org{j}") } else { format!("org{j}@n{i}.localhost:{}", all[i].port) })
        .collect();
    let t = Instant::now();
    let res = client
        .post(api(0, &format!("/statements/{lead_id}/invitations")))
        .bearer_auth(&tokens[0])
        .json(&json!({ "targets": targets }))
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("invitations: {} {}", res.status(), res.text().await?).into());
    }

    // every invitation arrived: each instance's copy of the statement, and each invitation
    let mut signers: Vec<Signer> = Vec::new();
    let mut copies: Vec<String> = vec![String::new(); n];
    copies[0] = lead_id.clone();
    let deadline = Instant::now() + Duration::from_secs(300);
    for i in 0..n {
        for j in 0..per {
            let handle = format!("org{j}");
            loop {
                let v: Value = client
                    .get(api(i, &format!("/orgs/{handle}/invitations")))
                    .bearer_auth(&tokens[i])
                    .send()
                    .await?
                    .json()
                    .await?;
                if let Some(item) = v["items"].as_array().and_then(|a| a.first()) {
                    if i > 0 {
                        copies[i] = item["statement"]["id"].as_str().unwrap_or_default().to_string();
                    }
                    let invitation = item["id"].as_str().unwrap_or_default().to_string();
                    signers.push(Signer { instance: i, handle: handle.clone(), invitation });
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!("no invitation for {handle} on instance {i}").into());
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
    eprintln!("{} invitations received everywhere in {:.1} s", signers.len(), t.elapsed().as_secs_f64());

    // watch every instance's list of signatories
    let accts: Vec<String> =
        signers.iter().map(|s| format!("@{}@n{}.localhost:{}", s.handle, s.instance, all[s.instance].port)).collect();
    let seen: Arc<Mutex<HashMap<(usize, String), Instant>>> = Arc::default();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut watchers = Vec::new();
    for (i, copy) in copies.iter().enumerate() {
        let url = api(i, &format!("/statements/{copy}/signatories"));
        let (client, seen, done) = (client.clone(), seen.clone(), done.clone());
        watchers.push(tokio::spawn(async move {
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(res) = client.get(&url).send().await {
                    if let Ok(v) = res.json::<Value>().await {
                        let now = Instant::now();
                        let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
                        for item in v["items"].as_array().into_iter().flatten() {
                            let org = item["org"].as_str().unwrap_or_default().to_string();
                            seen.entry((i, org)).or_insert(now);
                        }
                    }
                }
                tokio::time::sleep(Duration::from_millis(250)).await;
            }
        }));
    }

    // each organisation signs through its own instance, one every `every_ms`
    let mut sent: Vec<Instant> = Vec::new();
    let t = Instant::now();
    for s in &signers {
        let url = api(s.instance, &format!("/orgs/{}/invitations/{}/accept", s.handle, s.invitation));
        sent.push(Instant::now());
        let res = client
            .post(url)
            .bearer_auth(&tokens[s.instance])
            .json(&json!({ "digest": digest, "announce": false }))
            .send()
            .await?;
        if !res.status().is_success() {
            return Err(format!("accept: {} {}", res.status(), res.text().await?).into());
        }
        tokio::time::sleep(Duration::from_millis(every_ms)).await;
    }
    eprintln!("{} signatures sent in {:.1} s", sent.len(), t.elapsed().as_secs_f64());
    let wanted = signers.len() * n;
    let deadline = Instant::now() + Duration::from_secs(300);
    while seen.lock().unwrap_or_else(|e| e.into_inner()).len() < wanted && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for w in watchers {
        w.await?;
    }

    // latency per (signature, instance), and per signature on its last instance
    let seen = seen.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut each: Vec<f64> = Vec::new();
    let mut everywhere: Vec<f64> = Vec::new();
    let mut missing = 0;
    for (k, acct) in accts.iter().enumerate() {
        let mut last = 0.0f64;
        for i in 0..n {
            match seen.get(&(i, acct.clone())) {
                Some(at) => {
                    let d = at.saturating_duration_since(sent[k]).as_secs_f64();
                    each.push(d);
                    last = last.max(d);
                }
                None => missing += 1,
            }
        }
        everywhere.push(last);
    }
    let pct = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v.get(((v.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(f64::NAN)
    };
    let memory: Vec<f64> = all.iter().map(|i| i.memory().1).collect();
    println!(
        "{} signatories on {n} instances, one signature every {every_ms} ms: visible on one instance p50 {:.2} s, p95 {:.2} s; \
         on every instance p50 {:.2} s, p95 {:.2} s, max {:.2} s; {missing} (signature, instance) pairs never seen; \
         peak memory per instance max {:.0} MB",
        signers.len(),
        pct(&mut each, 0.5),
        pct(&mut each, 0.95),
        pct(&mut everywhere, 0.5),
        pct(&mut everywhere, 0.95),
        pct(&mut everywhere, 1.0),
        memory.iter().copied().fold(0.0, f64::max),
    );
    if missing > 0 {
        return Err(format!("{missing} signatures never showed").into());
    }
    Ok(())
}
