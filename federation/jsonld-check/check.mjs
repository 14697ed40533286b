// Expands every example in federation/examples (what Amicus emits, checked against the code by
// the Rust tests) with jsonld.js, offline, and fails when a term is not defined: the
// ActivityStreams context maps undefined terms to blank nodes ("@vocab": "_:"), which other
// servers' processors then drop, and safe mode rejects anything else that would be lost.
// Run from .ci/run: `npm ci && node check.mjs`.
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import jsonld from "jsonld";

const here = dirname(fileURLToPath(import.meta.url));
const contexts = {
  "https://www.w3.org/ns/activitystreams": "activitystreams.json",
  "https://w3id.org/security/v1": "security-v1.json",
  // as Fedify ships it (@fedify/vocab-runtime's preloaded contexts)
  "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.json",
};

// only the contexts shipped beside this file: nothing is fetched, and an unknown one fails
async function documentLoader(url) {
  const file = contexts[url];
  if (!file) throw new Error(`context not available offline: ${url}`);
  return { contextUrl: null, documentUrl: url, document: JSON.parse(readFileSync(join(here, "contexts", file), "utf8")) };
}

/** Every property or type in the expanded document that became a blank node. */
function blankTerms(node, path, found) {
  if (Array.isArray(node)) {
    node.forEach((n, i) => blankTerms(n, `${path}[${i}]`, found));
  } else if (node && typeof node === "object") {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("_:")) found.push(`${path}: property ${key.slice(2)}`);
      if (key === "@type") {
        for (const t of [].concat(value)) if (String(t).startsWith("_:")) found.push(`${path}: type ${t.slice(2)}`);
      }
      blankTerms(value, `${path}.${key}`, found);
    }
  }
  return found;
}

async function problems(doc) {
  try {
    const expanded = await jsonld.expand(doc, { documentLoader, safe: true });
    return blankTerms(expanded, "$", []);
  } catch (e) {
    return [`${e.message}${e.details ? " " + JSON.stringify(e.details).slice(0, 300) : ""}`];
  }
}

let failed = 0;
// the check itself must be able to fail: an undefined term is caught
const probe = await problems({ "@context": "https://www.w3.org/ns/activitystreams", type: "Note", notATerm: 1 });
if (probe.length === 0) {
  console.error("the checker did not notice an undefined term");
  failed++;
}
const examples = join(here, "..", "examples");
const files = readdirSync(examples).filter((f) => f.endsWith(".json")).sort();
for (const file of files) {
  const found = await problems(JSON.parse(readFileSync(join(examples, file), "utf8")));
  if (found.length) {
    failed++;
    console.error(`${file}:\n  ${found.join("\n  ")}`);
  }
}
console.log(`${files.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
