//! Agenda benchmarks (run by `benches/agenda.sh`, figures in `docs/PERFORMANCE.md`).
//!
//! `cargo bench --bench agenda -- run <events> <library.jsonl>`: a scratch instance with the
//! library of `library.jsonl` and `events` events (a third of them weekly series) imported
//! from a generated calendar, then, one request at a time, p50/p95/p99 of the agenda's month,
//! day and list pages and of filtered calendars; how long a change takes to reach an open
//! agenda (`/agenda/live`) on the same instance and on a partner instance that follows it;
//! and the server's memory with 1,000 agenda pages open.

mod common;

use std::time::{Duration, Instant};

use common::{Instance, Res};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KINDS: &[&str] = &[
    "hearing-trial",
    "hearing-status-conference",
    "hrc-regular-session",
    "upr-review",
    "webinar",
    "deadline",
    "side-event",
    "advocacy-action",
];
const ZONES: &[&str] =
    &["Europe/Amsterdam", "Europe/Zurich", "America/New_York", "Africa/Nairobi", "Asia/Bangkok", "America/Bogota"];

/// A calendar of `count` events over 24 months around now, a third of them weekly series.
fn calendar(count: usize) -> String {
    let mut out = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Amicus//bench//EN\r\n");
    let start = chrono::Utc::now().date_naive() - chrono::Duration::days(180);
    for i in 0..count {
        let day = start + chrono::Duration::days((i * 7 % 720) as i64);
        let hour = 8 + i % 9;
        let zone = ZONES[i % ZONES.len()];
        let kind = KINDS[i % KINDS.len()];
        out.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:bench-{i}@agenda.example\r\nSUMMARY:{kind} {i}: The Prosecutor v. Case {n} (ICC-{a:02}/{b:02}-01/{c:02})\r\n\
             DTSTART;TZID={zone}:{d}T{hour:02}0000\r\nDTEND;TZID={zone}:{d}T{end:02}0000\r\nCATEGORIES:{kind}\r\n\
             LOCATION:Courtroom {r}\\, The Hague\r\nDESCRIPTION:Hearing {i} of a long trial.\\nWitnesses.\r\n{rrule}END:VEVENT\r\n",
            n = i % 97,
            a = i % 30,
            b = i % 17,
            c = i % 23,
            d = day.format("%Y%m%d"),
            end = hour + 2,
            r = i % 4 + 1,
            rrule = if i % 3 == 0 { "RRULE:FREQ=WEEKLY;COUNT=6\r\n" } else { "" },
        ));
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn percentiles(label: &str, mut times: Vec<Duration>) {
    times.sort();
    let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{label}: {} requests, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        times.len(),
        p(0.5),
        p(0.95),
        p(0.99),
        p(1.0)
    );
}

/// Opens `/agenda/live` on a raw connection and reads past the response head.
async fn open_live(port: u16) -> Res<tokio::net::TcpStream> {
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    s.write_all(
        format!("GET /agenda/live HTTP/1.1\r\nHost: localhost:{port}\r\nAccept: text/event-stream\r\n\r\n").as_bytes(),
    )
    .await?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf).await?;
        if n == 0 {
            return Err("the live stream closed".into());
        }
        head.extend_from_slice(&buf[..n]);
    }
    Ok(s)
}

/// Reads the stream until a `change` message arrives.
async fn next_change(s: &mut tokio::net::TcpStream) -> Res<()> {
    let mut seen = String::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf)).await??;
        if n == 0 {
            return Err("the live stream closed".into());
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        if seen.contains("event: change") {
            return Ok(());
        }
    }
}

