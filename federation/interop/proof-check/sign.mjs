// Prints an activity signed by Fedify itself (FEP-8b32, eddsa-jcs-2022), with the signer's
// Multikey: captured once as fedify-proof.json beside this file, which the Rust tests verify
// with Amicus's own code (federation::integrity). Run: node sign.mjs > fedify-proof.json
import { generateCryptoKeyPair, signObject, exportMultibaseKey } from "@fedify/fedify";
import { Accept } from "@fedify/vocab";

const { privateKey, publicKey } = await generateCryptoKeyPair("Ed25519");
const actor = new URL("https://fedify.example/users/ngo");
const keyId = new URL("https://fedify.example/users/ngo#ed25519-key");
const accept = new Accept({
  id: new URL("https://fedify.example/activities/accept/1"),
  actor,
  object: new URL("https://amicus.example/activities/invite/1"),
});
const signed = await signObject(accept, privateKey, keyId);
const document = await signed.toJsonLd({ format: "compact" });
const key = {
  id: keyId.href,
  type: "Multikey",
  controller: actor.href,
  publicKeyMultibase: await exportMultibaseKey(publicKey),
};
console.log(JSON.stringify({ document, key }, null, 2));
