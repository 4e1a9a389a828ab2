// Browser tests of rep's web view, run by tests/web/run (which builds the fixture, starts the
// servers and exports the static site, then passes their addresses in REP_WEB_* variables).
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run tests/web/run`);
  return value;
};
const require = createRequire(join(env("REP_WEB_MODULES"), "/"));
const { chromium } = require("playwright-core");

const base = env("REP_WEB_BASE");
const guarded = env("REP_WEB_GUARDED");
const once = env("REP_WEB_ONCE");
const site = env("REP_WEB_SITE");
const question = env("REP_WEB_QUESTION");
const hostile = env("REP_WEB_HOSTILE").split(" ");
const shots = env("REP_WEB_SHOTS");

let browser;
let profile;
before(async () => {
  profile = mkdtempSync(join(tmpdir(), "rep-web-chromium-"));
  browser = await chromium.launch({
    executablePath: env("REP_CHROMIUM"),
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // launch() starts Chromium on a fresh profile in a temporary folder of its own (it refuses
    // --user-data-dir); downloads, if any, go to ours.
    downloadsPath: profile,
  });
});
after(async () => {
  await browser?.close();
  rmSync(profile, { recursive: true, force: true });
});

// The two ways to read the same pages: the server, and the static copy from file://.
const sites = {
  server: {
    home: base,
    page: (name) => base + name,
    search: (q) => `${base}search?q=${encodeURIComponent(q)}`,
    searchPage: base + "search",
    entry: (id) => `${base}entry/${id}`,
    domain: (d) => `${base}domain/${d}`,
  },
  static: {
    home: pathToFileURL(join(site, "index.html")).href,
    page: (name) => pathToFileURL(join(site, `${name}.html`)).href,
    search: (q) => pathToFileURL(join(site, "search.html")).href + `?q=${encodeURIComponent(q)}`,
    searchPage: pathToFileURL(join(site, "search.html")).href,
    entry: (id) => pathToFileURL(join(site, "entry", `${id}.html`)).href,
    domain: (d) => pathToFileURL(join(site, "domain", `${d}.html`)).href,
  },
};

/** A fresh page that records console errors, page errors, dialogs and requests elsewhere. */
async function watchedPage(options = {}) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  const trouble = [];
  page.on("console", (m) => { if (m.type() === "error") trouble.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => trouble.push(`page error: ${e.message}`));
  page.on("dialog", async (d) => { trouble.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("response", (r) => { if (r.status() >= 400) trouble.push(`HTTP ${r.status()}: ${r.url()}`); });
  page.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(base) && !url.startsWith("file://")) trouble.push(`request elsewhere: ${url}`);
  });
  return { context, page, trouble };
}

async function visit(page, url) {
  const response = await page.goto(url, { waitUntil: "load" });
  if (response) assert.equal(response.status(), 200, `${url}: HTTP ${response.status()}`);
  // Scripts, handlers and image errors have had their chance to run.
  await page.waitForTimeout(50);
  assert.equal(await page.evaluate(() => typeof window.__pwned), "undefined", `${url}: script ran`);
}

for (const [name, s] of Object.entries(sites)) {
  test(`${name}: every page loads with no console error and no script of others`, async () => {
    const { context, page, trouble } = await watchedPage();
    const urls = [
      s.home, s.searchPage, s.search("lock"), s.page("domains"), s.domain("postgres"),
      s.domain("k8s/networking"), s.domain("web"), s.entry(question), s.page("members"),
      s.page("map"), s.page("gaps"), ...hostile.map(s.entry),
    ];
    for (const url of urls) await visit(page, url);
    // The map's picture loads (an image: it can run no script).
    await visit(page, s.page("map"));
    const loaded = await page.$eval("figure.map img", (img) => img.complete && img.naturalWidth > 0);
    assert.ok(loaded, "the map picture loads");
    assert.deepEqual(trouble, []);
    await context.close();
  });

  test(`${name}: search as you type finds the lock tool first`, async () => {
    const { context, page, trouble } = await watchedPage();
    await visit(page, s.searchPage);
    await page.fill("#q", "lock");
    await page.waitForFunction(() => document.querySelector("#results li a")?.textContent === "Find what holds a lock");
    assert.equal(await page.textContent("#rep-command"), "rep search lock");
    // Typing a hostile query shows it as text too.
    await page.fill("#q", "<img src=x onerror=window.__pwned=1>");
    await page.waitForTimeout(400);
    assert.equal(await page.evaluate(() => typeof window.__pwned), "undefined");
    assert.deepEqual(trouble, []);
    await context.close();
  });

  test(`${name}: an entry's thread shows its accepted answer first`, async () => {
    const { context, page, trouble } = await watchedPage();
    await visit(page, s.entry(question));
    const replies = await page.$$eval("article.reply", (all) =>
      all.map((r) => ({ accepted: r.classList.contains("accepted"), text: r.textContent })));
    assert.equal(replies.length, 2);
    assert.ok(replies[0].accepted, "the first reply is the accepted one");
    assert.match(replies[0].text, /cert-manager renews them/);
    assert.match(await page.textContent("#rep-command"), /^rep show [0-9a-f]{4,}$/);
    assert.deepEqual(trouble, []);
    await context.close();
  });

  test(`${name}: screenshots at 1280 and 360 px`, async () => {
    for (const width of [1280, 360]) {
      const { context, page } = await watchedPage({ viewport: { width, height: 800 } });
      for (const [shot, url] of [["home", s.home], ["entry", s.entry(question)], ["search", s.search("lock")]]) {
        await visit(page, url);
        await page.screenshot({ path: join(shots, `${name}-${shot}-${width}.png`), fullPage: shot !== "home" });
        // Nothing runs off the side at 360 px: the layout fits a phone.
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${name} ${shot} at ${width}px is ${overflow}px too wide`);
      }
      await context.close();
    }
  });
}

test("server: the plain search form works without JavaScript", async () => {
  const { context, page, trouble } = await watchedPage({ javaScriptEnabled: false });
  await visit(page, base + "search");
  await page.fill("#q", "lock");
  await Promise.all([page.waitForNavigation(), page.press("#q", "Enter")]);
  assert.equal(await page.textContent("#results li a"), "Find what holds a lock");
  assert.deepEqual(trouble, []);
  await context.close();
});

test("server: keyboard: / focuses the search field, Tab reaches the skip link first", async () => {
  const { context, page } = await watchedPage();
  await visit(page, base);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
  await page.keyboard.press("Escape");
  await page.evaluate(() => document.activeElement.blur());
  await page.keyboard.press("/");
  assert.equal(await page.evaluate(() => document.activeElement.id), "site-q");
  await context.close();
});

test("guarded server: no token, no page; the one-time link signs in once", async () => {
  const { context, page } = await watchedPage();
  const refused = await page.goto(guarded);
  assert.equal(refused.status(), 401);
  assert.doesNotMatch(await page.content(), /Find what holds a lock/);
  const signedIn = await page.goto(guarded.replace(/\/$/, "") + once);
  assert.equal(signedIn.status(), 200);
  assert.match(await page.content(), /New this week/);
  const search = await page.goto(`${guarded}search?q=lock`);
  assert.equal(search.status(), 200);
  await context.close();
  const { context: other, page: stranger } = await watchedPage();
  const reused = await stranger.goto(guarded.replace(/\/$/, "") + once);
  assert.equal(reused.status(), 401, "the link works only once");
  await other.close();
});
