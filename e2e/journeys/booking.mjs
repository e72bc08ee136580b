// Booking like the best schedulers (issue 18, item 1), at a laptop's and a
// phone's width: a coach in New York opens Tuesday and Thursday mornings;
// a member in London opens the booking page from the calendar, sees a
// month with the free days marked and the first one's times beside it
// (below it on a phone), moves to the month of a chosen Tuesday, chooses
// the day and its 09:00 (New York), asks for every two weeks, six times,
// gets the clash report in place (the coach has already put a session on
// the second one), confirms the others in the step that shows both zones,
// the place and the length; then books the next one at the agreed rhythm
// from the shortcut on top, in two taps.

import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  acceptAgreement,
  setAccountZone,
  wall,
  zonedInstant,
  addDays,
  DAY_MS,
} from "../lib.mjs";

const NY = "America/New_York";
const LDN = "Europe/London";

// goTime is an instant as Go's RFC 3339 in UTC (the slot buttons' values).
const goTime = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

// firstTuesday is the first Tuesday (New York) at least two days ahead.
function firstTuesday(now) {
  for (let d = 2; ; d++) {
    const w = wall(now + d * DAY_MS, NY);
    if (w.weekday === "Tue") return w.date;
  }
}

// htmxSwap clicks what and waits for the booking picker to be swapped.
async function htmxSwap(page, locator) {
  await Promise.all([page.waitForResponse((r) => r.request().headers()["hx-target"] === "booking"), locator.click()]);
  await page.locator("#booking").waitFor();
}

