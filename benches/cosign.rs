//! Co-signature benchmarks (figures in `docs/PERFORMANCE.md`):
//! `cargo bench --bench cosign [-- <signatories>]`.
//!
//! - verifying on receipt: a statement's copy arrives listing `<signatories>` (200) signed
//!   acceptances, each by its own organisation's Ed25519 key; every one is checked (its
//!   signer, statement, domain and `eddsa-jcs-2022` proof), as `statements::sync_signatures`
//!   does once the keys are known. Reports the total time, median and worst of 50 rounds.
//! - the digest of a long statement: four languages of 50,000 characters each.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use amicus::federation::{cosign, integrity};
use amicus::model::statement::text_digest;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(200);
    let statement = "https://lead.example/s/abc";
    let digest = "zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk";
    // n organisations on n / 4 instances, each with its key and its signed acceptance
    let signed: Vec<(String, String, String, serde_json::Value)> = (0..n)
        .map(|i| {
            let actor = format!("https://ngo{}.example/orgs/org{i}", i % (n / 4).max(1));
            let (public, private) = integrity::generate().expect("key");
            let id = format!("{}/activities/accept/{i}", actor.split("/orgs").next().unwrap_or_default());
            let doc = cosign::acceptance(&id, &actor, "https://lead.example/activities/invite/1", statement, 1, digest);
            let key_id = integrity::key_id(&actor);
            let doc = integrity::sign(doc, &key_id, &private).expect("signed");
            (actor, key_id, public, doc)
        })
        .collect();
    let mut rounds = Vec::new();
    for _ in 0..50 {
        let start = Instant::now();
        for (actor, key_id, public, doc) in &signed {
            cosign::check(doc, actor, statement, Some((key_id, public))).expect("holds");
        }
        rounds.push(start.elapsed());
    }
    rounds.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "verify {n} co-signatures on receipt: median {:.1} ms, worst {:.1} ms (50 rounds; target < 50 ms)",
        ms(rounds[rounds.len() / 2]),
        ms(rounds[rounds.len() - 1])
    );

    let long = "Les États parties doivent coopérer pleinement avec la Cour. ".repeat(850);
    let titles = ["ar", "en", "es", "fr"].iter().map(|l| (l.to_string(), "Title".to_string())).collect();
    let bodies = ["ar", "en", "es", "fr"].iter().map(|l| (l.to_string(), long.clone())).collect();
    let start = Instant::now();
    for v in 0..20 {
        std::hint::black_box(text_digest(&titles, &bodies, v));
    }
    println!("digest of a statement of 4 x {} characters: {:.2} ms", long.chars().count(), ms(start.elapsed()) / 20.0);
}
