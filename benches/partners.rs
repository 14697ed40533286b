//! Partner search and backfill across real instances on loopback (issue 11).
//!
//! `cargo bench --bench partners -- [partners] [resources per partner] [backfill size]`
//! (defaults 10, 1000, 5000; run by `benches/partners.sh`, which builds the release binary).
//!
//! Instance `n0` asks; `n1`..`nP` are its partners (each on the other's allowlist), each with its
//! own library imported with `amicus import`. Then:
//! - **partner search**: 10 queries x 10 rounds of `GET /api/v1/resources?q=...&scope=network` on
//!   `n0`, one at a time, timed from request to the whole answer (every partner asked, answers
//!   merged); each answer must have every partner `ok`;
//! - **backfill**: an organisation of `n0` follows the library of `nb`, which holds the backfill
//!   size of resources, and `GET /api/v1/orgs/{handle}/following` is polled until the backfill is
//!   done; the time from the follow to then, and how many were kept.

mod common;

use std::time::{Duration, Instant};

use common::{Instance, Res};
use serde_json::{json, Value};

const PASSWORD: &str = "a long passphrase for the bench";
const WORDS: &[&str] = &[
    "torture",
    "detention",
    "disappearance",
    "witness",
    "reparations",
    "victims",
    "hearing",
    "tribunal",
    "evidence",
    "genocide",
    "asylum",
    "journalists",
    "impunity",
    "accountability",
    "survivors",
    "prosecutor",
];
const THEMES: &[&str] = &["torture", "enforced-disappearance", "war-crimes", "reparations", "victims-participation"];

