// Browser smoke test: drives Debian's Chromium (/usr/bin/chromium) with
// playwright-core against a running server.
//
//   node e2e/smoke.mjs http://127.0.0.1:8080      (or E2E_BASE_URL=...)
//
// Every check opens one page in a fresh browser context and fails on: a
// wrong status, a console error, an uncaught page error, a CSP violation, an
// element id used twice, a same-origin request that failed (other than one
// the browser cancelled itself, net::ERR_ABORTED) or answered >= 400, or an
// unmet `expect`.
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
//   run         optional async (page, helpers) => {} for extra steps; helpers:
//     expectTrue(ok, what)       record a problem unless ok
//     person(label)              a page in another fresh browser context (another
//                                person), watched like the first one (problems are
//                                prefixed with [label]) and closed after the check
//     expectStatus(page, p, n)   open path p in page, wanting HTTP status n (>= 400
//                                is then not a problem); returns the Response
//     shot(page, file)           full-page screenshot into e2e/artifacts/
// Asset URLs are never hard-coded: the server may serve content-hashed names.
//
// Journeys (checks with a `run`) use fresh slugs and e-mail addresses, so they
// run against any server, in any order; e-mails are read from the development
// outbox (/dev/mail), which exists in the embedded mode.

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
      const link = (await readMail(page, `${slug}@example.test`, "Confirm your e-mail address")).match(/https?:\/\/\S+\/verify\/\S+/);
      expectTrue(link, "the verification e-mail has no link");
      if (!link) return;
      await page.goto(new URL(new URL(link[0]).pathname, page.url()).href);
      await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), page.click("button:has-text('Confirm my e-mail address')")]);
      expectTrue(!(await page.isVisible(".banner")), "the banner is still there after confirming");
      expectTrue(await page.isVisible(".flash-success"), "no confirmation message");
      await page.screenshot({ path: path.join(artifacts, "verified.png"), fullPage: true });
    },
  },
  {
    // Issue 3, "done means": an organisation signs up and confirms its
    // address, invites a coach and a member, each accepts from the e-mail
    // with a new account and sees their own view; another organisation
    // cannot see any of it.
    name: "tenancy",
    path: "/signup",
    expect: { screenshot: "tenancy-owner-people.png" },
    run: async (owner, { expectTrue, person, expectStatus, shot }) => {
      const org = await signUpAndVerify(owner, "Aldgate Mentoring");
      const coach = { name: "Cora Coach", email: `${org.slug}-coach@example.test` };
      const member = { name: "Milo Member", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      expectTrue(await owner.locator("table", { hasText: coach.email }).isVisible(), "the coach's invitation is not listed as open");
      await shot(owner, "tenancy-invitations.png");

      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);

      // Each sees their own view of the organisation.
      for (const [page, who] of [[coachPage, "coach"], [memberPage, "member"]]) {
        expectTrue((await page.textContent("h1")).includes(org.name), `the ${who} does not land on the organisation's dashboard`);
        const links = await navLinks(page);
        expectTrue(links.includes("Dashboard") && links.includes("My support"), `the ${who}'s nav lacks Dashboard or My support: ${links}`);
        for (const admin of ["People", "Audit log", "Settings", "Pipeline"]) {
          expectTrue(!links.includes(admin), `the ${who} sees ${admin} in the nav: ${links}`);
        }
        expectTrue(!(await page.isVisible(".banner")), `the ${who} is asked to confirm an address the invitation confirmed`);
      }
      await shot(memberPage, "tenancy-member-dashboard.png");
      await clickNav(coachPage, "My support", `/o/${org.slug}/my`);
      expectTrue(await coachPage.getByRole("link", { name: "Your profile", exact: true }).isVisible(), "the coach has no link to their practitioner profile");
      await clickNav(memberPage, "My support", `/o/${org.slug}/my`);
      expectTrue(!(await memberPage.getByRole("link", { name: "Your profile", exact: true }).isVisible()), "the member sees a practitioner profile link");
      expectTrue(await memberPage.getByRole("link", { name: "Take the needs assessment" }).isVisible(), "the member is not offered the needs assessment");
      await expectStatus(memberPage, `/o/${org.slug}/people`, 403);

      // The owner sees all three on the people page.
      await clickNav(owner, "People", `/o/${org.slug}/people`);
      const people = await owner.locator("#people-results tbody").innerText();
      for (const p of [org.owner, coach, member]) expectTrue(people.includes(p.email), `the people page does not list ${p.email}`);
      expectTrue(/practitioner\s*\(coach\)/.test(people), "the people page does not show the coach as practitioner (coach)");

      // Another organisation sees nothing of the first.
      const other = await person("other organisation");
      const org2 = await signUpAndVerify(other, "Bowbridge Coaching");
      expectTrue(!(await other.locator("body").innerText()).includes(org.name), "the other organisation's dashboard names the first");
      for (const p of [`/o/${org.slug}`, `/o/${org.slug}/people`, `/o/${org.slug}/invitations`, `/o/${org.slug}/my`, `/o/${org.slug}/pipeline`]) {
        const res = await expectStatus(other, p, 404);
        const html = res ? await res.text() : "";
        expectTrue(!html.includes(org.name) && !html.includes(org.name.split(" ")[0]), `GET ${p} as another organisation shows the first organisation's name`);
        expectTrue(!html.includes(coach.email) && !html.includes(member.email), `GET ${p} as another organisation shows the first's people`);
      }
      await shot(other, "tenancy-other-org-404.png");
      await other.goto(new URL(`/o/${org2.slug}/people`, other.url()).href);
      const theirs = await other.locator("#people-results").innerText();
      expectTrue(theirs.includes(org2.owner.email) && !theirs.includes(coach.email) && !theirs.includes(member.email),
        "the other organisation's people page lists people of the first");
      await owner.goto(new URL(`/o/${org.slug}/people`, owner.url()).href);
      // On a phone the people table scrolls inside its frame, not the page.
      await owner.setViewportSize({ width: 390, height: 844 });
      const widths = await owner.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
      expectTrue(widths[0] <= widths[1], `the people page scrolls sideways on a phone (${widths[0]} px wide in ${widths[1]})`);
      await shot(owner, "tenancy-owner-people-mobile.png");
      await owner.setViewportSize({ width: 1280, height: 800 });
    },
  },
  {
    // Issue 4, "done means": a member takes the assessment and gets an
    // explained recommendation; the coordinator confirms it and proposes
    // the top-ranked coach; the coach accepts from the e-mail; both accept
    // the agreement; the member sets a goal; the coach writes a private and
    // a shared note, and the member reads only the shared one.
    name: "matching",
    path: "/signup",
    expect: { screenshot: "matching-relationship-coordinator.png" },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Cheapside Leadership");
      const coach = { name: "Cyril Coach", email: `${org.slug}-coach@example.test` };
      const member = { name: "Mabel Member", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);

      // The coach fills in the practitioner profile.
      await clickNav(coachPage, "My support", `/o/${org.slug}/my`);
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/profile`, { waitUntil: "commit" }),
        coachPage.getByRole("link", { name: "Your profile", exact: true }).click()]);
      const profile = coachPage.locator(`form[action$='/o/${org.slug}/profile']`);
      expectTrue(await profile.getByLabel("coach", { exact: true }).isChecked(), "the profile does not start with the kind the invitation gave");
      await profile.getByLabel("coach", { exact: true }).check();
      await profile.getByLabel("Topics").fill("leadership, trust");
      await profile.getByLabel("Languages").fill("en");
      await profile.getByLabel("How many people at once").fill("3");
      await profile.getByLabel("Your time zone").selectOption("Europe/London");
      await profile.getByLabel("A short bio").fill("Twenty years of leading teams; now I coach.");
      await profile.getByLabel("I am taking new people").check();
      await submitAndSee(coachPage, profile, ".flash-success", "Profile saved");

      // The member takes the assessment, one htmx step at a time.
      await clickNav(memberPage, "My support", `/o/${org.slug}/my`);
      await Promise.all([memberPage.waitForURL(`**/o/${org.slug}/assessment`, { waitUntil: "commit" }),
        memberPage.getByRole("link", { name: "Take the needs assessment" }).click()]);
      const answers = [
        "I want to grow, personally or professionally, and find my own way forward",
        "Good questions that help me find my own answers",
        "I have made my own choices and acted on them",
        "One to one",
        "An ongoing arrangement, without a set end",
        ["Leading people", "Building trust"],
      ];
      const step = memberPage.locator("#assessment-step");
      for (let i = 0; i < answers.length; i++) {
        await step.locator(`progress[value='${i + 1}']`).waitFor();
        for (const label of [answers[i]].flat()) await step.getByLabel(label, { exact: true }).check();
        await step.getByRole("button", { name: /^(Next|Save and go on)$/ }).click();
      }
      await step.locator(`progress[value='${answers.length + 1}']`).waitFor();
      expectTrue((await step.innerText()).includes(`You answered ${answers.length} of ${answers.length} questions`), "the review does not count every answer");
      await Promise.all([memberPage.waitForURL(`**/o/${org.slug}/assessment`, { waitUntil: "commit" }),
        step.getByRole("button", { name: "See my recommendation" }).click()]);
      await memberPage.getByRole("heading", { name: "Our recommendation", exact: true }).waitFor();
      const rec = await memberPage.locator("main").innerText();
      expectTrue(/we recommend\s+coaching, one to one, ongoing/i.test(rec), `the recommendation is not coaching, one to one, ongoing: ${rec.slice(0, 300)}`);
      expectTrue(rec.includes("How we came to it") && rec.includes("Good questions that help me find my own answers"),
        "the recommendation is not explained by the answers");
      await shot(memberPage, "matching-recommendation.png");

      // The coordinator (the owner is staff) confirms it and proposes the top coach.
      await clickNav(owner, "Pipeline", `/o/${org.slug}/pipeline`);
      const assessed = owner.locator("section", { has: owner.getByRole("heading", { name: /^Assessed/ }) });
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/assessments/*`, { waitUntil: "commit" }),
        assessed.getByRole("link", { name: member.name }).click()]);
      await owner.getByRole("heading", { name: `Assessment of ${member.name}` }).waitFor();
      expectTrue((await owner.locator("main").innerText()).includes("Good questions that help me find my own answers"),
        "the coordinator does not see the explanation");
      const decide = owner.locator("form[action$='/decide']");
      expectTrue(await decide.getByLabel("Kind of support").inputValue() === "coaching", "the signpost form does not start from the recommendation");
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/requests/*`, { waitUntil: "commit" }),
        decide.getByRole("button", { name: "Confirm and signpost" }).click()]);
      const candidates = owner.locator("section", { has: owner.getByRole("heading", { name: "Candidates, best first" }) });
      const top = candidates.locator("article").first();
      await top.waitFor();
      expectTrue((await top.locator("h3").innerText()) === coach.name, "the coach is not the top-ranked candidate");
      expectTrue((await top.innerText()).includes("Shared topics: leadership, trust"), "the ranking does not explain the shared topics");
      await shot(owner, "matching-candidates.png");
      await submitAndSee(owner, top.locator("form[action$='/proposals']"), ".flash-success", "Proposed");
      expectTrue(/pending/.test(await owner.locator("main").innerText()), "the request does not show the pending proposal");

      // The coach accepts from the e-mail.
      const mail = await readMail(coachPage, coach.email, "Would you take on a new person");
      const link = mail.match(/https?:\/\/\S+\/proposals\/[0-9a-f-]+/);
      expectTrue(link, "the proposal e-mail has no link");
      if (!link) return;
      await coachPage.goto(new URL(new URL(link[0]).pathname, coachPage.url()).href);
      expectTrue((await coachPage.textContent("h1")).includes(member.name), "the proposal page does not name the member");
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/relationships/*`, { waitUntil: "commit" }),
        coachPage.locator("form[action$='/accept']").getByRole("button", { name: "Accept" }).click()]);
      const relPath = new URL(coachPage.url()).pathname;

      // The coach sets the agreement's purpose and accepts it; so does the member.
      await coachPage.locator("#agreement summary").click();
      const agreement = coachPage.locator("form[action$='/agreement']");
      await agreement.getByLabel("Purpose").fill("Find my own way as a new team lead");
      await agreement.getByLabel("Usual place or video link").fill("The small meeting room");
      await submitAndSee(coachPage, agreement, ".flash-success", "Agreement saved");
      await submitAndSee(coachPage, coachPage.locator("form[action$='/agreement/accept']"), ".flash-success", "You accepted the agreement");

      const matched = await readMail(memberPage, member.email, "You have been matched");
      expectTrue(matched.includes(coach.name) && matched.includes(relPath), "the member's e-mail does not name the coach or link the relationship");
      await memberPage.goto(new URL(`/o/${org.slug}/my`, memberPage.url()).href);
      await Promise.all([memberPage.waitForURL(`**${relPath}`, { waitUntil: "commit" }),
        memberPage.locator(`a[href='${relPath}']`).first().click()]);
      expectTrue((await memberPage.locator("#agreement").innerText()).includes("Find my own way as a new team lead"), "the member does not see the agreed purpose");
      await submitAndSee(memberPage, memberPage.locator("form[action$='/agreement/accept']"), ".flash-success", "You accepted the agreement");
      expectTrue(await memberPage.locator("#agreement .badge", { hasText: "accepted by both" }).isVisible(), "the agreement is not accepted by both");

      // The member sets a goal.
      const goal = memberPage.locator(`form[action$='${relPath}/goals']`);
      await goal.getByLabel("New goal").fill("Run a team meeting where everyone speaks");
      await goal.getByLabel("How will you know you got there?").fill("Each person speaks at least once");
      await submitAndSee(memberPage, goal, ".flash-success", "Goal added");

      // The coach writes a private and a shared note.
      const secret = `Private: Mabel seems anxious about her manager ${org.slug}`;
      const shared = `Shared: homework is to list three recent decisions ${org.slug}`;
      await coachPage.goto(new URL(relPath, coachPage.url()).href);
      expectTrue((await coachPage.locator("#goals").innerText()).includes("Run a team meeting where everyone speaks"), "the coach does not see the member's goal");
      for (const [text, who] of [[secret, "Only me (kept encrypted)"], [shared, "Everyone in this relationship"]]) {
        const note = coachPage.locator(`form[action$='${relPath}/notes']`);
        await note.getByLabel("Note", { exact: true }).fill(text);
        await note.getByLabel(who).check();
        await submitAndSee(coachPage, note, ".flash-success", "ote");
      }
      const coachNotes = await coachPage.locator("#notes").innerText();
      expectTrue(coachNotes.includes(secret) && coachNotes.includes(shared), "the coach does not see both notes");

      // The member sees the shared note only.
      await memberPage.reload();
      const memberNotes = await memberPage.locator("#notes").innerText();
      expectTrue(memberNotes.includes(shared), "the member does not see the shared note");
      expectTrue(!(await memberPage.content()).includes(secret), "the member's page contains the coach's private note");
      expectTrue(!(await memberPage.content()).includes("anxious"), "the member's page contains words of the coach's private note");
      await shot(memberPage, "matching-relationship-member.png");

      // The owner looks on without reading the notes.
      await owner.goto(new URL(relPath, owner.url()).href);
      const onlooker = await owner.content();
      expectTrue(!onlooker.includes(secret) && !onlooker.includes(shared), "the coordinator reads the relationship's notes");
      expectTrue(/1 shared, 1 private/.test(await owner.locator("main").innerText()), "the coordinator does not see the note counts");
      await coachPage.goto(new URL(relPath, coachPage.url()).href);
      await shot(coachPage, "matching-relationship-coach.png");
    },
  },
];

// --- Steps shared by the journeys -------------------------------------

const PASSWORD = "a long enough password";

function uniqueSlug() {
  return `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

// signUpAndVerify signs up an organisation in page (anywhere on the
// server), confirms the owner's address through the development outbox
// and leaves page on the organisation's dashboard.
async function signUpAndVerify(page, orgName) {
  const slug = uniqueSlug();
  const org = { slug, name: `${orgName} ${slug.slice(4)}`, owner: { name: `Owen Owner ${slug.slice(-4)}`, email: `${slug}-owner@example.test` } };
  await page.goto(new URL("/signup", page.url().startsWith("http") ? page.url() : base).href);
  const form = page.locator("form[action='/signup']");
  await form.getByLabel("Organisation name").fill(org.name);
  await form.getByLabel("Web address").fill(slug);
  await form.getByLabel("Default time zone").selectOption("Europe/London");
  await form.getByLabel("Your name").fill(org.owner.name);
  await form.getByLabel("Your e-mail address").fill(org.owner.email);
  await form.getByLabel("Choose a password").fill(PASSWORD);
  await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), form.getByRole("button", { name: "Create the organisation" }).click()]);
  const body = await readMail(page, org.owner.email, "Confirm your e-mail address");
  const link = body.match(/https?:\/\/\S+\/verify\/\S+/);
  if (!link) throw new Error(`the verification e-mail to ${org.owner.email} has no link`);
  await page.goto(new URL(new URL(link[0]).pathname, page.url()).href);
  await Promise.all([page.waitForURL(`**/o/${slug}`, { waitUntil: "commit" }), page.getByRole("button", { name: "Confirm my e-mail address" }).click()]);
  return org;
}

// readMail opens the newest e-mail to `to` whose subject contains `subject`
// on the development outbox and returns its text body.
async function readMail(page, to, subject) {
  await page.goto(new URL("/dev/mail", page.url().startsWith("http") ? page.url() : base).href);
  const row = page.locator("table tbody tr", { has: page.locator(`td:text-is("${to}")`) }).filter({ hasText: subject }).first();
  await Promise.all([page.waitForURL("**/dev/mail/*", { waitUntil: "commit" }), row.getByRole("link").click()]);
  return page.locator(".mail-body").innerText();
}

// invite sends one invitation from the organisation's invitations page.
async function invite(page, slug, { email, name, role, kinds = [] }) {
  if (!new URL(page.url()).pathname.endsWith(`/o/${slug}/invitations`)) {
    await page.goto(new URL(`/o/${slug}/invitations`, page.url()).href);
  }
  const form = page.locator(`form[action$='/o/${slug}/invitations']`);
  await form.getByLabel("E-mail address").fill(email);
  await form.getByLabel("Name (optional)").fill(name);
  await form.getByLabel("Role").selectOption(role);
  for (const k of kinds) await form.getByLabel(k, { exact: true }).check();
  await submitAndSee(page, form, ".flash-success", email);
}

// acceptInvitation opens the invitation e-mailed to who.email and creates
// their account; page ends on the organisation's dashboard.
async function acceptInvitation(page, org, who) {
  const body = await readMail(page, who.email, "invites you to");
  const link = body.match(/https?:\/\/\S+\/invitations\/\S+/);
  if (!link) throw new Error(`the invitation to ${who.email} has no link`);
  await page.goto(new URL(new URL(link[0]).pathname, page.url()).href);
  const form = page.locator("form[action^='/invitations/']");
  await form.getByLabel("Your name").fill(who.name);
  await form.getByLabel("Choose a password").fill(PASSWORD);
  await Promise.all([page.waitForURL(`**/o/${org.slug}`, { waitUntil: "commit" }), form.getByRole("button", { name: "Create my account and join" }).click()]);
  await page.locator(".flash-success", { hasText: "Welcome to" }).waitFor();
}

// submitAndSee submits form (a Locator) and waits for `selector` with `text`.
// Flashes already on the page are removed first, so that an old one with
// the same words does not count.
async function submitAndSee(page, form, selector, text) {
  await page.evaluate((sel) => document.querySelectorAll(sel).forEach((e) => e.remove()), selector);
  await form.locator("button[type=submit]").last().click();
  await page.locator(selector, { hasText: text }).first().waitFor();
}

async function navLinks(page) {
  return page.getByRole("navigation", { name: "Organisation" }).getByRole("link").allInnerTexts();
}

// clickNav follows a link of the organisation's nav and waits until the
// new page is in (the link marked current), not just the address.
async function clickNav(page, name, pathname) {
  const nav = page.getByRole("navigation", { name: "Organisation" });
  await Promise.all([page.waitForURL(`**${pathname}`, { waitUntil: "commit" }),
    nav.getByRole("link", { name, exact: true }).click()]);
  await nav.locator("a[aria-current=page]", { hasText: name }).waitFor();
}


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
// Runs in the page before any of its scripts: reports CSP violations, and
// element ids used twice (a label then points at the wrong field), after
// each load and htmx swap. Reports go through the __e2eReport binding, so
// that those of pages left since (full navigations) are not lost.
function watchPage() {
  const report = (what) => { if (typeof window.__e2eReport === "function") window.__e2eReport(what); };
  document.addEventListener("securitypolicyviolation", (e) => {
    report(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "(inline)"}` +
      (e.sourceFile ? ` at ${e.sourceFile}:${e.lineNumber}` : "") + ` on ${location.pathname}`);
  });
  const seen = new Set();
  const duplicateIds = () => {
    const count = new Map();
    for (const el of document.querySelectorAll("[id]")) count.set(el.id, (count.get(el.id) || 0) + 1);
    for (const [id, n] of count) {
      const key = `${location.pathname} ${id}`;
      if (n > 1 && !seen.has(key)) {
        seen.add(key);
        report(`id "${id}" used ${n} times on ${location.pathname}`);
      }
    }
  };
  document.addEventListener("DOMContentLoaded", duplicateIds);
  document.addEventListener("htmx:afterSettle", duplicateIds);
}

