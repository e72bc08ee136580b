// Browser smoke test: drives Debian's Chromium (/usr/bin/chromium) with
// playwright-core against a running server.
//
//   node e2e/smoke.mjs http://127.0.0.1:8080      (or E2E_BASE_URL=...)
//
// Every check opens one page in a fresh browser context and fails on: a
// wrong status, a console error, an uncaught page error, a CSP violation, a
// same-origin request that failed or answered >= 400, or an unmet `expect`.
// Screenshots go to e2e/artifacts/. The last line is "e2e: N passed, N failed".
//
// To add a page, add an entry to CHECKS:
//   name        short label, also the default screenshot name
//   path        path on the server
//   expect      what must hold (all optional):
//     status      HTTP status of the document (default 200)
//     title       RegExp the <title> must match
//     visible     CSS selectors that must be visible
//     text        strings (or RegExps) the visible page text must contain
//     stylesheet  app.css is applied (its custom properties are on :root)
//     htmx        window.htmx is defined (htmx loaded)
//     screenshot  file name in e2e/artifacts/ (full page), or false
//   viewport    {width, height} (default 1280x800)
//   run         optional async (page, {expectTrue}) => {} for extra steps
// Asset URLs are never hard-coded: the server may serve content-hashed names.

import { chromium } from "playwright-core";
import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import path from "node:path";

const CHECKS = [
  {
    name: "home",
    path: "/",
    expect: {
      status: 200,
      visible: ["h1"],
      stylesheet: true,
      htmx: true,
      screenshot: "home.png",
    },
  },
  {
    // A newcomer's first minute: sign up an organisation, land on its
    // dashboard, confirm the e-mail address through the development
    // outbox, and see the banner go.
    name: "signup",
    path: "/signup",
    expect: { status: 200, visible: ["form[action='/signup']"], stylesheet: true, htmx: true, screenshot: "signup.png" },
    run: async (page, { expectTrue }) => {
      const slug = `e2e-${Date.now().toString(36)}`;
      await page.fill("#f-org_name", "Northwind Coaching");
      await page.fill("#f-slug", slug);
      await page.selectOption("#f-time_zone", "Europe/London");
      await page.fill("#f-name", "Nora Newcomer");
      await page.fill("#f-email", `${slug}@example.test`);
      await page.fill("#f-password", "a long enough password");
      await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), page.click("form[action='/signup'] button[type=submit]")]);
      expectTrue((await page.textContent("h1")).includes("Northwind Coaching"), "the dashboard does not name the organisation");
      expectTrue(await page.isVisible(".banner"), "no banner asking to confirm the e-mail address");
      await page.screenshot({ path: path.join(artifacts, "dashboard.png"), fullPage: true });
      await page.goto(new URL("/dev/mail", page.url()).href);
      await Promise.all([page.waitForURL("**/dev/mail/*", { waitUntil: "commit" }), page.click("table a:has-text('Confirm your e-mail address')")]);
      const link = (await page.textContent(".mail-body")).match(/https?:\/\/\S+\/verify\/\S+/);
      expectTrue(link, "the verification e-mail has no link");
      if (!link) return;
      await page.goto(new URL(new URL(link[0]).pathname, page.url()).href);
      await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), page.click("button:has-text('Confirm my e-mail address')")]);
      expectTrue(!(await page.isVisible(".banner")), "the banner is still there after confirming");
      expectTrue(await page.isVisible(".flash-success"), "no confirmation message");
      await page.screenshot({ path: path.join(artifacts, "verified.png"), fullPage: true });
    },
  },
];

const CHROMIUM = process.env.E2E_CHROMIUM || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const NAV_TIMEOUT_MS = 30_000;
const SETTLE_MS = 300; // let late console errors / CSP reports arrive after "load"

const here = path.dirname(fileURLToPath(import.meta.url));
const artifacts = path.join(here, "artifacts");

function usage() {
  console.error("usage: node e2e/smoke.mjs BASE_URL   (e.g. http://127.0.0.1:8080)");
  process.exit(2);
}

const baseArg = process.argv[2] || process.env.E2E_BASE_URL;
if (!baseArg) usage();
let base;
try {
  base = new URL(baseArg);
} catch {
  usage();
}

// Runs in the page before any of its scripts: records CSP violations.
function recordCspViolations() {
  window.__e2eCsp = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__e2eCsp.push(`${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}` +
      (e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : ""));
  });
}

