// Every page people use to manage accounts, checked with axe-core in a real Chromium, in
// English and in Arabic (right to left), on a 390 px wide phone screen, with screenshots; on
// the way, the administrator turns on two-step login and signs in with it.
// Run by .ci/browser against a running instance:
//   node axe.mjs <base URL> <admin username> <password> <screenshot dir>
import { chromium } from "playwright-core";
import fs from "node:fs";
import crypto from "node:crypto";

const [base, username, password, shots] = process.argv.slice(2);
const axe = fs.readFileSync(new URL("node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
fs.mkdirSync(shots, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
// the pages' CSP allows no inline script, rightly: axe is injected past it
const newPage = async () =>
  (await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } })).newPage();
let violations = 0;

async function check(page, label) {
  await page.evaluate(axe);
  const result = await page.evaluate(() =>
    globalThis.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] }));
  for (const v of result.violations) {
    violations++;
    console.log(`${label}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(" | ")}`);
  }
  await page.screenshot({ path: `${shots}/${label.replace(/[^a-z0-9]+/gi, "_")}.png`, fullPage: true });
}

const page = await newPage();
await page.goto(`${base}/login`);
await page.fill("#f-username", username);
await page.fill("#f-password", password);
await Promise.all([page.waitForNavigation(), page.click("form.narrow button[type=submit]")]);
for (const lang of ["en", "ar"]) {
  for (const path of ["/login", "/account", "/account/2fa", "/admin/people", "/orgs/redress/members", "/logout/everywhere"]) {
    await page.goto(`${base}${path}?lang=${lang}`);
    if (lang === "ar" && (await page.getAttribute("html", "dir")) !== "rtl") {
      violations++;
      console.log(`${lang} ${path}: not right to left`);
    }
    await check(page, `${lang} ${path}`);
  }
}
// an invitation: the link shown once, then the form its recipient sees
await page.goto(`${base}/admin/people?lang=en`);
await Promise.all([page.waitForNavigation(), page.click("button[value=invite]")]);
await check(page, "en invitation link");
const link = new URL(await page.inputValue("#f-link"));
const guest = await newPage();
for (const lang of ["en", "ar"]) {
  await guest.goto(`${base}${link.pathname}?lang=${lang}`);
  await check(guest, `${lang} invitation`);
}
// two-step login: turn it on with the code an authenticator app would show, then sign in with it
function totp(base32) {
  let bits = "";
  for (const c of base32) bits += "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000)));
  const mac = crypto.createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, "0");
}
await page.goto(`${base}/account/2fa?lang=en`);
const enrolled = await page.inputValue("input[name=secret]");
await page.fill("#f-code", totp(enrolled));
await Promise.all([page.waitForNavigation(), page.click("button[value=enable]")]);
await check(page, "en recovery codes");
const recovery = await page.locator("ul.codes code").allTextContents();
for (const lang of ["en", "ar"]) {
  await page.goto(`${base}/account/2fa?lang=${lang}`);
  await check(page, `${lang} two-step on`);
}
for (const lang of ["en", "ar"]) {
  const second = await newPage();
  await second.goto(`${base}/login?lang=${lang}`);
  await second.fill("#f-username", username);
  await second.fill("#f-password", password);
  await Promise.all([second.waitForNavigation(), second.click("form.narrow button[type=submit]")]);
  if (!second.url().includes("/login/code")) {
    violations++;
    console.log(`two-step login did not ask for a code: ${second.url()}`);
    continue;
  }
  await check(second, `${lang} login code`);
  // a code works once: the second sign-in uses a recovery code
  await second.fill("#f-code", lang === "en" ? totp(enrolled) : recovery[0]);
  await Promise.all([second.waitForNavigation(), second.click("form.narrow button[type=submit]")]);
  if (!(await second.locator('a[href="/account"]').count())) {
    violations++;
    console.log(`${lang}: the right code did not sign in (${second.url()})`);
  }
}
await browser.close();
console.log(`axe: ${violations} violation(s)`);
process.exit(violations === 0 ? 0 : 1);
