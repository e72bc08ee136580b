// Helpers shared by the browser journeys (smoke.mjs and e2e/journeys/*.mjs).

// The server under test; smoke.mjs sets it once from its argument.
let base;
export function useBase(url) {
  base = url;
}

export const PASSWORD = "a long enough password";

export function uniqueSlug() {
  return `e2e-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

// signUpAndVerify signs up an organisation in page (anywhere on the
// server), confirms the owner's address through the development outbox
// and leaves page on the organisation's dashboard.
export async function signUpAndVerify(page, orgName) {
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
export async function readMail(page, to, subject) {
  await page.goto(new URL("/dev/mail", page.url().startsWith("http") ? page.url() : base).href);
  const row = page.locator("table tbody tr", { has: page.locator(`td:text-is("${to}")`) }).filter({ hasText: subject }).first();
  await Promise.all([page.waitForURL("**/dev/mail/*", { waitUntil: "commit" }), row.getByRole("link").click()]);
  return page.locator(".mail-body").innerText();
}

// invite sends one invitation from the organisation's invitations page.
export async function invite(page, slug, { email, name, role, kinds = [] }) {
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
export async function acceptInvitation(page, org, who) {
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

// fillPractitionerProfile opens the practitioner profile from My support
// and saves it as a coach taking new people (topics typed, matched to the
// organisation's vocabulary). A person has one time zone, on their
// account: with `zone`, it is set there first. It returns whether the
// profile started with the kind "coach" (the invitation's) ticked.
export async function fillPractitionerProfile(page, org, { zone } = {}) {
  if (zone) await setAccountZone(page, org, zone);
  await clickNav(page, "My support", `/o/${org.slug}/my`);
  await Promise.all([page.waitForURL(`**/o/${org.slug}/profile`, { waitUntil: "commit" }),
    page.getByRole("link", { name: "Your profile", exact: true }).click()]);
  const profile = page.locator(`form[action$='/o/${org.slug}/profile']`);
  const startedAsCoach = await profile.getByLabel("coach", { exact: true }).isChecked();
  await profile.getByLabel("coach", { exact: true }).check();
  await profile.getByLabel("Other topics").fill("leadership, trust");
  await profile.getByLabel("Languages").fill("en");
  await profile.getByLabel("How many people at once").fill("3");
  await profile.getByLabel("A short bio").fill("Twenty years of leading teams; now I coach.");
  await profile.getByLabel("I am taking new people").check();
  await submitAndSee(page, profile, ".flash-success", "Profile saved");
  return startedAsCoach;
}

// acceptProposal opens the newest proposal e-mailed to coach and accepts
// it; page ends on the new relationship. Returns its path and the
// proposal page's heading.
export async function acceptProposal(page, org, coach) {
  const mail = await readMail(page, coach.email, "Would you take on a new person");
  const link = mail.match(/https?:\/\/\S+\/proposals\/[0-9a-f-]+/);
  if (!link) throw new Error(`the proposal e-mail to ${coach.email} has no link`);
  await page.goto(new URL(new URL(link[0]).pathname, page.url()).href);
  const heading = await page.textContent("h1");
  await Promise.all([page.waitForURL(`**/o/${org.slug}/relationships/*`, { waitUntil: "commit" }),
    page.locator("form[action$='/accept']").getByRole("button", { name: "Accept" }).click()]);
  return { relPath: new URL(page.url()).pathname, heading };
}

// matchFaceToFace gives member an active one-to-one coaching relationship
// with coach the quick way a coordinator can (owner is staff): record a
// face-to-face assessment, propose the top-ranked candidate, and the coach
// accepts from the e-mail. The coach's profile must be filled in. Returns
// the relationship's path.
export async function matchFaceToFace(owner, coachPage, org, coach, member) {
  await owner.goto(new URL(`/o/${org.slug}/assessments/new`, owner.url()).href);
  const form = owner.locator(`form[action='/o/${org.slug}/assessments']`);
  await form.getByLabel("Person").selectOption({ label: `${member.name} (${member.email})` });
  await form.getByLabel("Kind of support").selectOption("coaching");
  await form.getByLabel("Format").selectOption("one_to_one");
  await form.getByLabel("Duration").selectOption("ongoing");
  await form.getByLabel("Topics").fill("leadership, trust");
  await form.getByLabel("Languages").fill("en");
  await form.getByLabel("What you agreed, and why").fill("Wants a coach for a new leadership role.");
  await Promise.all([owner.waitForURL(`**/o/${org.slug}/requests/*`, { waitUntil: "commit" }),
    form.getByRole("button", { name: "Record and signpost" }).click()]);
  const top = owner.locator("section", { has: owner.getByRole("heading", { name: "Candidates, best first" }) }).locator("article").first();
  await top.waitFor();
  const name = await top.locator("h3").innerText();
  if (name !== coach.name) throw new Error(`the top-ranked candidate is ${name}, not ${coach.name}`);
  await submitAndSee(owner, top.locator("form[action$='/proposals']"), ".flash-success", "Proposed");
  return (await acceptProposal(coachPage, org, coach)).relPath;
}

// coachingAnswers are the answers of the default needs assessment that
// lead to coaching, one to one, ongoing, with the given topic labels.
export function coachingAnswers(topics) {
  return [
    "I want to grow, personally or professionally, and find my own way forward",
    "Good questions that help me find my own answers",
    "I have made my own choices and acted on them",
    "One to one",
    "An ongoing arrangement, without a set end",
    topics,
  ];
}

// answerAssessment opens the needs assessment from My support and answers
// it one htmx step at a time (a step's answer is a label, or a list of
// labels to tick); it returns the assessment's step, left on the review.
export async function answerAssessment(page, org, answers) {
  await clickNav(page, "My support", `/o/${org.slug}/my`);
  await Promise.all([page.waitForURL(`**/o/${org.slug}/assessment`, { waitUntil: "commit" }),
    page.getByRole("link", { name: "Take the needs assessment" }).click()]);
  const step = page.locator("#assessment-step");
  for (let i = 0; i < answers.length; i++) {
    await step.locator(`progress[value='${i + 1}']`).waitFor();
    for (const label of [answers[i]].flat()) await step.getByLabel(label, { exact: true }).check();
    await step.getByRole("button", { name: /^(Next|Save and go on)$/ }).click();
  }
  await step.locator(`progress[value='${answers.length + 1}']`).waitFor();
  return step;
}

// seeRecommendation leaves an answered assessment's review for the
// recommendation.
export async function seeRecommendation(page, org, step) {
  await Promise.all([page.waitForURL(`**/o/${org.slug}/assessment`, { waitUntil: "commit" }),
    step.getByRole("button", { name: "See my recommendation" }).click()]);
  await page.getByRole("heading", { name: "Our recommendation", exact: true }).waitFor();
}

// acceptAgreement accepts the draft agreement of the relationship at
// relPath as the person of page (sessions are booked once both sides have).
export async function acceptAgreement(page, relPath) {
  await page.goto(new URL(relPath, page.url()).href);
  await submitAndSee(page, page.locator("form[action$='/agreement/accept']"), ".flash-success", "You accepted the agreement");
}

// agreeBothSides has the coach and then the member accept the
// relationship's agreement as it stands (sessions are booked only under
// an agreement both sides accepted).
export async function agreeBothSides(coachPage, memberPage, relPath) {
  for (const page of [coachPage, memberPage]) await acceptAgreement(page, relPath);
}

// setAccountZone saves the person's own time zone on /account, and goes
// back to the organisation's dashboard.
export async function setAccountZone(page, org, zone) {
  await page.goto(new URL("/account", page.url()).href);
  const form = page.locator("form[action='/account/profile']");
  await form.getByLabel("Your time zone").selectOption(zone);
  await submitAndSee(page, form, ".flash-success", "Your profile is saved");
  await page.goto(new URL(`/o/${org.slug}`, page.url()).href);
}

// --- Time zones, computed in the browser-independent Intl API -----------

export const DAY_MS = 864e5;
// The abbreviations Go's "MST" layout prints, by zone and UTC offset.
export const ZONE_ABBR = {
  "Europe/London": { 0: "GMT", 60: "BST" },
  "America/New_York": { [-300]: "EST", [-240]: "EDT" },
};
export const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
export const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// wall is the wall clock of instant t (ms) in zone.
export function wall(t, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  const asUTC = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const offset = Math.round((asUTC - Math.floor(t / 1000) * 1000) / 60000);
  const local = new Date(asUTC);
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, offset,
    weekday: WEEKDAYS[local.getUTCDay()], abbr: ZONE_ABBR[zone]?.[offset] ?? `UTC${offset}`,
    // As Go's "Mon 2 Jan 2006, 15:04 MST" and the week view's "Mon 2".
    go: `${WEEKDAYS[local.getUTCDay()]} ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${parts.year}, ${parts.hour}:${parts.minute} ${ZONE_ABBR[zone]?.[offset] ?? ""}`,
    dayHead: `${WEEKDAYS[local.getUTCDay()]} ${local.getUTCDate()}`,
    // As Go's "Mon 2 Jan 2006".
    goDate: `${WEEKDAYS[local.getUTCDay()]} ${local.getUTCDate()} ${MONTHS[local.getUTCMonth()]} ${parts.year}`,
  };
}

// zonedInstant is the instant (ms) of wall time date ("YYYY-MM-DD") and
// hhmm ("HH:MM") in zone.
export function zonedInstant(date, hhmm, zone) {
  const guess = Date.parse(`${date}T${hhmm}:00Z`);
  let t = guess - wall(guess, zone).offset * 60000;
  t = guess - wall(t, zone).offset * 60000;
  return t;
}

// icsStamp is an instant as iCalendar's UTC form, 20270302T140000Z.
export function icsStamp(t) {
  return new Date(t).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

// weekEvents opens the week view around date and lists its sessions.
export async function weekEvents(page, slug, date) {
  await page.goto(new URL(`/o/${slug}/calendar?view=week&date=${date}`, page.url()).href);
  return readWeek(page);
}

// readWeek lists the sessions of the week view on the page: day heading
// ("Tue 2"), start time, link, and whether it is cancelled.
export async function readWeek(page) {
  return page.locator("#calendar .cal-week").evaluate((week) => [...week.querySelectorAll(".cal-day-col")].slice(1).flatMap((col) => {
    const day = col.querySelector(".cal-day-head").textContent.trim();
    return [...col.querySelectorAll(".cal-event")].map((a) => ({
      day, time: a.querySelector("time").textContent.trim(), href: a.getAttribute("href"),
      cancelled: a.classList.contains("status-cancelled"),
    }));
  }));
}

// addDays adds n days to a date "YYYY-MM-DD".
export function addDays(date, n) {
  return new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

// nextUSSpringChange is the date of the next US change to summer time (the
// second Sunday of March) at least two weeks after now.
export function nextUSSpringChange(now) {
  for (let y = new Date(now).getUTCFullYear(); ; y++) {
    const firstSunday = 1 + ((7 - new Date(Date.UTC(y, 2, 1)).getUTCDay()) % 7);
    const change = Date.UTC(y, 2, firstSunday + 7);
    if (change - now > 14 * DAY_MS) return new Date(change).toISOString().slice(0, 10);
  }
}

export function count(s, sub) {
  return s.split(sub).length - 1;
}

// mailICS reads the .ics of the e-mail open in page (on /dev/mail/:id).
export async function mailICS(page) {
  const link = page.locator("a[href$='/invite.ics']");
  if (!(await link.count())) return { method: "", body: "" };
  const method = ((await link.locator("xpath=..").innerText()).match(/\((\w+)\)/) || [])[1] || "";
  const res = await page.request.get(new URL(await link.getAttribute("href"), page.url()).href);
  return { method, body: await res.text() };
}

// The example course every organisation gets, and its quizzes' right
// answers (app/courses/seed.go).
export const EXAMPLE_COURSE = "Foundations of mentoring";
export const FOUNDATIONS_ANSWERS = {
  "Which of these is closest to mentoring?": "Passing on experience, advice and contacts to a less experienced colleague",
  "A mentee mostly wants help to reflect on their own coaching practice. What would you suggest?": "Supervision with an experienced practitioner",
  "Which of these belongs in a first mentoring agreement?": "How often you will meet and what stays confidential",
  "Why should a mentee be told they may end the relationship at any time?": "Because of the power difference between mentor and mentee",
  "What is a good first step before giving advice?": "Ask what they have already tried",
};

// answerQuiz answers the quiz open in page, pick(prompt, labels) choosing
// each answer, submits it and waits for the result.
export async function answerQuiz(page, pick) {
  const form = page.locator("form[action*='/quizzes/']");
  for (const fs of await form.locator("fieldset").all()) {
    const prompt = (await fs.locator("legend").innerText()).trim();
    const labels = (await fs.locator("label").allInnerTexts()).map((l) => l.trim());
    const answer = pick(prompt, labels);
    if (!answer || !labels.includes(answer)) throw new Error(`no answer for the quiz question "${prompt}" (the seed changed?)`);
    await fs.getByLabel(answer, { exact: true }).check();
  }
  await page.evaluate(() => document.querySelector("#quiz-result")?.remove());
  await form.getByRole("button", { name: "Submit answers" }).click();
  await page.locator("#quiz-result").waitFor();
}

// submitAndSee submits form (a Locator) and waits for `selector` with `text`.
// Flashes already on the page are removed first, so that an old one with
// the same words does not count.
export async function submitAndSee(page, form, selector, text) {
  await page.evaluate((sel) => document.querySelectorAll(sel).forEach((e) => e.remove()), selector);
  await form.locator("button[type=submit]").last().click();
  await page.locator(selector, { hasText: text }).first().waitFor();
}

// travel moves the server's clock forward by days from /dev/clock (a
// server of the check's own with TOOLBOX_TIME_TRAVEL=on).
export async function travel(page, days) {
  await page.goto(new URL("/dev/clock", page.url()).href);
  const form = page.locator("form[action='/dev/clock']");
  await form.getByLabel("Move forward by (days)").fill(String(days));
  await submitAndSee(page, form, ".flash-success", `moved forward ${days} days`);
}

export async function navLinks(page) {
  // Every link of the organisation's navigation, those folded in its
  // "Manage" menu (or, on a phone, the whole "Menu") included.
  return page.locator('nav[aria-label="Organisation"] a').allTextContents();
}

// openNav makes the organisation's link name visible: on a phone it opens
// the "Menu" button, on a wide screen the "Manage" menu if the link is in it.
// It returns the navigation the link is in.
export async function openNav(page, name) {
  let nav = page.getByRole("navigation", { name: "Organisation", exact: true });
  if (!(await nav.isVisible())) {
    await page.locator("details.nav-menu > summary").click();
    nav = page.getByRole("navigation", { name: "Menu", exact: true });
  }
  const link = nav.getByRole("link", { name, exact: true });
  if (!(await link.isVisible())) await nav.locator(".nav-drop > details > summary").click();
  return nav;
}

// clickNav follows a link of the organisation's nav and waits until the
// new page is in (the link marked current), not just the address.
export async function clickNav(page, name, pathname) {
  const nav = await openNav(page, name);
  await Promise.all([page.waitForURL(`**${pathname}`, { waitUntil: "commit" }),
    nav.getByRole("link", { name, exact: true }).click()]);
  await page.locator('nav[aria-label="Organisation"] a[aria-current=page]', { hasText: name }).first().waitFor({ state: "attached" });
}

// eventually retries fn (which throws until what it waits for is there)
// every second, for up to `seconds`, and fails with its last error.
export async function eventually(what, seconds, fn) {
  let last;
  for (let i = 0; i < seconds; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  throw new Error(`${what}: ${last && last.message ? last.message.split("\n")[0] : last}`);
}
