// Browser smoke test: drives Debian's Chromium (/usr/bin/chromium) with
// playwright-core against a running server.
//
//   node e2e/smoke.mjs http://127.0.0.1:8080      (or E2E_BASE_URL=...)
//   E2E_ONLY=calendar,courses node e2e/smoke.mjs ...   (only those checks)
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
//   server      {env} runs the check against a server of its own (e2e/server.mjs),
//               started from E2E_BIN with that extra environment
//   run         optional async (page, helpers) => {} for extra steps; helpers:
//     expectTrue(ok, what)       record a problem unless ok
//     person(label)              a page in another fresh browser context (another
//                                person), watched like the first one (problems are
//                                prefixed with [label]) and closed after the check
//     expectStatus(page, p, n)   open path p in page, wanting HTTP status n (>= 400
//                                is then not a problem); returns the Response
//     allowStatus(p, n)          an answer n (>= 400) from path p is wanted (a form a
//                                step submits to see it refused), not a problem
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
import {
  PASSWORD,
  uniqueSlug,
  signUpAndVerify,
  readMail,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  acceptProposal,
  matchFaceToFace,
  agreeBothSides,
  coachingAnswers,
  answerAssessment,
  seeRecommendation,
  setAccountZone,
  DAY_MS,
  ZONE_ABBR,
  WEEKDAYS,
  MONTHS,
  wall,
  zonedInstant,
  icsStamp,
  weekEvents,
  readWeek,
  addDays,
  nextUSSpringChange,
  count,
  mailICS,
  EXAMPLE_COURSE,
  FOUNDATIONS_ANSWERS,
  answerQuiz,
  submitAndSee,
  navLinks,
  clickNav,
  useBase,
} from "./lib.mjs";
import { readdir } from "node:fs/promises";
import { startOwnServer } from "./server.mjs";

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
      const startedAsCoach = await fillPractitionerProfile(coachPage, org);
      expectTrue(startedAsCoach, "the profile does not start with the kind the invitation gave");

      // The member takes the assessment, one htmx step at a time.
      const answers = coachingAnswers(["Leading people", "Building trust"]);
      const step = await answerAssessment(memberPage, org, answers);
      expectTrue((await step.innerText()).includes(`You answered ${answers.length} of ${answers.length} questions`), "the review does not count every answer");
      await seeRecommendation(memberPage, org, step);
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
      expectTrue((await top.innerText()).includes("Shared topics: Leading people, Building trust"), "the ranking does not explain the shared topics");
      await shot(owner, "matching-candidates.png");
      await submitAndSee(owner, top.locator("form[action$='/proposals']"), ".flash-success", "Proposed");
      expectTrue(/pending/.test(await owner.locator("main").innerText()), "the request does not show the pending proposal");

      // The coach accepts from the e-mail.
      const { relPath, heading } = await acceptProposal(coachPage, org, coach);
      expectTrue(heading.includes(member.name), "the proposal page does not name the member");

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
  {
    // Issue 5, "done means": a coach in New York opens Tuesday and Thursday
    // mornings with 15-minute buffers; a member in London, in an active
    // coaching relationship with her, books a six-session fortnightly series
    // and sees London times while the coach sees New York ones; a second
    // fortnightly series of six runs across the spring daylight-saving
    // changes, and each side sees its own wall time; the e-mails carry .ics
    // invitations; cancelling one occurrence sends a METHOD:CANCEL and marks
    // it cancelled; the subscription feed lists the sessions. Reminders
    // cannot be waited for here: Go tests cover them (app/calendar).
    name: "calendar",
    path: "/signup",
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, shot }) => {
      const NY = "America/New_York";
      const LDN = "Europe/London";
      const org = await signUpAndVerify(owner, "Docklands Coaching");
      const coach = { name: "Nadia Newyork", email: `${org.slug}-coach@example.test` };
      const member = { name: "Lola London", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);
      await setAccountZone(coachPage, org, NY);
      await setAccountZone(memberPage, org, LDN);
      await fillPractitionerProfile(coachPage, org, { zone: NY });
      const relPath = await matchFaceToFace(owner, coachPage, org, coach, member);
      await agreeBothSides(coachPage, memberPage, relPath);

      // The coach opens Tuesday and Thursday mornings, with buffers, in the
      // availability editor (htmx).
      await clickNav(coachPage, "Calendar", `/o/${org.slug}/calendar`);
      await Promise.all([coachPage.waitForURL("**/calendar/availability", { waitUntil: "commit" }),
        coachPage.getByRole("link", { name: "Availability", exact: true }).click()]);
      expectTrue((await coachPage.locator("#main .page-header").innerText()).includes(`kept in ${NY}`),
        "the availability page does not keep the coach's hours in New York time");
      const rules = coachPage.locator("#availability table tbody tr");
      for (const [i, [value, day]] of [["2", "Tuesday"], ["4", "Thursday"]].entries()) {
        const form = coachPage.locator("form[action$='/availability/rules']");
        await form.getByLabel("Day").selectOption(value);
        await form.getByLabel("From").fill("09:00");
        await form.getByLabel("To").fill("12:00");
        await form.getByRole("button", { name: "Add hours" }).click();
        await rules.nth(i).waitFor();
        expectTrue(/^\s*\S+\s+09:00\s+12:00/.test(await rules.nth(i).innerText()) && (await rules.allInnerTexts()).some((r) => r.startsWith(day)),
          `the ${day} morning is not listed after adding it`);
      }
      // The preview follows the buffer as it changes (htmx, not saved
      // yet); then Save, straight after typing the second one, as people do
      // (the preview request that the typing starts must not get in the way).
      const settings = coachPage.locator("form[action$='/availability/settings']");
      await settings.getByLabel("Buffer before a session (minutes)").fill("15");
      await Promise.all([coachPage.waitForResponse((r) => r.url().includes("/availability/preview?") && r.url().includes("buffer_before=15")),
        settings.getByLabel("Buffer before a session (minutes)").press("Tab")]);
      await coachPage.locator("#preview .cal-slot").first().waitFor();
      await settings.getByLabel("Buffer after a session (minutes)").fill("15");
      // Six fortnightly sessions reach 70 days ahead: open the window to 90
      // (the default is 60; every occurrence of a series must fit in it).
      await settings.getByLabel("Booking window (days ahead)").fill("90");
      await Promise.all([coachPage.waitForResponse((r) => r.url().endsWith("/availability/settings") && r.request().method() === "POST"),
        settings.getByRole("button", { name: "Save booking rules" }).click()]);
      await coachPage.reload();
      expectTrue(await coachPage.getByLabel("Buffer before a session (minutes)").inputValue() === "15" &&
        await coachPage.getByLabel("Buffer after a session (minutes)").inputValue() === "15", "the 15-minute buffers are not kept");
      const preview = await coachPage.locator("#preview").innerText();
      const previewDays = await coachPage.locator("#preview h3").allInnerTexts();
      expectTrue(preview.includes(`Times shown in ${NY}`) && /09:00 E[SD]T/.test(preview), "the preview does not show New York mornings");
      expectTrue(previewDays.length > 0 && previewDays.every((d) => /^(Tuesday|Thursday) /.test(d)), `the preview offers other days: ${previewDays}`);
      await shot(coachPage, "calendar-availability.png");

      // The member sees the open slots in London time and books a six-session
      // fortnightly series from the first Thursday.
      await clickNav(memberPage, "Calendar", `/o/${org.slug}/calendar`);
      await Promise.all([memberPage.waitForURL("**/calendar/book/*", { waitUntil: "commit" }),
        memberPage.locator("a[href*='/calendar/book/']").first().click()]);
      const bookPath = new URL(memberPage.url()).pathname;
      const bookNote = await memberPage.locator(".tz-note").innerText();
      expectTrue(bookNote.includes(`Times shown in ${LDN}`) && bookNote.includes(NY), `the booking page does not name both zones: ${bookNote}`);
      // The month shows the free days; each day's times sit beside it.
      const readSlots = () => memberPage.locator(".booking-times button[name=start]").evaluateAll((bs) => bs.map((b) => ({ value: b.value, label: b.textContent.trim() })));
      const slots = [];
      for (const href of await memberPage.locator(".booking-grid td.free a").evaluateAll((as) => as.map((a) => a.getAttribute("href")))) {
        await memberPage.locator(`.booking-grid a[href='${href}']`).click();
        await memberPage.locator(`.booking-grid td.selected a[href='${href}']`).waitFor();
        slots.push(...await readSlots());
      }
      expectTrue(slots.length > 0, "the member is offered no slots");
      for (const sl of slots) {
        const t = Date.parse(sl.value);
        const [l, n] = [wall(t, LDN), wall(t, NY)];
        if (sl.label !== `${l.time} ${l.abbr}`) { expectTrue(false, `slot ${sl.value} is labelled ${sl.label}, not London's ${l.time} ${l.abbr}`); break; }
        if (!["Tue", "Thu"].includes(n.weekday) || n.time < "09:00" || n.time > "11:00") { expectTrue(false, `slot ${sl.value} is ${n.weekday} ${n.time} in New York, outside the coach's hours`); break; }
      }
      const first = slots.find((sl) => wall(Date.parse(sl.value), NY).weekday === "Thu" && wall(Date.parse(sl.value), NY).time === "09:00");
      expectTrue(first, "no Thursday 09:00 (New York) slot is offered");
      if (!first) return;
      const firstDay = wall(Date.parse(first.value), NY).date;
      const seriesA = [0, 1, 2, 3, 4, 5].map((i) => zonedInstant(addDays(firstDay, 14 * i), "09:00", NY));
      // Choose the day and the time, then the repeat, then confirm.
      await memberPage.goto(new URL(`${bookPath}?day=${wall(Date.parse(first.value), LDN).date}`, memberPage.url()).href);
      await memberPage.locator(`.booking-times button[value='${first.value}']`).click();
      const repeat = memberPage.locator(".booking-side form");
      await repeat.getByLabel("How often").selectOption("14");
      await repeat.getByLabel("How many times").fill("6");
      await repeat.getByRole("button", { name: "Continue" }).click();
      await Promise.all([memberPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }),
        memberPage.getByRole("button", { name: "Book 6 sessions" }).click()]);
      await memberPage.locator(".flash-success", { hasText: "6 sessions are booked" }).waitFor();
      const when = await memberPage.locator("#main dl").innerText();
      expectTrue(when.includes(wall(seriesA[0], LDN).go) && when.includes(wall(seriesA[0], NY).go),
        `the member's session page does not show London time and the coach's time: ${when}`);
      // The 15-minute buffers hold: after 09:00-10:00 New York, the next
      // start that day is 10:30, not 10:00.
      await memberPage.goto(new URL(`${bookPath}?day=${wall(Date.parse(first.value), LDN).date}`, memberPage.url()).href);
      const sameDay = (await readSlots()).filter((sl) => wall(Date.parse(sl.value), NY).date === firstDay).map((sl) => wall(Date.parse(sl.value), NY).time);
      expectTrue(sameDay.join(" ") === "10:30 11:00", `after the booking, that Thursday offers ${sameDay.join(" ") || "nothing"} (New York), want 10:30 11:00`);

      // Both get an e-mail in their own zone, with an .ics invitation.
      for (const [page, who, zone] of [[memberPage, member, LDN], [coachPage, coach, NY]]) {
        const body = await readMail(page, who.email, `6 sessions booked, from ${wall(seriesA[0], zone).go}`);
        const missing = seriesA.filter((t) => !body.includes(wall(t, zone).go)).map((t) => wall(t, zone).go);
        expectTrue(missing.length === 0, `the booking e-mail to ${who.email} lacks ${missing.join("; ")}`);
        const ics = await mailICS(page);
        expectTrue(ics.method === "REQUEST" && /^METHOD:REQUEST\r?$/m.test(ics.body) && count(ics.body, "BEGIN:VEVENT") === 6 &&
          ics.body.includes(`DTSTART:${icsStamp(seriesA[0])}`), `the booking e-mail to ${who.email} has no .ics REQUEST with the six sessions`);
      }

      // A second fortnightly series across the spring daylight-saving
      // changes. The member's booking page offers four weeks ahead only, and
      // from now (late November 2026) no change falls within them, so the
      // coach schedules this series directly from "Schedule a session"
      // (repeat every 14 days, 6 times). Its first Tuesday is 12 days before
      // the US change: run on 2026-11-28 that is Tue 2 March 2027, and the
      // series (2, 16, 30 March, 13, 27 April, 11 May) spans the US change
      // of 14 March and the UK one of 28 March.
      const dstStart = addDays(nextUSSpringChange(Date.now()), -12);
      const seriesB = [0, 1, 2, 3, 4, 5].map((i) => zonedInstant(addDays(dstStart, 14 * i), "09:00", NY));
      await coachPage.goto(new URL(`/o/${org.slug}/calendar`, coachPage.url()).href);
      await Promise.all([coachPage.waitForURL("**/calendar/new", { waitUntil: "commit" }),
        coachPage.getByRole("link", { name: "Schedule a session" }).click()]);
      const sched = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
      expectTrue((await sched.innerText()).includes(`In ${NY}`), "the schedule form does not say it is in New York time");
      await sched.getByLabel("Relationship").selectOption({ index: 1 });
      await sched.getByLabel("Date", { exact: true }).fill(dstStart);
      await sched.getByLabel("Start time").fill("09:00");
      await sched.getByLabel("Every how many days").fill("14");
      await sched.getByLabel("How many times").fill("6");
      await Promise.all([coachPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }),
        sched.getByRole("button", { name: "Schedule" }).click()]);
      await coachPage.locator(".flash-success", { hasText: "6 sessions are booked" }).waitFor();

      // Each side sees its own wall time: New York stays at 09:00, London
      // moves 14:00 → 13:00 (US change) → 14:00 (UK change).
      const seen = { coach: [], member: [] };
      const ids = [];
      for (const [i, t] of seriesB.slice(0, 3).entries()) {
        for (const [page, who, zone] of [[coachPage, "coach", NY], [memberPage, "member", LDN]]) {
          const w = wall(t, zone);
          let events;
          if (who === "coach" && i > 0) {
            // The coach gets there with the htmx "Next" button, twice.
            const monday = addDays(w.date, -((new Date(`${w.date}T00:00:00Z`).getUTCDay() + 6) % 7));
            for (const back of [7, 0]) {
              const want = addDays(monday, -back);
              await page.locator("#calendar").getByRole("link", { name: "Next", exact: true }).click();
              await page.waitForURL(`**date=${want}`, { waitUntil: "commit" });
              await page.locator("#calendar .cal-day-head", { hasText: new RegExp(`^Mon ${Number(want.slice(8))}$`) }).waitFor();
            }
            events = await readWeek(page);
          } else {
            events = await weekEvents(page, org.slug, w.date);
          }
          const note = await page.locator("#calendar .tz-note").innerText();
          expectTrue(note.includes(zone), `the ${who}'s week view does not name ${zone}: ${note}`);
          const ev = events.filter((e) => e.day === w.dayHead);
          expectTrue(ev.length === 1 && ev[0].time === w.time, `the ${who} sees ${JSON.stringify(ev)} on ${w.dayHead}, want one session at ${w.time} (${zone})`);
          seen[who].push(ev[0]?.time);
          if (who === "coach" && ev[0]) ids.push(ev[0].href.split("/").pop());
          if (i === 1) await shot(page, `calendar-week-${who}.png`);
        }
      }
      expectTrue(seen.coach.every((x) => x === "09:00"), `the coach's wall time moves across the changes: ${seen.coach}`);
      expectTrue(seen.member[0] !== seen.member[1] && seen.member[1] !== seen.member[2],
        `the member's London wall time does not shift an hour across each change: ${seen.member}`);

      // The member's session page names both times; the e-mail lists all six.
      await memberPage.goto(new URL(`/o/${org.slug}/calendar/sessions/${ids[1]}`, memberPage.url()).href);
      const when2 = await memberPage.locator("#main dl").innerText();
      expectTrue(when2.includes(wall(seriesB[1], LDN).go) && when2.includes(wall(seriesB[1], NY).go),
        `the member's session page after the US change does not show ${wall(seriesB[1], LDN).go} and ${wall(seriesB[1], NY).go}: ${when2}`);
      const mailB = await readMail(memberPage, member.email, `6 sessions booked, from ${wall(seriesB[0], LDN).go}`);
      const missingB = seriesB.filter((t) => !mailB.includes(wall(t, LDN).go)).map((t) => wall(t, LDN).go);
      expectTrue(missingB.length === 0, `the member's e-mail for the spring series lacks ${missingB.join("; ")}`);
      const icsB = await mailICS(memberPage);
      expectTrue(icsB.method === "REQUEST" && seriesB.every((t) => icsB.body.includes(`DTSTART:${icsStamp(t)}`)),
        "the spring series' .ics does not hold the six UTC starts");

      // The member cancels the occurrence between the two changes.
      await memberPage.goto(new URL(`/o/${org.slug}/calendar/sessions/${ids[1]}`, memberPage.url()).href);
      const cancel = memberPage.locator("form[action$='/cancel']");
      await cancel.locator("input[name=reason]").fill("Travelling that week");
      await submitAndSee(memberPage, cancel, ".flash-success", "The session is cancelled");
      expectTrue(await memberPage.locator("#main .page-header .badge", { hasText: /^cancelled$/ }).isVisible(), "the session does not show as cancelled");
      for (const [page, who, zone] of [[coachPage, coach, NY], [memberPage, member, LDN]]) {
        const body = await readMail(page, who.email, `Cancelled: `);
        expectTrue(body.includes(wall(seriesB[1], zone).go) && body.includes("Travelling that week"), `the cancellation e-mail to ${who.email} does not name the session and reason`);
        const ics = await mailICS(page);
        expectTrue(ics.method === "CANCEL" && /^METHOD:CANCEL\r?$/m.test(ics.body) && ics.body.includes(`${ids[1]}@`) && ics.body.includes("STATUS:CANCELLED"),
          `the cancellation e-mail to ${who.email} has no .ics CANCEL for the session`);
      }
      const after = await weekEvents(coachPage, org.slug, wall(seriesB[1], NY).date);
      expectTrue(after.length === 1 && after[0].cancelled, "the coach's week view does not show the occurrence as cancelled");
      const later = await weekEvents(coachPage, org.slug, wall(seriesB[2], NY).date);
      expectTrue(later.length === 1 && !later[0].cancelled, "cancelling one occurrence touched the next");

      // The subscription feed, read as a calendar app would (no cookies).
      await memberPage.goto(new URL(`/o/${org.slug}/calendar/subscription`, memberPage.url()).href);
      await memberPage.getByRole("button", { name: "Make my private address" }).click();
      const feedURL = await memberPage.locator("#feed-url").inputValue();
      const app = await person("calendar app");
      const res = await app.request.get(new URL(new URL(feedURL).pathname, base).href);
      const feed = await res.text();
      expectTrue(res.status() === 200 && (res.headers()["content-type"] || "").startsWith("text/calendar"),
        `the feed answers ${res.status()} ${res.headers()["content-type"]}`);
      const events = feed.split("BEGIN:VEVENT").slice(1);
      expectTrue(events.length === 12, `the feed lists ${events.length} sessions, want 12`);
      for (const t of [...seriesA, ...seriesB]) {
        expectTrue(feed.includes(`DTSTART:${icsStamp(t)}`), `the feed lacks the session starting ${icsStamp(t)}`);
      }
      const cancelled = events.find((e) => e.includes(`${ids[1]}@`));
      expectTrue(cancelled && cancelled.includes("STATUS:CANCELLED"), "the feed does not mark the cancelled occurrence");
      expectTrue(events.filter((e) => e.includes("STATUS:CANCELLED")).length === 1, "the feed marks more than one session cancelled");
    },
  },
  {
    // Issue 6 without Stripe (the embedded default): a member opens Courses,
    // enrols on the example course for free, completes every lesson (htmx)
    // and passes every quiz, and gets a certificate whose public link shows
    // the name, course and date and nothing else. An admin's paid course
    // says that payments are not configured; the admin grants the member a
    // place by hand, and the audit log records it.
    name: "courses",
    path: "/signup",
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, expectStatus, shot }) => {
      const org = await signUpAndVerify(owner, "Barbican Learning");
      const member = { name: "Tess Trainee", email: `${org.slug}-trainee@example.test` };
      await invite(owner, org.slug, { ...member, role: "member" });
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);

      await clickNav(memberPage, "Courses", `/o/${org.slug}/courses`);
      const example = memberPage.locator("section.card", { has: memberPage.getByRole("link", { name: EXAMPLE_COURSE }) });
      expectTrue((await example.innerText()).includes("Free"), "the example course is not listed as free");
      await Promise.all([memberPage.waitForURL("**/courses/*", { waitUntil: "commit" }),
        example.getByRole("link", { name: EXAMPLE_COURSE }).click()]);
      const coursePath = new URL(memberPage.url()).pathname;
      await submitAndSee(memberPage, memberPage.locator("form[action$='/enrol']"), ".flash-success", "You are enrolled");
      const steps = Number(await memberPage.locator("#course-progress-bar").getAttribute("max"));
      expectTrue(steps === 9 && (await memberPage.locator("#course-progress-bar").getAttribute("value")) === "0",
        `the progress bar does not start at 0 of 9 steps (6 lessons, 3 quizzes): max ${steps}`);

      // Follow the course page's next step until the course is complete.
      let lessons = 0;
      let quizzes = 0;
      let failedOnce = false;
      for (let i = 0; i < 2 * steps; i++) {
        if (await memberPage.getByText("You completed this course.").isVisible()) break;
        await Promise.all([memberPage.waitForURL(/\/(lessons|quizzes)\//, { waitUntil: "commit" }),
          memberPage.locator("#main a.btn-primary").first().click()]);
        if (memberPage.url().includes("/lessons/")) {
          const before = Number(await memberPage.locator("#lesson-progress-bar").getAttribute("value"));
          await memberPage.locator("#lesson-progress").getByRole("button", { name: "Mark as complete" }).click();
          await memberPage.locator("#lesson-progress .badge", { hasText: "Lesson complete" }).waitFor();
          const now = Number(await memberPage.locator("#lesson-progress-bar").getAttribute("value"));
          expectTrue(now === before + 1, `marking a lesson complete moved the progress bar from ${before} to ${now}`);
          lessons++;
        } else {
          if (!failedOnce) {
            // A wrong answer first: the feedback explains, and it is a fail.
            await answerQuiz(memberPage, (prompt, labels) => labels.find((l) => l !== FOUNDATIONS_ANSWERS[prompt]));
            const result = await memberPage.locator("#quiz-result").innerText();
            expectTrue(result.includes("Not yet") && result.includes("Not right"), "a wrong quiz answer is not marked as a fail with feedback");
            failedOnce = true;
          }
          await answerQuiz(memberPage, (prompt) => FOUNDATIONS_ANSWERS[prompt]);
          const result = await memberPage.locator("#quiz-result").innerText();
          expectTrue(result.includes("You passed"), `the right answers did not pass the quiz: ${result.slice(0, 200)}`);
          quizzes++;
        }
        await memberPage.goto(new URL(coursePath, memberPage.url()).href);
      }
      expectTrue(lessons === 6 && quizzes === 3, `the member did ${lessons} lessons and ${quizzes} quizzes, want 6 and 3`);
      expectTrue(await memberPage.locator("#course-progress-bar").getAttribute("value") === String(steps), "the progress bar is not full");

      // The certificate, and its public check in a fresh anonymous browser.
      await Promise.all([memberPage.waitForURL(`**/o/${org.slug}/certificates/*`, { waitUntil: "commit" }),
        memberPage.getByRole("link", { name: "View your certificate" }).click()]);
      const cert = await memberPage.locator("#main").innerText();
      const today = wall(Date.now(), "UTC").goDate;
      expectTrue((await memberPage.textContent("h1")).trim() === member.name && cert.includes(EXAMPLE_COURSE) && cert.includes(today),
        `the certificate does not name ${member.name}, the course and ${today}`);
      await shot(memberPage, "course-certificate.png");
      const publicPath = new URL(await memberPage.locator("#main a[href*='/certificates/']").getAttribute("href")).pathname;
      const code = publicPath.split("/").pop();
      expectTrue(/^\/certificates\/[^/]+$/.test(publicPath) && code.length >= 16, `the public link ${publicPath} is not an unguessable /certificates/:code`);
      const anon = await person("anonymous");
      const res = await expectStatus(anon, publicPath, 200);
      const html = res ? await res.text() : "";
      const facts = await anon.locator("#main dl").evaluate((dl) => [...dl.children].map((e) => e.textContent.trim()));
      expectTrue(JSON.stringify(facts) === JSON.stringify(["Name", member.name, "Course", EXAMPLE_COURSE, "Completed on", today]),
        `the public check shows ${JSON.stringify(facts)}`);
      for (const [what, secret] of [["e-mail address", member.email], ["organisation's address", org.slug], ["organisation's name", org.name], ["owner", org.owner.email]]) {
        expectTrue(!html.includes(secret), `the public check shows the ${what} (${secret})`);
      }
      await shot(anon, "course-certificate-public.png");

      // A paid course without Stripe: the member cannot buy it...
      const paid = `Advanced mentoring ${org.slug.slice(-4)}`;
      await clickNav(owner, "Courses", `/o/${org.slug}/courses`);
      await Promise.all([owner.waitForURL("**/courses/new", { waitUntil: "commit" }), owner.getByRole("link", { name: "New course" }).click()]);
      const cf = owner.locator(`form[action='/o/${org.slug}/courses']`);
      await cf.getByLabel("Title").fill(paid);
      await cf.getByLabel("Summary").fill("For experienced mentors.");
      await cf.getByLabel("Price").fill("49");
      await cf.getByLabel("Currency").selectOption("gbp");
      await cf.getByLabel("Status").selectOption("published");
      expectTrue(await owner.getByText("Payments are not configured").isVisible(), "the course form does not say payments are not configured");
      await Promise.all([owner.waitForURL("**/courses/*/edit", { waitUntil: "commit" }), cf.getByRole("button", { name: "Create course" }).click()]);
      const editPath = new URL(owner.url()).pathname;
      await owner.locator("form[action$='/modules']").getByLabel("Module title").fill("The first module");
      await submitAndSee(owner, owner.locator("form[action$='/modules']"), ".flash-success", "Module added");
      const lf = owner.locator("form[action$='/lessons']");
      await lf.getByLabel("New lesson title").fill("Where we start");
      await lf.getByLabel("Lesson text (Markdown)").fill("Read **this** first.");
      await submitAndSee(owner, lf, ".flash-success", "Lesson added");

      await clickNav(memberPage, "Courses", `/o/${org.slug}/courses`);
      const card = memberPage.locator("section.card", { has: memberPage.getByRole("link", { name: paid }) });
      expectTrue((await card.innerText()).includes("£49.00"), "the paid course does not show its price");
      await Promise.all([memberPage.waitForURL("**/courses/*", { waitUntil: "commit" }), card.getByRole("link", { name: paid }).click()]);
      const paidPath = new URL(memberPage.url()).pathname;
      expectTrue(await memberPage.locator(".flash-info", { hasText: "Payments are not configured" }).isVisible(), "the member is not told that payments are not configured");
      expectTrue(await memberPage.locator("form[action$='/checkout'], form[action$='/enrol']").count() === 0, "the member is offered a way to buy or enrol");
      await shot(memberPage, "course-paid-not-configured.png");

      // ...so the admin grants a place by hand, and the audit log has it.
      await owner.goto(new URL(editPath, owner.url()).href);
      const grant = owner.locator("form[action$='/grant']");
      await grant.getByLabel("Grant a place by hand").selectOption({ label: `${member.name} (${member.email})` });
      await submitAndSee(owner, grant, ".flash-success", "Place granted");
      expectTrue((await owner.locator("table", { hasText: member.name }).innerText()).includes("active"), "the granted place is not listed as active");
      await clickNav(owner, "Audit log", `/o/${org.slug}/audit`);
      const row = owner.locator("#main tbody tr", { hasText: "courses.enrolment_granted" });
      const rowText = (await row.count()) ? await row.first().innerText() : "";
      expectTrue(rowText.includes(member.email) && rowText.includes(paid) && rowText.includes(org.owner.name),
        `the audit log does not record the grant by ${org.owner.name} to ${member.email}: ${rowText}`);
      await memberPage.goto(new URL(paidPath, memberPage.url()).href);
      expectTrue(await memberPage.getByRole("link", { name: "Start the first lesson" }).isVisible(), "the granted place does not open the course");
    },
  },
];

