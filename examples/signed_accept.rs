//! Prints a co-signature as Amicus makes it (`federation/interop/proof-check/check.mjs`
//! verifies it with Fedify's own code, as `.ci/run` does): an `Accept` of an invitation to
//! sign a statement, with its FEP-8b32 proof, and the signer's Multikey, as JSON.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use amicus::federation::integrity;

fn main() {
    let (public, private) = integrity::generate().expect("key");
    let actor = "https://amicus.example/orgs/redress";
    let accept = amicus::federation::cosign::acceptance(
        "https://amicus.example/activities/accept/1",
        actor,
        "https://lead.example/activities/invite/1",
        "https://lead.example/s/abc",
        2,
        "zQmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk",
    );
    let signed = integrity::sign(accept, &integrity::key_id(actor), &private).expect("signed");
    println!("{}", serde_json::json!({ "document": signed, "key": integrity::multikey(actor, &public) }));
}