async function runCheck(browser, check) {
  const problems = [];
  const expect = check.expect || {};
  const contexts = [];
  const url = new URL(check.path, base).toString();
  const docUrl = url;
  // Error responses a step asked for ("404 http://host/path"), not problems.
  const allowed = new Set();
  const isAllowed = (status, u) => allowed.has(`${status} ${u}`);

  // A fresh browser context with one page, watched for problems.
  async function open(label) {
    const tag = label ? `[${label}] ` : "";
    const context = await browser.newContext({
      viewport: check.viewport || { width: 1280, height: 800 },
      serviceWorkers: "block",
    });
    contexts.push(context);
    await context.exposeBinding("__e2eReport", (_source, what) => problems.push(`${tag}${what}`));
    await context.addInitScript(watchPage);
    const page = await context.newPage();
    page.setDefaultTimeout(NAV_TIMEOUT_MS);
    page.on("console", (msg) => {
      if (msg.type() !== "error") return;
      const loc = msg.location();
      // Chromium logs every error response; the wanted ones are no problem.
      const m = /the server responded with a status of (\d+)/.exec(msg.text());
      if (m && loc && (isAllowed(Number(m[1]), loc.url) || (!label && loc.url === docUrl))) return;
      problems.push(`${tag}console error: ${msg.text()}${loc && loc.url ? ` (${loc.url})` : ""}`);
    });
    page.on("pageerror", (err) => problems.push(`${tag}page error: ${err.message}`));
    page.on("requestfailed", (req) => {
      // ERR_ABORTED is the browser cancelling a request itself (the next
      // step navigated on before the favicon came, htmx replaced a request).
      if (sameOrigin(req.url()) && req.failure()?.errorText !== "net::ERR_ABORTED") {
        problems.push(`${tag}request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
      }
    });
    page.on("response", (res) => {
      if (!sameOrigin(res.url()) || res.status() < 400) return;
      if ((!label && res.url() === docUrl) || isAllowed(res.status(), res.url())) return;
      problems.push(`${tag}${res.request().method()} ${res.status()}: ${res.url()}`);
    });
    return page;
  }

  const expectTrue = (ok, what) => { if (!ok) problems.push(what); };
  const helpers = {
    expectTrue,
    person: (label) => open(label || `person ${contexts.length + 1}`),
    expectStatus: async (page, p, status) => {
      const u = new URL(p, base).toString();
      allowed.add(`${status} ${u}`);
      const res = await page.goto(u, { waitUntil: "load" });
      expectTrue(res && res.status() === status, `GET ${p}: status ${res ? res.status() : "none"}, want ${status}`);
      return res;
    },
    shot: async (page, file) => {
      await mkdir(artifacts, { recursive: true });
      await page.screenshot({ path: path.join(artifacts, file), fullPage: true });
    },
  };

  try {
    const page = await open("");
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
    if (check.run) await check.run(page, helpers);
    // Late console errors and CSP reports of the last step.
    await page.waitForTimeout(check.run ? SETTLE_MS : 0);

    const shot = expect.screenshot ?? `${check.name}.png`;
    if (shot) await helpers.shot(page, shot);
  } catch (err) {
    problems.push(`error: ${err && err.message ? err.message.split("\n")[0] : err}`);
  } finally {
    for (const context of contexts) await context.close().catch(() => {});
  }
  return [...new Set(problems)];
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