/// `n` resources in English and French, titles and summaries drawn from `WORDS`.
fn library(n: usize, seed: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        let w = |k: usize| WORDS[(i * 7 + k * 13 + seed) % WORDS.len()];
        let title = format!("{} and {} in case {}-{i}", w(0), w(1), seed);
        let body = (0..60).map(|k| w(k + 2)).collect::<Vec<_>>().join(" ");
        let line = json!({
            "external_id": format!("bench-{seed}-{i}"),
            "org": "lib",
            "type": "briefing-note", "original_language": "en",
            "translations": {"en": {"title": title, "summary": format!("On {} and {}.", w(3), w(4)), "body": body},
                             "fr": {"title": format!("Note {i} sur {}", w(5)), "summary": "Résumé.", "body": "Texte."}},
            "themes": [THEMES[(i + seed) % THEMES.len()]],
            "published": format!("20{:02}-0{}-1{}", 10 + i % 15, 1 + i % 9, i % 9),
            "status": "published"
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize, default: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default);
    let (partners, per, backfill) = (arg(1, 10), arg(2, 1000), arg(3, 5000));
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run(partners, per, backfill))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn run(p: usize, per: usize, backfill: usize) -> Res<()> {
    let mut names: Vec<String> = (0..=p).map(|i| format!("n{i}")).collect();
    names.push("nb".into());
    let hosts: Vec<String> = names.iter().map(|n| format!("{n}.localhost")).collect();
    let mut all: Vec<Instance> = names.iter().map(|n| Instance::named(n, &hosts)).collect::<Res<_>>()?;
    let started = Instant::now();
    // libraries, accounts and allowlists, through the CLI
    std::thread::scope(|s| -> Res<()> {
        let jobs: Vec<_> = all
            .iter()
            .enumerate()
            .skip(1)
            .map(|(i, inst)| {
                let size = if i == p + 1 { backfill } else { per };
                s.spawn(move || -> Result<(), String> {
                    let e = |e: Box<dyn std::error::Error + Send + Sync>| e.to_string();
                    let file = inst.dir.path().join("library.jsonl");
                    std::fs::write(&file, library(size, i)).map_err(|e| e.to_string())?;
                    let path = file.display().to_string();
                    inst.cli(&["import", &path, "--org", "lib", "--create-org", &format!("Library {i}")], "", &[])
                        .map_err(e)?;
                    inst.cli(&["federation", "allow", "n0.localhost"], "", &[]).map_err(e)?;
                    Ok(())
                })
            })
            .collect();
        for j in jobs {
            j.join().map_err(|_| "a setup thread failed")??;
        }
        Ok(())
    })?;
    let asker = &all[0];
    asker.cli(&["user", "create", "ed", "--role", "admin", "--password-stdin"], PASSWORD, &[])?;
    asker.cli(&["org", "create", "watch", "--name", "Watch", "--owner", "ed"], "", &[])?;
    let token = asker.cli(&["token", "create", "ed"], "", &[])?.lines().last().unwrap_or_default().to_string();
    for inst in all.iter().skip(1).take(p) {
        let host = format!("n{}.localhost:{}", all.iter().position(|x| x.port == inst.port).unwrap_or(0), inst.port);
        asker.cli(&["federation", "allow", &host], "", &[])?;
    }
    futures_util::future::try_join_all(all.iter_mut().map(|i| i.start())).await?;
    eprintln!("{} instances up with their libraries in {:.1} s", all.len(), started.elapsed().as_secs_f64());

    let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build()?;
    // the first search discovers every partner's endpoint and fetches its key
    let first: Value = client.get(all[0].url("/api/v1/resources?q=torture&scope=network")).send().await?.json().await?;
    eprintln!("first search: sources {}", first["sources"]);
    if first["sources"]
        .as_array()
        .is_none_or(|s| s.len() != p || s.iter().any(|s| s["count"].as_i64().unwrap_or(0) == 0))
    {
        return Err(format!("every partner should have answered with results: {}", first["sources"]).into());
    }
    let mut times = Vec::new();
    for round in 0..10 {
        for (k, word) in WORDS.iter().take(10).enumerate() {
            let q = if k % 3 == 0 { format!("{word} {}", WORDS[(k + round) % WORDS.len()]) } else { word.to_string() };
            let t = Instant::now();
            let page: Value =
                client.get(all[0].url(&format!("/api/v1/resources?q={q}&scope=network"))).send().await?.json().await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            let ok = page["sources"].as_array().map(|s| s.iter().filter(|s| s["status"] == "ok").count()).unwrap_or(0);
            if ok != p || page["partial"] != false {
                return Err(format!("a partner did not answer: {}", page["sources"]).into());
            }
        }
    }
    times.sort_by(f64::total_cmp);
    println!(
        "partner search over {p} partners ({per} resources each), {} queries: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times[times.len() - 1]
    );

    // backfill of nb's library
    let target = format!("lib@nb.localhost:{}", all[p + 1].port);
    let t = Instant::now();
    let res = client
        .post(all[0].url("/api/v1/orgs/watch/following"))
        .bearer_auth(&token)
        .json(&json!({ "target": target }))
        .send()
        .await?;
    if res.status() != 202 {
        return Err(format!("follow: {}", res.text().await?).into());
    }
    loop {
        let v: Value =
            client.get(all[0].url("/api/v1/orgs/watch/following")).bearer_auth(&token).send().await?.json().await?;
        let b = &v["items"][0]["backfill"];
        if b["state"] == "done" || b["state"] == "failed" {
            if b["stored"].as_u64() != Some(backfill as u64) {
                return Err(format!("the backfill kept {} of {backfill}", b["stored"]).into());
            }
            println!(
                "backfill of {backfill} resources: {} in {:.1} s ({} kept, {} left out, {} pages)",
                b["state"],
                t.elapsed().as_secs_f64(),
                b["stored"],
                b["skipped"],
                b["pages"]
            );
            break;
        }
        if t.elapsed() > Duration::from_secs(900) {
            return Err(format!("backfill still {b} after 15 minutes").into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (rss, peak) = all[0].memory();
    println!("asking instance RSS {rss:.0} MB (peak {peak:.0} MB)");
    Ok(())
}