function bookingJourney(name, viewport) {
  return {
    name,
    path: "/signup",
    viewport,
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Riverside Coaching");
      const coach = { name: "Nora Newyork", email: `${org.slug}-coach@example.test` };
      const member = { name: "Lena London", email: `${org.slug}-member@example.test` };
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
      const relID = relPath.split("/").pop();
      // Sessions are booked once both sides have accepted the agreement.
      await acceptAgreement(coachPage, relPath);
      await acceptAgreement(memberPage, relPath);

      // Tuesday and Thursday mornings in New York, a 120-day window.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/availability`, coachPage.url()).href);
      const rules = coachPage.locator("#availability table tbody tr");
      for (const [i, value] of ["2", "4"].entries()) {
        const form = coachPage.locator("form[action$='/availability/rules']");
        await form.getByLabel("Day").selectOption(value);
        await form.getByLabel("From").fill("09:00");
        await form.getByLabel("To").fill("12:00");
        await form.getByRole("button", { name: "Add hours" }).click();
        await rules.nth(i).waitFor();
      }
      const settings = coachPage.locator("form[action$='/availability/settings']");
      await settings.getByLabel("Booking window (days ahead)").fill("120");
      await Promise.all([coachPage.waitForResponse((r) => r.url().endsWith("/availability/settings") && r.request().method() === "POST"),
        settings.getByRole("button", { name: "Save booking rules" }).click()]);

      // The coach puts a session on the second Tuesday of the series to come.
      const tue = firstTuesday(Date.now());
      const series = [0, 1, 2, 3, 4, 5].map((i) => zonedInstant(addDays(tue, 14 * i), "09:00", NY));
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new?relationship=${relID}`, coachPage.url()).href);
      const sched = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
      await sched.getByLabel("Date", { exact: true }).fill(addDays(tue, 14));
      await sched.getByLabel("Start time").fill("09:00");
      await Promise.all([coachPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }),
        sched.getByRole("button", { name: "Schedule" }).click()]);

      // The member opens the booking page from the calendar.
      await memberPage.goto(new URL(`/o/${org.slug}/calendar`, memberPage.url()).href);
      await Promise.all([memberPage.waitForURL("**/calendar/book/*", { waitUntil: "commit" }),
        memberPage.locator("a[href*='/calendar/book/']").first().click()]);
      const bookPath = new URL(memberPage.url()).pathname;
      const next = await memberPage.locator(".booking-next").innerText();
      expectTrue(next.includes("Your next session") && next.includes(wall(series[1], LDN).time), `the next session is not on top: ${next}`);
      expectTrue((await memberPage.locator(".booking-grid td.free").count()) > 0, "no free day is marked in the month");
      expectTrue((await memberPage.locator(".booking-times button[name=start]").count()) > 0, "the first free day's times are not shown beside the month");
      const overflow = await memberPage.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expectTrue(overflow <= 0, `the booking page is ${overflow}px wider than the screen`);
      await shot(memberPage, `${name}-month.png`);

      // The month of the Tuesday, by the "next month" arrow (htmx) if need be.
      const [tueLDN] = [wall(series[0], LDN).date];
      for (let i = 0; i < 3 && (await memberPage.locator(`.booking-grid a[href$='day=${tueLDN}']`).count()) === 0; i++) {
        await htmxSwap(memberPage, memberPage.locator(".booking-month-head a[aria-label^='Next month']"));
      }
      await htmxSwap(memberPage, memberPage.locator(`.booking-grid a[href$='day=${tueLDN}']`));
      expectTrue(new URL(memberPage.url()).search.includes(`day=${tueLDN}`), "choosing a day does not put it in the address");
      await shot(memberPage, `${name}-day.png`);
      const slot = memberPage.locator(`.booking-times button[value='${goTime(series[0])}']`);
      expectTrue((await slot.innerText()).trim() === `${wall(series[0], LDN).time} ${wall(series[0], LDN).abbr}`, "the slot is not labelled in London time");
      await htmxSwap(memberPage, slot);

      // The repeat, offered once a time is chosen.
      const repeat = memberPage.locator(".booking-side form");
      await repeat.getByLabel("How often").selectOption("14");
      await repeat.getByLabel("How many times").fill("6");
      await htmxSwap(memberPage, repeat.getByRole("button", { name: "Continue" }));
      const clashes = await memberPage.locator(".booking-clashes li").allInnerTexts();
      expectTrue(clashes.length === 1 && clashes[0].startsWith(`Session 2: ${wall(series[1], LDN).go}`) && clashes[0].includes("clashes with another session"),
        `clash report: ${clashes.join(" | ")}`);
      const summary = await memberPage.locator(".booking-summary").innerText();
      for (const want of [`${wall(series[0], LDN).time}–`, `For ${coach.name}:`, `${wall(series[0], NY).time}–`, "Every 2 weeks, 6 times", "60 minutes, as agreed"]) {
        expectTrue(summary.includes(want), `the confirmation lacks ${want}: ${summary}`);
      }
      expectTrue(await memberPage.locator(".booking-side form[method=post]").getAttribute("hx-disabled-elt") !== null,
        "the booking button is not disabled while the booking is sent");
      await shot(memberPage, `${name}-confirm.png`);
      await Promise.all([memberPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }),
        memberPage.getByRole("button", { name: "Book the others, leaving these out" }).click()]);
      await memberPage.locator(".flash-success", { hasText: "5 sessions are booked" }).waitFor();

      // The next one at the agreed rhythm: two weeks after the last booked.
      await memberPage.goto(new URL(bookPath, memberPage.url()).href);
      const shortcut = memberPage.locator(".booking-next a.btn");
      const due = zonedInstant(addDays(tue, 14 * 6), "09:00", NY);
      expectTrue((await shortcut.innerText()).includes(`${wall(due, LDN).time} ${wall(due, LDN).abbr}`), `the rhythm shortcut offers ${await shortcut.innerText()}`);
      await htmxSwap(memberPage, shortcut);
      await shot(memberPage, `${name}-rhythm.png`);
      await Promise.all([memberPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }),
        memberPage.getByRole("button", { name: "Confirm booking" }).click()]);
      await memberPage.locator(".flash-success", { hasText: "Your session is booked" }).waitFor();
    },
  };
}

export default [
  bookingJourney("booking-desktop", { width: 1280, height: 800 }),
  bookingJourney("booking-phone", { width: 390, height: 844 }),
];
