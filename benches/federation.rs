//! Federation benchmarks (run by `benches/federation.sh`, figures in `docs/PERFORMANCE.md`).
//! Each starts a real `amicus serve` (the release binary named by `AMICUS_BIN`) on loopback,
//! with the development network mapping many host names to a sink this program runs, and
//! reports throughput and the server's peak memory.
//!
//! `cargo bench --bench federation -- fanout <instances>`: one organisation with one
//! follower on each of `<instances>` remote hosts publishes one resource through the API;
//! the sink accepts the signed POSTs and checks every signature and digest. Reports
//! deliveries per second from the publishing request to the last delivery, and what share
//! of the machine's time signing took.
//!
//! `cargo bench --bench federation -- inbox <activities> <actors>`: `<actors>` remote actors
//! (each on its own host, served by the sink), followed by a local organisation, post signed
//! `Create(Article)` activities to the shared inbox, 32 at a time; each must be accepted and
//! stored. Reports activities per second. The actors' keys are fetched on their first
//! activity and cached, as in production.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use amicus::federation::signing::Signer;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use rsa::pkcs8::DecodePublicKey;
use rsa::{Pkcs1v15Sign, RsaPublicKey};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

mod common;

use common::{free_port, Instance, Res};

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let num = |i: usize, default: usize| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    match args.first().map(String::as_str) {
        Some("fanout") => rt.block_on(fanout(num(1, 2000))),
        Some("inbox") => rt.block_on(inbox(num(1, 5000), num(2, 100))),
        _ => {
            eprintln!("usage: federation fanout <instances> | inbox <activities> <actors>");
            Ok(())
        }
    }
}

async fn serve_sink(app: axum::Router) -> Res<u16> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let port = listener.local_addr()?.port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(port)
}

/// Checks a draft-cavage signature and the body digest as a receiver would.
fn verify(headers: &HeaderMap, body: &[u8], key: &RsaPublicKey) -> bool {
    let get = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    if get("digest") != format!("SHA-256={}", BASE64.encode(Sha256::digest(body))) {
        return false;
    }
    let sig = get("signature");
    let field = |name: &str| {
        sig.split(',').find_map(|p| p.strip_prefix(&format!("{name}=\"")).map(|v| v.trim_end_matches('"').to_string()))
    };
    let (Some(names), Some(signature)) = (field("headers"), field("signature")) else { return false };
    let lines: Vec<String> =
        names
            .split(' ')
            .map(|n| {
                if n == "(request-target)" {
                    "(request-target): post /inbox".into()
                } else {
                    format!("{n}: {}", get(n))
                }
            })
            .collect();
    let Ok(raw) = BASE64.decode(signature) else { return false };
    key.verify(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(lines.join("\n").as_bytes()), &raw).is_ok()
}

async fn setup_ctx() -> Res<amicus::Ctx> {
    let config = amicus::config::Config::load().map_err(|e| e.to_string())?;
    Ok(amicus::Ctx::build(config).await.map_err(|e| e.to_string())?)
}

