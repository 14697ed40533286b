//! Object integrity proofs (FEP-8b32) with the `eddsa-jcs-2022` cryptosuite (W3C Data
//! Integrity EdDSA Cryptosuites v1.0, §3.3), and the Ed25519 keys they are made with,
//! published as FEP-521a `Multikey`s in an actor's `assertionMethod`.
//!
//! A proof over a document: `proofValue` is the base58btc (`z…`) Ed25519 signature of
//! `SHA-256(JCS(proof options)) || SHA-256(JCS(document without proof))`, where the proof
//! options are the proof without `proofValue` and with the document's `@context`.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair, UnparsedPublicKey, ED25519};
use base64::Engine;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::model::statement::jcs;

/// The multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// A new Ed25519 key: (public key as multibase, private key as base64 PKCS#8).
pub fn generate() -> Result<(String, String), String> {
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|e| e.to_string())?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|e| e.to_string())?;
    Ok((public_multibase(pair.public_key().as_ref()), base64::engine::general_purpose::STANDARD.encode(pkcs8.as_ref())))
}

/// `publicKeyMultibase` of a raw 32-byte Ed25519 public key.
pub fn public_multibase(raw: &[u8]) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(raw);
    format!("z{}", bs58::encode(bytes).into_string())
}

/// The raw Ed25519 public key a `publicKeyMultibase` holds.
pub fn decode_public(multibase: &str) -> Option<Vec<u8>> {
    let bytes = bs58::decode(multibase.strip_prefix('z')?).into_vec().ok()?;
    match bytes.as_slice() {
        [0xed, 0x01, key @ ..] if key.len() == 32 => Some(key.to_vec()),
        _ => None,
    }
}

/// The `Multikey` of an actor's `assertionMethod`.
pub fn multikey(actor: &str, public: &str) -> Value {
    json!({
        "id": key_id(actor),
        "type": "Multikey",
        "controller": actor,
        "publicKeyMultibase": public,
    })
}

/// The id of an actor's Ed25519 key: `<actor>#ed25519-key`.
pub fn key_id(actor: &str) -> String {
    format!("{actor}#ed25519-key")
}

fn hash_data(options: &Value, document: &Value) -> Vec<u8> {
    let mut out = Sha256::digest(jcs(options).as_bytes()).to_vec();
    out.extend(Sha256::digest(jcs(document).as_bytes()));
    out
}

/// `document` with a proof by `verification_method`, signed with `private` (base64 PKCS#8).
pub fn sign(mut document: Value, verification_method: &str, private: &str) -> Result<Value, String> {
    let pkcs8 = base64::engine::general_purpose::STANDARD.decode(private).map_err(|e| e.to_string())?;
    let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|e| e.to_string())?;
    let obj = document.as_object_mut().ok_or("not an object")?;
    obj.shift_remove("proof");
    let mut options = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "created": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
    });
    if let Some(ctx) = obj.get("@context") {
        options["@context"] = ctx.clone();
    }
    let signature = pair.sign(&hash_data(&options, &document));
    let mut proof = options;
    if let Some(p) = proof.as_object_mut() {
        p.shift_remove("@context");
        p.insert("proofValue".into(), Value::from(format!("z{}", bs58::encode(signature.as_ref()).into_string())));
    }
    if let Some(obj) = document.as_object_mut() {
        obj.insert("proof".into(), proof);
    }
    Ok(document)
}

/// Why a proof does not hold.
#[derive(Debug, PartialEq, Eq)]
pub enum ProofError {
    Missing,
    Unsupported,
    /// Its verification method is not the key given (another actor's, another domain's).
    WrongKey,
    BadSignature,
}

