// Issue 15, "done means": tried as a new operator would. The operator signs
// up (their own organisation), scripts/e2e.sh grants them the platform role
// from the command line as soon as the account exists (E2E_OPERATOR_EMAIL),
// and they open /ops: find another organisation, see its reminders waiting
// as tasks and the queues in asynqmon, open support access (recorded in
// the organisation's audit log, which its owner reads), suspend it (its
// owner sees a page saying so and cannot sign in) and resume it.
import { PASSWORD, readMail, signUpAndVerify, uniqueSlug } from "../lib.mjs";

export const OPERATOR_EMAIL = process.env.E2E_OPERATOR_EMAIL || "e2e-operator@example.test";

// signUpOperator signs up an organisation whose owner has the operator's
// address and confirms it.
async function signUpOperator(page) {
  const slug = uniqueSlug();
  await page.goto(new URL("/signup", page.url()).href);
  const form = page.locator("form[action='/signup']");
  await form.getByLabel("Organisation name").fill(`Platform Team ${slug.slice(4)}`);
  await form.getByLabel("Web address").fill(slug);
  await form.getByLabel("Default time zone").selectOption("Europe/London");
  await form.getByLabel("Your name").fill("Olive Operator");
  await form.getByLabel("Your e-mail address").fill(OPERATOR_EMAIL);
  await form.getByLabel("Choose a password").fill(PASSWORD);
  await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), form.getByRole("button", { name: "Create the organisation" }).click()]);
  const link = (await readMail(page, OPERATOR_EMAIL, "Confirm your e-mail address")).match(/https?:\/\/\S+\/verify\/\S+/);
  await page.goto(new URL(new URL(link[0]).pathname, page.url()).href);
  await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), page.getByRole("button", { name: "Confirm my e-mail address" }).click()]);
}

// openConsole waits for the command line's grant (scripts/e2e.sh polls for
// the account), asking for /ops outside the page (so that the 404s until
// then are not the page's), then opens the console.
async function openConsole(page) {
  const url = new URL("/ops", page.url()).href;
  for (let i = 0; i < 120; i++) {
    const res = await page.request.get(url, { maxRedirects: 0 });
    if (res.status() === 200) {
      await page.goto(url);
      return true;
    }
    await page.waitForTimeout(500);
  }
  return false;
}

export default [
  {
    name: "ops",
    path: "/signup",
    expect: { screenshot: false },
    run: async (op, { expectTrue, person, expectStatus, shot }) => {
      // The organisation the operator will look after, with its own owner.
      const ownerPage = await person("owner");
      await ownerPage.goto(new URL("/signup", op.url()).href);
      const org = await signUpAndVerify(ownerPage, "Harbour Coaching");

      await signUpOperator(op);
      const granted = await openConsole(op);
      expectTrue(granted, "the operator's console never opened (was the role granted by scripts/e2e.sh?)");
      if (!granted) return;
      await op.getByRole("heading", { name: "Operator's console" }).waitFor();

      // Find the organisation.
      const search = op.locator("form[role=search]");
      await search.getByLabel("Search by name, address or owner").fill(org.owner.email);
      await Promise.all([op.waitForURL("**/ops?*", { waitUntil: "commit" }), search.getByRole("button", { name: "Search" }).click()]);
      const row = op.locator("#orgs tbody tr");
      expectTrue((await row.count()) === 1 && (await row.first().innerText()).includes(org.name), "searching by the owner's address does not find the organisation");
      await shot(op, "ops-console.png");
      await Promise.all([op.waitForURL("**/ops/orgs/*", { waitUntil: "commit" }), row.first().getByRole("link", { name: org.name }).click()]);
      const orgURL = op.url();

      // Support access, recorded for the owner.
      const support = op.locator("form[action$='/support']");
      await support.getByLabel("Reason").fill("e2e: owner asked why invitations bounce");
      await support.getByLabel("For how many hours").fill("1");
      await Promise.all([op.waitForURL(orgURL, { waitUntil: "commit" }), support.getByRole("button", { name: "Open support access" }).click()]);
      expectTrue((await op.locator("#support-people").innerText()).includes(org.owner.email), "support access does not show the organisation's people");
      await shot(op, "ops-org-support.png");
      await ownerPage.goto(new URL(`/o/${org.slug}/audit`, ownerPage.url()).href);
      expectTrue((await ownerPage.locator("#audit-rows").innerText()).includes("e2e: owner asked why invitations bounce"), "the owner's audit log does not show the support access");

      // Suspend: the owner sees the page saying so, and cannot sign in.
      const suspend = op.locator("form[action$='/suspend']");
      await suspend.getByLabel(/^Reason/).fill("e2e: unpaid invoice");
      await Promise.all([op.waitForURL(orgURL, { waitUntil: "commit" }), suspend.getByRole("button", { name: "Suspend the organisation" }).click()]);
      await expectStatus(ownerPage, `/o/${org.slug}`, 423);
      expectTrue((await ownerPage.locator("main").innerText()).includes("is suspended for now"), "the owner's page does not say the organisation is suspended");
      await shot(ownerPage, "ops-suspended.png");

      // The queues, in asynqmon.
      const res = await op.goto(new URL("/ops/queues/", op.url()).href);
      expectTrue(res.status() === 200, `the queue console answered ${res.status()}`);
      await op.waitForLoadState("networkidle");
      expectTrue((await op.title()).includes("Asynq"), "the queue console did not load");
      await shot(op, "ops-queues.png");

      // Resume: the owner is back.
      await op.goto(orgURL);
      await Promise.all([op.waitForURL(orgURL, { waitUntil: "commit" }), op.getByRole("button", { name: "Resume the organisation" }).click()]);
      const back = await ownerPage.goto(new URL(`/o/${org.slug}`, ownerPage.url()).href);
      expectTrue(back.status() === 200, `after resuming, the owner's dashboard answered ${back.status()}`);

      // The platform audit log has it all.
      await op.goto(new URL("/ops/audit", op.url()).href);
      const log = await op.locator("#platform-audit").innerText();
      for (const action of ["operator.granted", "support.started", "org.suspended", "org.resumed"]) {
        expectTrue(log.includes(action), `the platform audit log lacks ${action}`);
      }
      await shot(op, "ops-audit.png");
    },
  },
];