async fn fanout(instances: usize) -> Res<()> {
    // the sink: counts deliveries, checks every signature with the sender's public key
    let received = Arc::new(AtomicUsize::new(0));
    let verified = Arc::new(AtomicUsize::new(0));
    let last = Arc::new(Mutex::new(Instant::now()));
    let key: Arc<Mutex<Option<RsaPublicKey>>> = Arc::new(Mutex::new(None));
    let app = {
        let (received, verified, last, key) = (received.clone(), verified.clone(), last.clone(), key.clone());
        axum::Router::new().route(
            "/inbox",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let (received, verified, last, key) = (received.clone(), verified.clone(), last.clone(), key.clone());
                async move {
                    let ok = key.lock().ok().and_then(|k| k.as_ref().map(|k| verify(&headers, &body, k)));
                    if ok == Some(true) {
                        verified.fetch_add(1, Ordering::SeqCst);
                    }
                    if let Ok(mut l) = last.lock() {
                        *l = Instant::now();
                    }
                    received.fetch_add(1, Ordering::SeqCst);
                    StatusCode::ACCEPTED
                }
            }),
        )
    };
    let sink = serve_sink(app).await?;
    let hosts: Vec<String> = (0..instances).map(|i| format!("s{i}.sink.localhost")).collect();
    let mut instance = Instance::new(&hosts)?;

    let ctx = setup_ctx().await?;
    amicus::accounts::create_user(&ctx, "bench", "correct horse battery staple", amicus::model::user::Role::Editor)
        .await?;
    let org = amicus::accounts::create_org(&ctx, "bench", "Bench", None).await?;
    amicus::accounts::add_member(&ctx, "bench", "bench", amicus::model::user::OrgRole::Admin).await?;
    let token = amicus::accounts::create_token(&ctx, "bench").await?;
    *key.lock().map_err(|_| "lock")? =
        Some(RsaPublicKey::from_public_key_pem(org.public_key.as_deref().unwrap_or_default())?);
    for (i, host) in hosts.iter().enumerate() {
        let actor = amicus::db::federation::RemoteActor {
            id: 0,
            ap_id: format!("http://{host}:{sink}/users/u{i}"),
            kind: "Person".into(),
            preferred_username: Some(format!("u{i}")),
            name: None,
            inbox: format!("http://{host}:{sink}/inbox"),
            shared_inbox: None,
            public_key: String::new(),
            domain: host.clone(),
            fetched_at: chrono::Utc::now(),
            assertion_key_id: None,
            assertion_key: None,
            outbox: None,
            featured: None,
            upcoming_events: None,
            indexable: true,
        };
        ctx.db.add_follower(org.id, &actor, true, &format!("http://{host}/follows/{i}")).await?;
    }
    let private = ctx.db.org_private_key(org.id).await?.unwrap_or_default();
    drop(ctx);

    instance.start().await?;
    let (idle, _) = instance.memory();
    let client = reqwest::Client::new();
    let body = json!({
        "org": "bench", "type": "practical-guide", "original_language": "en", "status": "published",
        "translations": {
            "en": {"title": "Practical guide", "summary": "Step by step.", "body": "Survivors may **apply**."},
            "fr": {"title": "Guide pratique", "summary": "Pas à pas.", "body": "Les survivants peuvent **demander**."},
            "ar": {"title": "دليل عملي", "summary": "خطوة بخطوة.", "body": "يجوز للناجين التقدم بطلب."}
        },
        "themes": ["victims-participation"], "mechanisms": ["icc"], "countries": ["ug"]
    });
    let start = Instant::now();
    let res = client.post(instance.url("/api/v1/resources")).bearer_auth(&token).json(&body).send().await?;
    if res.status() != StatusCode::CREATED {
        return Err(format!("publishing failed: {}", res.status()).into());
    }
    let published = start.elapsed();
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut peak = 0.0f64;
    while received.load(Ordering::SeqCst) < instances && Instant::now() < deadline {
        peak = peak.max(instance.memory().1);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total = last.lock().map(|l| l.duration_since(start)).unwrap_or_default();
    let n = received.load(Ordering::SeqCst);
    let (_, hwm) = instance.memory();

    // what signing alone costs, on one core: aws-lc-rs (what Amicus uses) and the `rsa` crate
    let signer = Signer::from_pem(&private, "http://localhost/orgs/bench#main-key".into())?;
    let url = url::Url::parse("http://s0.sink.localhost/inbox")?;
    let payload = vec![b'x'; 4000];
    let t = Instant::now();
    for _ in 0..instances {
        signer.sign_post(&url, &payload, SystemTime::now())?;
    }
    let aws = t.elapsed();
    let rsa_key = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&private)?;
    let t = Instant::now();
    for _ in 0..200 {
        rsa_key.sign(Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(b"(request-target): post /inbox"))?;
    }
    let rsa_per_sec = 200.0 / t.elapsed().as_secs_f64();
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1) as f64;

    println!("## fan-out: one publication to {instances} instances, {cores} cores");
    println!("publishing request answered in {} ms", published.as_millis());
    println!(
        "delivered {n}/{instances} in {:.2} s from the request: {:.0} deliveries/s",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64()
    );
    println!("signatures and digests checked by the sink: {}/{n} valid", verified.load(Ordering::SeqCst));
    println!(
        "signing {instances} deliveries: {} ms on one core with aws-lc-rs ({:.0}/s); the rsa crate signs {:.0}/s",
        aws.as_millis(),
        instances as f64 / aws.as_secs_f64(),
        rsa_per_sec
    );
    println!("signing share of the machine's time: {:.0}%", 100.0 * aws.as_secs_f64() / (total.as_secs_f64() * cores));
    println!("server memory: {idle:.0} MB idle, {:.0} MB peak", hwm.max(peak));
    if n < instances {
        return Err("not every delivery arrived".into());
    }
    Ok(())
}