async function runCheck(browser, check) {
  const problems = [];
  const expect = check.expect || {};
  const context = await browser.newContext({
    viewport: check.viewport || { width: 1280, height: 800 },
    serviceWorkers: "block",
  });
  await context.addInitScript(recordCspViolations);
  const page = await context.newPage();
  page.setDefaultTimeout(NAV_TIMEOUT_MS);

  page.on("console", (msg) => {
    if (msg.type() === "error") {
      const loc = msg.location();
      problems.push(`console error: ${msg.text()}${loc && loc.url ? ` (${loc.url})` : ""}`);
    }
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err.message}`));
  page.on("requestfailed", (req) => {
    if (sameOrigin(req.url())) {
      problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
    }
  });

  const url = new URL(check.path, base).toString();
  const docUrl = url;
  page.on("response", (res) => {
    if (res.url() !== docUrl && sameOrigin(res.url()) && res.status() >= 400) {
      problems.push(`subresource ${res.status()}: ${res.url()}`);
    }
  });

  const expectTrue = (ok, what) => { if (!ok) problems.push(what); };

  try {
    const res = await page.goto(url, { waitUntil: "load", timeout: NAV_TIMEOUT_MS });
    const wantStatus = expect.status ?? 200;
    if (!res) {
      problems.push("no response for the document");
    } else if (res.status() !== wantStatus) {
      problems.push(`status ${res.status()}, want ${wantStatus}`);
    }
    await page.waitForTimeout(SETTLE_MS);

    if (expect.title) {
      const title = await page.title();
      expectTrue(expect.title.test(title), `title "${title}" does not match ${expect.title}`);
    }
    for (const sel of expect.visible || []) {
      const visible = await page.locator(sel).first().isVisible().catch(() => false);
      expectTrue(visible, `no visible element for "${sel}"`);
    }
    if (expect.text && expect.text.length) {
      const body = await page.locator("body").innerText();
      for (const t of expect.text) {
        const ok = t instanceof RegExp ? t.test(body) : body.includes(t);
        expectTrue(ok, `page text lacks ${t}`);
      }
    }
    if (expect.stylesheet) {
      const css = await page.evaluate(() => {
        const root = getComputedStyle(document.documentElement);
        const sheets = [...document.querySelectorAll('link[rel~="stylesheet"]')].map((l) => ({
          href: l.href,
          loaded: !!l.sheet,
        }));
        return {
          accent: root.getPropertyValue("--tb-accent").trim(),
          font: getComputedStyle(document.body).fontFamily,
          sheets,
        };
      });
      expectTrue(css.sheets.length > 0, "no <link rel=stylesheet> on the page");
      for (const s of css.sheets) expectTrue(s.loaded, `stylesheet did not load: ${s.href}`);
      expectTrue(css.accent !== "", "app.css not applied: --tb-accent is not set on :root");
      expectTrue(!/^\s*("?Times New Roman"?|serif)\b/i.test(css.font),
        `body font is the browser default (${css.font})`);
    }
    if (expect.htmx) {
      const htmx = await page.evaluate(() =>
        typeof window.htmx === "object" && window.htmx !== null ? String(window.htmx.version || "?") : "");
      expectTrue(htmx !== "", "window.htmx is not defined (htmx did not load)");
    }
    if (check.run) await check.run(page, { expectTrue });

    const csp = await page.evaluate(() => window.__e2eCsp || []);
    for (const v of csp) problems.push(`CSP violation: ${v}`);

    const shot = expect.screenshot ?? `${check.name}.png`;
    if (shot) {
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, shot), fullPage: true });
    }
  } catch (err) {
    problems.push(`error: ${err && err.message ? err.message.split("\n")[0] : err}`);
  } finally {
    await context.close().catch(() => {});
  }
  return problems;
}

function sameOrigin(u) {
  try {
    return new URL(u).origin === base.origin;
  } catch {
    return false;
  }
}

let passed = 0;
let failed = 0;
let browser;
try {
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
  for (const check of CHECKS) {
    const started = Date.now();
    const problems = await runCheck(browser, check);
    const ms = Date.now() - started;
    if (problems.length === 0) {
      passed++;
      console.log(`ok   ${check.name} ${check.path} (${ms} ms)`);
    } else {
      failed++;
      console.log(`FAIL ${check.name} ${check.path} (${ms} ms)`);
      for (const p of problems) console.log(`     - ${p}`);
    }
  }
} catch (err) {
  console.log(`FAIL could not run the browser: ${err && err.message ? err.message.split("\n")[0] : err}`);
  failed += CHECKS.length - passed - failed;
} finally {
  if (browser) await browser.close().catch(() => {});
}

console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
