// Paid mentor training in the browser, with the app pointed at stripe-mock
// and Stripe's webhooks played by `toolbox stripe simulate-*` (stripe-mock
// never calls back): an owner creates a paid course that qualifies mentors,
// buys a place, is sent to Checkout, sees "access opens in a moment";
// the signed payment webhook opens the course; the lesson is completed and
// the certificate's public link verifies; a refund closes the course again.
//
//   node e2e/payments.mjs BASE_URL TOOLBOX_BINARY      (the binary's environment
//   must point at the same data and webhook secret as the server: run it from
//   scripts/e2e-payments.sh)
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

const [base, binary] = process.argv.slice(2);
if (!base || !binary) {
  console.error("usage: node e2e/payments.mjs BASE_URL TOOLBOX_BINARY");
  process.exit(2);
}
const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), "artifacts");
await mkdir(artifacts, { recursive: true });
const problems = [];
const expect = (ok, what) => { if (!ok) problems.push(what); };
const toolbox = (...args) => execFileSync(binary, args, { encoding: "utf8" });

const browser = await chromium.launch({
  executablePath: process.env.E2E_CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const watch = (page, who) => {
  page.on("console", (m) => { if (m.type() === "error" && !/ERR_ABORTED/.test(m.text())) problems.push(`${who}: console error: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`${who}: page error: ${e.message}`));
};
const commit = { waitUntil: "commit" };
let failed = false;
try {
  const ctx = await browser.newContext();
  // Checkout itself is Stripe's page; this machine has no internet, so a
  // stand-in answers for it.
  await ctx.route("https://checkout.stripe.com/**", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Checkout</title><h1>Stripe Checkout (stand-in)</h1>" }));
  const page = await ctx.newPage();
  watch(page, "owner");
  const slug = `pay-${Date.now().toString(36)}`;
  await page.goto(`${base}/signup`);
  await page.fill("#f-org_name", "Mentor Academy");
  await page.fill("#f-slug", slug);
  await page.fill("#f-name", "Paula Payer");
  await page.fill("#f-email", `${slug}@example.test`);
  await page.fill("#f-password", "a long enough password");
  await Promise.all([page.waitForURL(`**/o/${slug}`, commit), page.click("form[action='/signup'] button[type=submit]")]);

  // A paid course that qualifies mentors, with one lesson.
  await page.goto(`${base}/o/${slug}/courses/new`);
  await page.fill("#f-title", "Mentoring in practice");
  await page.fill("#f-summary", "How to mentor well: listening, questions, boundaries.");
  await page.fill("#f-price", "49");
  await page.selectOption("#f-currency", "gbp");
  await page.selectOption("#f-status", "published");
  await page.check("input[name=qualifies_mentor]");
  await Promise.all([page.waitForURL("**/edit", commit), page.click("form[action$='/courses'] button[type=submit]")]);
  await page.waitForSelector("form[action$='/modules']");
  await page.fill("#f-module_title", "Listening");
  await Promise.all([page.waitForLoadState(), page.click("form[action$='/modules'] button[type=submit]")]);
  const lessonForm = page.locator("form[action$='/lessons']").first();
  await lessonForm.waitFor();
  await lessonForm.locator("input[name=title]").fill("Listening to understand");
  await lessonForm.locator("textarea[name=body]").fill("Listen **before** you advise.");
  await Promise.all([page.waitForLoadState(), lessonForm.locator("button[type=submit]").click()]);
  await page.click("text=View as a learner");
  await page.waitForSelector("form[action$='/checkout']");
  const courseURL = page.url();

  // Buy a place: Checkout, then back to the waiting page.
  await Promise.all([page.waitForURL("https://checkout.stripe.com/**", commit), page.click("form[action$='/checkout'] button[type=submit]")]);
  expect(page.url().startsWith("https://checkout.stripe.com/"), `not sent to Checkout: ${page.url()}`);
  await page.goto(`${courseURL}/purchased`);
  expect((await page.textContent("main")).includes("your access opens in a moment"), "the success page does not say access opens in a moment");
  expect(!(await page.isVisible("text=Your access is open")), "access opened before Stripe confirmed the payment");
  await page.screenshot({ path: path.join(artifacts, "payment-waiting.png"), fullPage: true });

  // Stripe confirms: the signed webhook opens the course.
  const pending = toolbox("stripe", "pending", "--org", slug);
  const paymentID = (pending.match(/^([0-9a-f-]{36})\s/m) || [])[1];
  expect(paymentID, `no pending payment listed: ${pending}`);
  if (paymentID) {
    const sent = toolbox("stripe", "simulate-payment", "--org", slug, "--payment", paymentID);
    expect(/granted|open/i.test(sent), `the payment webhook was not applied: ${sent}`);
    await page.waitForSelector("text=Your access is open", { timeout: 15000 });
    await page.screenshot({ path: path.join(artifacts, "payment-open.png"), fullPage: true });

    // Learn, complete, and check the certificate in public.
    await page.goto(courseURL);
    await page.click("text=Listening to understand");
    await page.click("button:has-text('Mark as complete')");
    await page.waitForSelector("text=Lesson complete");
    await page.goto(courseURL);
    const cert = page.locator("a:has-text('View your certificate')");
    await cert.waitFor();
    await Promise.all([page.waitForURL("**/certificates/**", commit), cert.click()]);
    const code = page.url().split("/certificates/")[1];
    const anon = await browser.newContext();
    const check = await anon.newPage();
    watch(check, "public");
    const resp = await check.goto(`${base}/certificates/${code}`);
    const text = await check.textContent("main");
    expect(resp.status() === 200, `public certificate check answered ${resp.status()}`);
    expect(text.includes("Paula Payer") && text.includes("Mentoring in practice"), "the public check does not show the name and course");
    expect(!text.includes(`${slug}@example.test`) && !text.includes("Mentor Academy") && !text.includes("49"), "the public check shows more than name, course and date");
    await check.screenshot({ path: path.join(artifacts, "certificate-check.png"), fullPage: true });
    await anon.close();

    // A refund closes the course; progress is kept.
    const refunded = toolbox("stripe", "simulate-refund", "--org", slug, "--payment", paymentID);
    expect(/revoked|refund|closed/i.test(refunded), `the refund webhook was not applied: ${refunded}`);
    await page.goto(courseURL);
    expect((await page.textContent("main")).includes("was closed"), "after the refund the course page does not say the place was closed");
  }
} catch (err) {
  failed = true;
  problems.push(`error: ${err && err.message ? err.message.split("\n")[0] : err}`);
} finally {
  await browser.close();
}
if (problems.length > 0 || failed) {
  console.log("FAIL payments");
  for (const p of problems) console.log(`     - ${p}`);
  console.log("e2e payments: 0 passed, 1 failed");
  process.exit(1);
}
console.log("ok   payments");
console.log("e2e payments: 1 passed, 0 failed");