// --- Steps shared by the journeys -------------------------------------


// Journeys kept per issue or feature: every e2e/journeys/*.mjs exports an
// array of checks (same shape as CHECKS) as its default export.
const journeyDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "journeys");
for (const file of (await readdir(journeyDir).catch(() => [])).filter((f) => f.endsWith(".mjs")).sort()) {
  const mod = await import(path.join(journeyDir, file));
  CHECKS.push(...mod.default);
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
useBase(base);

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
    allowStatus: (p, status) => { allowed.add(`${status} ${new URL(p, base).toString()}`); },
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
    // The first line, and where in this file it came from.
    const at = (err && err.stack ? err.stack.split("\n") : []).find((l) => l.includes("smoke.mjs:"));
    problems.push(`error: ${err && err.message ? err.message.split("\n")[0] : err}${at ? ` (${at.trim().replace(/^at /, "").replace(/.*\/e2e\//, "e2e/")})` : ""}`);
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
  // E2E_ONLY=name,name runs only those checks (while writing a journey).
  const only = (process.env.E2E_ONLY || "").split(",").filter(Boolean);
  for (const check of CHECKS.filter((c) => only.length === 0 || only.includes(c.name))) {
    const started = Date.now();
    let problems;
    if (check.server) {
      // Checks run one after another: base is this check's while it runs.
      const shared = base;
      let own;
      try {
        own = await startOwnServer(check.server.env);
        base = new URL(own.url);
        useBase(base);
        problems = await runCheck(browser, check);
      } catch (err) {
        problems = [`own server: ${err && err.message ? err.message : err}`];
      } finally {
        base = shared;
        useBase(base);
        if (own) await own.stop();
      }
    } else {
      problems = await runCheck(browser, check);
    }
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