/// A remote actor the sink serves.
struct RemoteActor {
    id: String,
    signer: Signer,
    public_pem: String,
}

async fn inbox(activities: usize, actors: usize) -> Res<()> {
    let sink_port = free_port()?;
    let hosts: Vec<String> = (0..actors).map(|i| format!("a{i}.remote.localhost")).collect();
    // keys made in parallel, off the runtime
    let mut made = Vec::new();
    for chunk in hosts.chunks(hosts.len().div_ceil(2).max(1)) {
        let chunk = chunk.to_vec();
        made.push(std::thread::spawn(move || -> Result<Vec<RemoteActor>, String> {
            chunk
                .iter()
                .map(|host| {
                    let pair =
                        activitypub_federation::http_signatures::generate_actor_keypair().map_err(|e| e.to_string())?;
                    let id = format!("http://{host}:{sink_port}/users/a");
                    let signer =
                        Signer::from_pem(&pair.private_key, format!("{id}#main-key")).map_err(|e| e.to_string())?;
                    Ok(RemoteActor { id, signer, public_pem: pair.public_key })
                })
                .collect()
        }));
    }
    let mut remote: Vec<RemoteActor> = Vec::new();
    for m in made {
        remote.extend(m.join().map_err(|_| "key generation panicked")??);
    }
    let documents: Arc<HashMap<String, Value>> = Arc::new(
        remote
            .iter()
            .map(|a| {
                let host = a.id.split('/').nth(2).unwrap_or_default().to_string();
                let doc = json!({
                    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
                    "id": a.id, "type": "Person", "preferredUsername": "a",
                    "inbox": format!("{}/inbox", a.id),
                    "publicKey": {"id": format!("{}#main-key", a.id), "owner": a.id, "publicKeyPem": a.public_pem}
                });
                (host, doc)
            })
            .collect(),
    );
    let fetched = Arc::new(AtomicUsize::new(0));
    let app = {
        let (documents, fetched) = (documents.clone(), fetched.clone());
        axum::Router::new().route(
            "/users/a",
            axum::routing::get(move |headers: HeaderMap| {
                let (documents, fetched) = (documents.clone(), fetched.clone());
                async move {
                    fetched.fetch_add(1, Ordering::SeqCst);
                    let host = headers.get("host").and_then(|h| h.to_str().ok()).unwrap_or_default();
                    match documents
                        .get(&host.to_string())
                        .or_else(|| documents.get(host.split(':').next().unwrap_or_default()))
                    {
                        Some(doc) => ([("content-type", "application/activity+json")], doc.to_string()).into_response(),
                        None => StatusCode::NOT_FOUND.into_response(),
                    }
                }
            }),
        )
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", sink_port)).await?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut instance = Instance::new(&hosts)?;
    let ctx = setup_ctx().await?;
    let org = amicus::accounts::create_org(&ctx, "bench", "Bench", None).await?;
    for (i, a) in remote.iter().enumerate() {
        ctx.db.add_following(org.id, &a.id, &format!("http://localhost/follows/{i}")).await?;
    }
    drop(ctx);
    instance.start().await?;
    let (idle, _) = instance.memory();

    // every request signed before the clock starts, so the figure is the server's
    let inbox = url::Url::parse(&instance.url("/inbox"))?;
    let mut requests = Vec::with_capacity(activities);
    for i in 0..activities {
        let a = &remote[i % remote.len()];
        let object = format!("{}/articles/{i}", a.id);
        let activity = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/create/{i}", a.id), "type": "Create", "actor": a.id,
            "to": ["https://www.w3.org/ns/activitystreams#Public"],
            "object": {
                "id": object, "type": "Article", "attributedTo": a.id, "url": object,
                "name": format!("Hearing report {i}"),
                "nameMap": {"en": format!("Hearing report {i}"), "fr": format!("Compte rendu d'audience {i}")},
                "contentMap": {
                    "en": format!("<p>The chamber heard witnesses on enforced disappearances, day {i}.</p>"),
                    "fr": format!("<p>La chambre a entendu des témoins sur les disparitions forcées, jour {i}.</p>")
                },
                "published": "2026-11-01T10:00:00Z",
                "to": ["https://www.w3.org/ns/activitystreams#Public"]
            }
        });
        let body = activity.to_string().into_bytes();
        let headers = a.signer.sign_post(&inbox, &body, SystemTime::now())?;
        requests.push((headers, body));
    }

    let client = reqwest::Client::builder().pool_max_idle_per_host(64).build()?;
    let queue = Arc::new(Mutex::new(requests));
    let statuses: Arc<Mutex<HashMap<u16, usize>>> = Arc::new(Mutex::new(HashMap::new()));
    let start = Instant::now();
    let mut senders = tokio::task::JoinSet::new();
    for _ in 0..32 {
        let (client, queue, statuses, inbox) = (client.clone(), queue.clone(), statuses.clone(), inbox.clone());
        senders.spawn(async move {
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some((headers, body)) = next else { break };
                let mut req = client.post(inbox.clone()).body(body);
                for (name, value) in headers {
                    req = req.header(name, value);
                }
                let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
                if let Ok(mut s) = statuses.lock() {
                    *s.entry(status).or_default() += 1;
                }
            }
        });
    }
    let mut peak = 0.0f64;
    while !senders.is_empty() {
        tokio::select! {
            _ = senders.join_next() => {}
            _ = tokio::time::sleep(Duration::from_millis(50)) => peak = peak.max(instance.memory().1),
        }
    }
    let elapsed = start.elapsed();
    let (_, hwm) = instance.memory();
    let ctx = setup_ctx().await?;
    let stored = count_remote(&ctx).await?;
    let statuses = statuses.lock().map(|s| s.clone()).unwrap_or_default();

    println!("## inbox: {activities} signed Create(Article) from {actors} actors, 32 at a time");
    println!("answers: {statuses:?}; actor documents fetched: {}", fetched.load(Ordering::SeqCst));
    println!(
        "stored {stored}/{activities} in {:.2} s: {:.0} activities/s",
        elapsed.as_secs_f64(),
        activities as f64 / elapsed.as_secs_f64()
    );
    println!("server memory: {idle:.0} MB idle, {:.0} MB peak", hwm.max(peak));
    if stored < activities as i64 {
        return Err("not every activity was stored".into());
    }
    Ok(())
}

use axum::response::IntoResponse;

async fn count_remote(ctx: &amicus::Ctx) -> Res<i64> {
    let sql = "select count(*) from resources where not local";
    Ok(match &ctx.db {
        amicus::db::Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
        amicus::db::Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await?,
    })
}
