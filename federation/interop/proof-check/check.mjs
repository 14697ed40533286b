// Reads {"document": <an activity with a proof>, "key": <its Multikey>} on stdin (as
// `cargo run --example signed_accept` prints it) and verifies the proof with Fedify's own
// verifyProof (FEP-8b32, eddsa-jcs-2022), offline: the key is served by a document loader.
// Exits 0 when Fedify verifies it, 1 when it does not, and checks that a changed document fails.
import { verifyProof } from "@fedify/fedify";
import { DataIntegrityProof } from "@fedify/vocab";

const input = JSON.parse(await new Response(process.stdin).text());
const key = { "@context": "https://w3id.org/security/multikey/v1", ...input.key };
const documentLoader = async (url) => {
  if (url.split("#")[0] === key.id.split("#")[0] || url === key.id) {
    return { contextUrl: null, documentUrl: url, document: key };
  }
  throw new Error(`no document for ${url} offline`);
};
const proofJson = { "@context": "https://w3id.org/security/data-integrity/v2", ...input.document.proof };
const proof = await DataIntegrityProof.fromJsonLd(proofJson, { documentLoader, contextLoader: undefined });
const good = await verifyProof(input.document, proof, { documentLoader });
const changed = structuredClone(input.document);
changed["amicus:version"] = (changed["amicus:version"] ?? 0) + 1;
const bad = await verifyProof(changed, proof, { documentLoader });
if (good == null) {
  console.error("Fedify did not verify the proof");
  process.exit(1);
}
if (bad != null) {
  console.error("Fedify verified a changed document: the check proves nothing");
  process.exit(1);
}
console.log(`Fedify verified the proof by ${good.id?.href}; a changed document fails`);
