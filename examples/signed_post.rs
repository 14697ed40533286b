//! Prints a delivery as Amicus signs it (`federation/interop/httpsig_check.py` verifies it with
//! Python's httpsig, as `.ci/run` does): the URL, the headers and the public key, as JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let keys = rt.block_on(amicus::federation::keys::generate()).expect("key pair");
    let actor = "https://amicus.example/orgs/redress";
    let signer =
        amicus::federation::signing::Signer::from_pem(&keys.private_key, format!("{actor}#main-key")).expect("signer");
    let url = url::Url::parse("https://social.example/users/someone/inbox").expect("url");
    let body = br#"{"type":"Create","actor":"https://amicus.example/orgs/redress"}"#;
    let headers = signer.sign_post(&url, body, std::time::SystemTime::now()).expect("signed");
    let headers: serde_json::Map<String, serde_json::Value> =
        headers.into_iter().map(|(k, v)| (k.to_string(), serde_json::Value::from(v))).collect();
    let out = serde_json::json!({
        "method": "POST", "path": url.path(), "host": url.host_str(),
        "headers": headers, "public_key": keys.public_key,
    });
    println!("{out}");
}