async fn run(events: usize, library: &str) -> Res<()> {
    // both instances reach each other as localhost (the development network)
    let mut alpha = Instance::new(&["localhost".to_string()])?;
    alpha.cli(
        &["user", "create", "ines", "--role", "admin", "--password-stdin"],
        "a long passphrase for the bench\n",
        &[],
    )?;
    alpha.cli(&["org", "create", "bench", "--name", "Bench", "--owner", "ines"], "", &[])?;
    let started = Instant::now();
    alpha.cli(&["import", library, "--org", "library", "--create-org", "Library"], "", &[])?;
    println!("library: {library} imported in {:.1} s", started.elapsed().as_secs_f64());
    let ics = alpha.dir.path().join("bench.ics");
    std::fs::write(&ics, calendar(events))?;
    let started = Instant::now();
    let out = alpha.cli(&["import-ics", ics.to_str().unwrap_or_default(), "--org", "bench"], "", &[])?;
    println!("import-ics of {events} events: {:.1} s ({})", started.elapsed().as_secs_f64(), out.trim());
    let token = alpha.cli(&["token", "create", "ines"], "", &[])?.lines().last().unwrap_or_default().to_string();
    alpha.start().await?;
    let client = reqwest::Client::new();
    let get = |path: String| {
        let client = client.clone();
        let url = alpha.url(&path);
        async move {
            let t = Instant::now();
            let res = client.get(&url).send().await?;
            let ok = res.status().is_success();
            let _ = res.bytes().await?;
            if !ok {
                return Err(format!("{url}: not 2xx").into());
            }
            Res::Ok(t.elapsed())
        }
    };
    // warm up, then each measure: 20 rounds over several months, days and filters
    let months: Vec<String> = (0..6)
        .map(|m| (chrono::Utc::now().date_naive() + chrono::Duration::days(30 * m)).format("%Y-%m-01").to_string())
        .collect();
    for m in &months {
        get(format!("/agenda?view=month&from={m}")).await?;
    }
    let measures: Vec<(&str, Vec<String>)> = vec![
        ("month view /agenda?view=month", months.iter().map(|m| format!("/agenda?view=month&from={m}")).collect()),
        (
            "month view, filtered (kind)",
            months.iter().map(|m| format!("/agenda?view=month&from={m}&kind=hearing-trial")).collect(),
        ),
        ("day view /agenda?view=day", months.iter().map(|m| format!("/agenda?view=day&from={}-15", &m[..7])).collect()),
        ("list /agenda (with facets)", vec!["/agenda".into(), "/agenda?cursor=50".into(), "/agenda?past=1".into()]),
        (
            "filtered ICS /agenda.ics",
            vec![
                "/agenda.ics?kind=hearing-trial".into(),
                "/agenda.ics?q=ICC-01".into(),
                "/agenda.ics?kind=deadline&lang=fr".into(),
                "/agenda.ics?org=bench&kind=webinar".into(),
            ],
        ),
    ];
    for (label, paths) in measures {
        let mut times = Vec::new();
        for _ in 0..20 {
            for p in &paths {
                times.push(get(p.clone()).await?);
            }
        }
        percentiles(label, times);
    }
    // the same calendars as if each were asked for the first time (nothing kept)
    let mut times = Vec::new();
    for n in 0..20 {
        for p in ["/agenda.ics?kind=hearing-trial", "/agenda.ics?q=ICC-01", "/agenda.ics?kind=deadline&lang=fr"] {
            times.push(get(format!("{p}&first={n}")).await?);
        }
    }
    percentiles("filtered ICS, each asked for the first time", times);
    let (rss, peak) = alpha.memory();
    println!("server memory after the pages: {rss:.0} MB (peak {peak:.0} MB)");

    // one event changed over and over: how long until an open agenda hears of it
    let list: Value = client.get(alpha.url("/api/v1/events?kind=hearing-trial")).send().await?.json().await?;
    let id = list["items"][0]["id"].as_str().ok_or("no event")?.to_string();
    let patch = |n: usize| {
        let client = client.clone();
        let url = alpha.url(&format!("/api/v1/events/{id}"));
        let token = token.clone();
        async move {
            let body = json!({"translations": {"en": {"title": format!("Trial hearing, version {n}")}}});
            let res = client.patch(url).bearer_auth(token).json(&body).send().await?;
            if !res.status().is_success() {
                return Err(format!("PATCH: {}", res.status()).into());
            }
            Res::Ok(())
        }
    };
    let mut live = open_live(alpha.port).await?;
    let mut times = Vec::new();
    for n in 0..20 {
        let t = Instant::now();
        patch(n).await?;
        next_change(&mut live).await?;
        times.push(t.elapsed());
    }
    percentiles("a change reaching an open agenda, same instance (PATCH sent to message read)", times);

    // 1,000 agenda pages open at once
    let mut open = Vec::new();
    for _ in 0..1000 {
        open.push(open_live(alpha.port).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss, _) = alpha.memory();
    println!("server memory with {} agenda pages open: {rss:.0} MB", open.len());
    let t = Instant::now();
    patch(1000).await?;
    let mut heard = 0;
    for s in open.iter_mut() {
        if next_change(s).await.is_ok() {
            heard += 1;
        }
    }
    println!("one change reached {heard} of 1,000 open pages in {:.0} ms", t.elapsed().as_secs_f64() * 1000.0);
    let (rss, peak) = alpha.memory();
    println!("server memory after telling them: {rss:.0} MB (peak {peak:.0} MB)");
    drop(open);

    // a partner instance (SQLite) following the organisation: the same change, there
    let mut beta = Instance::new(&["localhost".to_string()])?;
    let removed = ["DATABASE_URL"];
    beta.cli(
        &["user", "create", "bruno", "--role", "admin", "--password-stdin"],
        "a long passphrase for the bench\n",
        &removed,
    )?;
    beta.cli(&["org", "create", "trial", "--name", "Trial", "--owner", "bruno"], "", &removed)?;
    let beta_token =
        beta.cli(&["token", "create", "bruno"], "", &removed)?.lines().last().unwrap_or_default().to_string();
    beta.start_without(&removed).await?;
    let target = format!("bench@localhost:{}", alpha.port);
    let res = client
        .post(beta.url("/api/v1/orgs/trial/following"))
        .bearer_auth(&beta_token)
        .json(&json!({ "target": target }))
        .send()
        .await?;
    if !res.status().is_success() {
        return Err(format!("follow: {} {}", res.status(), res.text().await?).into());
    }
    // the follow is accepted by alpha's delivery worker
    for _ in 0..100 {
        let following: Value = client
            .get(beta.url("/orgs/trial/following"))
            .header("accept", "application/activity+json")
            .send()
            .await?
            .json()
            .await?;
        if following["totalItems"].as_i64() == Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut live = open_live(beta.port).await?;
    let mut times = Vec::new();
    for n in 0..10 {
        let t = Instant::now();
        patch(2000 + n).await?;
        next_change(&mut live).await?;
        times.push(t.elapsed());
    }
    percentiles("a change reaching an open agenda on a partner instance (loopback)", times);
    Ok(())
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    match (args.first().map(String::as_str), args.get(1), args.get(2)) {
        (Some("run"), Some(n), Some(library)) => rt.block_on(run(n.parse().unwrap_or(5000), library)),
        _ => {
            eprintln!("usage: agenda run <events> <library.jsonl>");
            Ok(())
        }
    }
}
