// Every page, checked with axe-core in a real Chromium, in English and in Arabic (right to
// left), on a 390 px wide phone screen, with screenshots; on the way, the administrator turns
// on two-step login and signs in with it, invites an editor who joins, publishes, uploads an
// image and sees its preview, and a reader filters the library on the phone.
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
function fail(message) {
  violations++;
  console.log(message);
}

// passkeys, with Chromium's virtual authenticator, on the instance's own origin (WebAuthn
// binds a key to it): add one, then sign in with it instead of a code
{
  const origin = base.replace("127.0.0.1", "localhost");
  const context = await browser.newContext({ bypassCSP: true, viewport: { width: 390, height: 844 } });
  const keyPage = await context.newPage();
  const cdp = await context.newCDPSession(keyPage);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  await keyPage.goto(`${origin}/login?lang=en`);
  await keyPage.fill("#f-username", username);
  await keyPage.fill("#f-password", password);
  await Promise.all([keyPage.waitForNavigation(), keyPage.click("form.narrow button[type=submit]")]);
  await keyPage.fill("#f-code", recovery[1]);
  await Promise.all([keyPage.waitForNavigation(), keyPage.click("form.narrow button[type=submit]")]);
  await keyPage.goto(`${origin}/account/2fa?lang=en`);
  await keyPage.fill("#f-passkey-name", "virtual key");
  await Promise.all([keyPage.waitForURL(/done=passkey-added/, { timeout: 15000 }), keyPage.click("#passkey-add")]).catch(() => {});
  if (!(await keyPage.getByText("virtual key").count())) fail(`the passkey was not added (${keyPage.url()})`);
  for (const lang of ["en", "ar"]) {
    await keyPage.goto(`${origin}/account/2fa?lang=${lang}`);
    await check(keyPage, `${lang} two-step with a passkey`);
  }
  await Promise.all([keyPage.waitForNavigation(), keyPage.click("header.site form button")]);
  await keyPage.goto(`${origin}/login?lang=en&next=/account`);
  await keyPage.fill("#f-username", username);
  await keyPage.fill("#f-password", password);
  await Promise.all([keyPage.waitForNavigation(), keyPage.click("form.narrow button[type=submit]")]);
  if (!(await keyPage.locator("#passkey-login").isVisible())) fail("the code page does not offer the passkey");
  await check(keyPage, "en login code with a passkey");
  await Promise.all([keyPage.waitForURL(/\/account/, { timeout: 15000 }), keyPage.click("#passkey-login")]).catch(() => {});
  if (!(await keyPage.locator('a[href="/account"]').count()) || keyPage.url().includes("/login")) {
    fail(`the passkey did not sign in (${keyPage.url()})`);
  }
  await context.close();
}

// an organisation admin invites an editor, who joins with the link
await page.goto(`${base}/orgs/redress/members?lang=en`);
await Promise.all([page.waitForNavigation(), page.click("button[value=invite]")]);
const editorLink = new URL(await page.inputValue("#f-link"));
const editor = await newPage();
await editor.goto(`${base}${editorLink.pathname}?lang=en`);
await editor.fill("#f-username", "salma");
await editor.fill("#f-password", "a long passphrase for salma");
await editor.fill("#f-password_again", "a long passphrase for salma");
await Promise.all([editor.waitForNavigation(), editor.click("form button[type=submit]")]);
if (!(await editor.locator('a[href="/r/new"]').count())) fail(`the invited editor is not signed in: ${editor.url()}`);