/// Checks the proof of `document` against the Ed25519 key `public` (multibase) whose id is
/// `key_id`. Only `eddsa-jcs-2022` proofs for `assertionMethod` are taken.
pub fn verify(document: &Value, key_id: &str, public: &str) -> Result<(), ProofError> {
    let proof = document.get("proof").and_then(Value::as_object).ok_or(ProofError::Missing)?;
    let field = |k: &str| proof.get(k).and_then(Value::as_str);
    if field("type") != Some("DataIntegrityProof")
        || field("cryptosuite") != Some("eddsa-jcs-2022")
        || field("proofPurpose") != Some("assertionMethod")
    {
        return Err(ProofError::Unsupported);
    }
    if field("verificationMethod") != Some(key_id) {
        return Err(ProofError::WrongKey);
    }
    let signature = field("proofValue")
        .and_then(|v| v.strip_prefix('z'))
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .ok_or(ProofError::BadSignature)?;
    let key = decode_public(public).ok_or(ProofError::WrongKey)?;
    let mut options = Value::Object(proof.clone());
    let mut unsecured = document.clone();
    if let (Some(o), Some(d)) = (options.as_object_mut(), unsecured.as_object_mut()) {
        o.shift_remove("proofValue");
        d.shift_remove("proof");
        if let Some(ctx) = d.get("@context") {
            o.insert("@context".into(), ctx.clone());
        }
    }
    UnparsedPublicKey::new(&ED25519, key)
        .verify(&hash_data(&options, &unsecured), &signature)
        .map_err(|_| ProofError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signed_document_verifies_and_any_change_breaks_it() {
        let (public, private) = generate().unwrap();
        let actor = "https://a.example/orgs/redress";
        let doc = json!({"@context": ["https://www.w3.org/ns/activitystreams"], "type": "Accept", "actor": actor,
                         "amicus:digest": "zQmX", "amicus:version": 2});
        let signed = sign(doc, &key_id(actor), &private).unwrap();
        assert_eq!(verify(&signed, &key_id(actor), &public), Ok(()));
        let mut changed = signed.clone();
        changed["amicus:version"] = json!(3);
        assert_eq!(verify(&changed, &key_id(actor), &public), Err(ProofError::BadSignature));
        let (other, _) = generate().unwrap();
        assert_eq!(verify(&signed, &key_id(actor), &other), Err(ProofError::BadSignature));
        assert_eq!(verify(&signed, &key_id("https://b.example/orgs/x"), &public), Err(ProofError::WrongKey));
        let mut unsigned = signed;
        unsigned.as_object_mut().unwrap().remove("proof");
        assert_eq!(verify(&unsigned, &key_id(actor), &public), Err(ProofError::Missing));
    }

    /// An activity signed by Fedify 2.3.6 itself (`federation/interop/proof-check/sign.mjs`):
    /// its proof holds here, and not once the activity is changed.
    #[test]
    fn a_proof_made_by_fedify_verifies() {
        let text = include_str!("../../federation/interop/proof-check/fedify-proof.json");
        let v: Value = serde_json::from_str(text).unwrap();
        let key = v["key"]["publicKeyMultibase"].as_str().unwrap();
        let id = v["key"]["id"].as_str().unwrap();
        assert_eq!(verify(&v["document"], id, key), Ok(()));
        let mut changed = v["document"].clone();
        changed["object"] = json!("https://amicus.example/activities/invite/2");
        assert_eq!(verify(&changed, id, key), Err(ProofError::BadSignature));
    }

    /// The test vector of W3C Data Integrity EdDSA Cryptosuites v1.0, appendix B.2
    /// (eddsa-jcs-2022): its key, its document and its proof options give its proofValue.
    #[test]
    fn the_w3c_test_vector_verifies() {
        let public = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let document = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
            "proof": {
                "type": "DataIntegrityProof",
                "cryptosuite": "eddsa-jcs-2022",
                "created": "2023-02-24T23:36:38Z",
                "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
                "proofPurpose": "assertionMethod",
                "proofValue": "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
            }
        });
        let key =
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        assert_eq!(verify(&document, key, public), Ok(()));
    }
}
