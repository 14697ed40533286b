//! Library benchmarks (run by `benches/run.sh`, figures in `docs/PERFORMANCE.md`).
//!
//! `cargo bench --bench library -- generate <count> <file.jsonl>` writes `count` resources in
//! four languages, built from the starter library with varied titles, vocabulary terms and
//! case numbers.
//!
//! `cargo bench --bench library -- search <base-url> <rounds>` times library searches over
//! HTTP, one request at a time, and prints p50/p95/p99 for the HTML library page (with facets)
//! and for the JSON API.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const STARTER: &str = include_str!("../assets/starter-library.jsonl");
const VOCAB: &str = include_str!("../assets/vocabularies.json");

/// A small deterministic generator (xorshift), so runs are comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

fn terms(vocab: &Value, scheme: &str) -> Vec<String> {
    vocab["schemes"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["id"] == scheme))
        .and_then(|s| s["terms"].as_array())
        .map(|t| t.iter().filter_map(|t| t["id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn generate(count: usize, path: &str) -> std::io::Result<()> {
    let starter: Vec<Value> = STARTER.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let vocab: Value = serde_json::from_str(VOCAB).unwrap_or_default();
    let (types, themes, mechanisms, countries) =
        (terms(&vocab, "resource-type"), terms(&vocab, "theme"), terms(&vocab, "mechanism"), terms(&vocab, "country"));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    for i in 0..count {
        let base = rng.pick(&starter).clone();
        let other = rng.pick(&starter).clone();
        let case = format!("ICC-{:02}/{:02}-{:02}/{:02}", rng.next() % 30, rng.next() % 30, rng.next() % 10, i % 100);
        let mut translations = serde_json::Map::new();
        for lang in ["en", "fr", "es", "ar"] {
            let t = &base["translations"][lang];
            let o = &other["translations"][lang];
            let title = format!("{} ({})", t["title"].as_str().unwrap_or_default(), i);
            let body = format!(
                "{}\n\n{}\n\n{case}",
                t["body"].as_str().unwrap_or_default(),
                o["summary"].as_str().unwrap_or_default()
            );
            translations.insert(lang.into(), json!({"title": title, "summary": t["summary"], "body": body}));
        }
        let original = *rng.pick(&["en", "fr", "es", "ar"]);
        let line = json!({
            "external_id": format!("bench-{i}"),
            "org": "bench",
            "type": rng.pick(&types),
            "original_language": original,
            "translations": translations,
            "themes": [rng.pick(&themes), rng.pick(&themes)],
            "mechanisms": [rng.pick(&mechanisms)],
            "countries": [rng.pick(&countries)],
            "published": format!("{}-{:02}-{:02}", 1990 + rng.next() % 36, 1 + rng.next() % 12, 1 + rng.next() % 28),
            "status": "published",
        });
        writeln!(out, "{line}")?;
    }
    out.flush()
}

const QUERIES: &[&str] = &[
    "torture",
    "enforced disappearance",
    "disparition forcée",
    "desaparición forzada",
    "التعذيب",
    "الاختفاء القسري",
    "reparations victims",
    "ICC-01/04-01/06",
    "crimes against humanity",
    "جرائم الحرب",
    "Rome Statute",
    "tribunal pénal",
    "genocide&type=case-law-summary",
    "children&country=cd",
    "&theme=war-crimes",
    "&language=ar&year=2010",
];

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

async fn search(base: &str, rounds: usize) -> Result<(), reqwest::Error> {
    let client = reqwest::Client::new();
    for (label, path) in
        [("HTML /library (with facets)", "/library?q="), ("JSON /api/v1/resources", "/api/v1/resources?q=")]
    {
        let mut times = Vec::new();
        for _ in 0..rounds {
            for q in QUERIES {
                let (text, rest) = q.split_once('&').map(|(a, b)| (a, format!("&{b}"))).unwrap_or((q, String::new()));
                let url = format!(
                    "{base}{path}{}{rest}",
                    url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>()
                );
                let start = Instant::now();
                let res = client.get(&url).send().await?;
                let status = res.status();
                let _ = res.bytes().await?;
                times.push(start.elapsed());
                assert!(status.is_success(), "{url}: {status}");
            }
        }
        times.sort();
        println!(
            "{label}: {} requests, p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            times.len(),
            percentile(&times, 0.5),
            percentile(&times, 0.95),
            percentile(&times, 0.99),
            percentile(&times, 1.0)
        );
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    match args.first().map(String::as_str) {
        Some("generate") if args.len() == 3 => {
            let count = args[1].parse().unwrap_or(10_000);
            if let Err(e) = generate(count, &args[2]) {
                eprintln!("cannot write {}: {e}", args[2]);
                std::process::exit(1);
            }
        }
        Some("search") if args.len() == 3 => {
            let rounds = args[2].parse().unwrap_or(20);
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
            match rt.map(|rt| rt.block_on(search(&args[1], rounds))) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    eprintln!("search failed: {e}");
                    std::process::exit(1);
                }
                Err(e) => {
                    eprintln!("runtime: {e}");
                    std::process::exit(1);
                }
            }
        }
        _ => {
            eprintln!("usage: library generate <count> <file.jsonl> | library search <base-url> <rounds>");
            std::process::exit(2);
        }
    }
}