// she writes and publishes a resource; the page says so
await editor.goto(`${base}/r/new?lang=en`);
await check(editor, "en editor new");
await editor.fill("[name=title]", "Guide for families of the disappeared");
await editor.fill("[name=summary]", "What to do in the first days, and who can help.");
const count = await editor.textContent("#summary-count");
if (!/\d+ characters left/.test(count)) fail(`the summary count does not count: ${count}`);
await editor.fill("[name=body]", "Write down everything you know.\n\nKeep copies of every document.");
await editor.selectOption("#f-type", "practical-guide");
await editor.selectOption("#f-themes", ["enforced-disappearance"]);
await editor.fill("#f-published", "2026-11");
await editor.check("input[name=status][value=published]");
await Promise.all([editor.waitForNavigation(), editor.click(".editor-form button[type=submit]")]);
const flash = await editor.textContent(".flash").catch(() => "");
if (!flash.includes("Published")) fail(`no confirmation after publishing: ${flash} (${editor.url()})`);
const resource = new URL(editor.url()).pathname;
await check(editor, "en resource published");

// she attaches a photo with its description and sees the preview
await editor.goto(`${base}${resource}/edit?lang=en`);
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4ISeHFTEMLQkAkL9BAbKfPiIAAAAASUVORK5CYII=",
  "base64");
await editor.setInputFiles("#f-file", { name: "vigil.png", mimeType: "image/png", buffer: png });
await editor.fill("#f-alt", "Candles and photographs at a vigil");
await Promise.all([editor.waitForNavigation(), editor.click("#files button[type=submit]")]);
const preview = editor.locator('img.preview[alt="Candles and photographs at a vigil"]');
if (!(await preview.count())) fail(`no preview after the upload (${editor.url()})`);
else if (!(await preview.evaluate((img) => img.complete && img.naturalWidth > 0))) fail("the preview does not load");
for (const lang of ["en", "ar"]) {
  await editor.goto(`${base}${resource}/edit?lang=${lang}`);
  await check(editor, `${lang} editor edit`);
  await editor.goto(`${base}${resource}?lang=${lang}`);
  await check(editor, `${lang} resource`);
  // a reply refused (blank) comes back with its reason and a form to send it again
  if (await editor.locator("#reply-content").count()) {
    await editor.fill("#reply-content", "   ");
    await Promise.all([editor.waitForNavigation(), editor.click("button[value=reply]")]);
    if (!(await editor.locator("ul.errors li").count())) fail(`${lang}: a refused reply does not say why`);
    await check(editor, `${lang} reply not sent`);
  } else fail(`${lang}: no reply form on the resource page`);
  await editor.goto(`${base}${resource}/status?action=withdraw&lang=${lang}`);
  await check(editor, `${lang} confirm withdraw`);
  await editor.goto(`${base}${resource}/delete?lang=${lang}`);
  await check(editor, `${lang} confirm delete`);
  await editor.goto(`${base}/r/new?lang=${lang}`);
  await check(editor, `${lang} editor new form`);
}

// a reader on a phone: the filters come before the results, folded; open, choose, apply
const reader = await newPage();
for (const lang of ["en", "ar"]) {
  await reader.goto(`${base}/library?lang=${lang}`);
  const summary = reader.locator("details.filters > summary");
  const results = reader.locator("#results-h");
  const [s, r] = [await summary.boundingBox(), await results.boundingBox()];
  if (!s || !r || s.y > r.y) fail(`${lang}: the filters are not above the results on a phone`);
  await check(reader, `${lang} library`);
  await summary.click();
  await reader.locator("#facet-theme input[type=checkbox]").first().check();
  await Promise.all([reader.waitForNavigation(), reader.click("#facet-theme button[type=submit]")]);
  if (!(await reader.locator("a.chip").count())) fail(`${lang}: no chip for the chosen theme`);
  if (!(await reader.locator(".card").count())) fail(`${lang}: the filter found nothing`);
  await check(reader, `${lang} library filtered`);
  await reader.goto(`${base}/library?lang=${lang}&more=country`);
  await check(reader, `${lang} library all countries`);
}
// every other page a reader or an administrator sees
for (const lang of ["en", "ar"]) {
  for (const path of ["/", "/agenda", process.env.EVENT_PATH ?? "/agenda", "/agenda?tz=America/Bogota", "/agenda?view=month&from=2030-03-01", "/agenda?view=day&from=2030-03-10", "/agenda?past=1", "/library?q=conference", "/agenda/new", `${process.env.EVENT_PATH ?? "/e/none"}/edit`, "/orgs", "/orgs/redress", "/orgs/redress/follow?server=x", "/orgs/redress/edit", "/orgs/redress/federation", "/admin/federation", "/forgot", "/nowhere", process.env.STATEMENT_PATH ?? "/s/none", process.env.CAMPAIGN_PATH ?? "/c/none", "/campaigns", "/orgs/redress/invitations", "/s/new", `${process.env.STATEMENT_PATH ?? "/s/none"}/edit`, "/campaigns/new", `${process.env.CAMPAIGN_PATH ?? "/c/none"}/edit`, `/share?u=${process.env.STATEMENT_PATH ?? "/s/none"}`, "/join", "/contact", "/admin/applications", "/admin/messages", "/library?q=conference&scope=network", "/orgs?theme=torture"]) {
    await page.goto(`${base}${path}${path.includes("?") ? "&" : "?"}lang=${lang}`);
    await check(page, `${lang} ${path}`);
  }
}
// the dark scheme, where contrast is easiest to get wrong
const dark = await (await browser.newContext({ bypassCSP: true, colorScheme: "dark", viewport: { width: 390, height: 844 } })).newPage();
for (const path of ["/library", resource, "/login"]) {
  await dark.goto(`${base}${path}?lang=ar`);
  await check(dark, `dark ar ${path}`);
}
// and a wide screen, where the filters are a column beside the results
const wide = await (await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 } })).newPage();
await wide.goto(`${base}/library?lang=en`);
if (!(await wide.locator("#facet-type").isVisible())) fail("wide screen: the filters are folded away");
await check(wide, "en library wide");

// the agenda, open in a browser in Kabul: the zone comes from the browser, and a postponement
// made elsewhere arrives on the open page without a reload
const kabul = await (await browser.newContext({ timezoneId: "Asia/Kabul", viewport: { width: 390, height: 844 } })).newPage();
await kabul.goto(`${base}/agenda?lang=en`);
await kabul.waitForFunction(() => document.querySelector("#tz")?.value === "Asia/Kabul", null, { timeout: 10000 })
  .catch(() => fail("the reader's zone was not taken from the browser"));
if (!(await kabul.content()).includes("(Asia/Kabul)")) fail("times are not shown in the browser's zone");
await kabul.waitForTimeout(500);
await kabul.evaluate(() => { window.stillTheSamePage = true; });
const patch = await fetch(`${base}/api/v1/events/${process.env.LIVE_EVENT}`, {
  method: "PATCH",
  headers: { authorization: `Bearer ${process.env.AMICUS_TOKEN}`, "content-type": "application/json" },
  body: JSON.stringify({ status: "postponed", start: "2030-06-02T10:00", end: "2030-06-02T12:00" }),
});
if (patch.status !== 200) fail(`postponing answered ${patch.status}`);
const started = Date.now();
await kabul.waitForFunction(() => document.querySelector("#agenda-results")?.textContent.includes("2030-06-02"), null, { timeout: 10000 })
  .then(() => console.log(`live: the postponement reached the open agenda in ${Date.now() - started} ms`))
  .catch(() => fail("the postponement did not reach the open agenda"));
if (!(await kabul.evaluate(() => window.stillTheSamePage === true))) fail("the agenda was reloaded rather than updated");
const said = await kabul.textContent("#live-note");
if (!said?.includes("postponed")) fail(`the live region said “${said}”`);
if (!(await kabul.locator(".banner.status-postponed").count())) fail("no banner on the postponed event");
await check(kabul, "en agenda after a live postponement");

await browser.close();
console.log(`axe: ${violations} violation(s)`);
process.exit(violations === 0 ? 0 : 1);
