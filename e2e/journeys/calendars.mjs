// Busy times from the coach's own calendar (issue 17, item 1): a coach in
// New York pastes their calendar's secret address (served here by a small
// HTTP server on a free local port, as Google or Outlook would serve it),
// sees it refreshed, and the member no longer sees the booking slots that
// clash with the coach's own dentist appointment; the times around it are
// still offered. A mistyped address is connected too, and its row says
// what is wrong.

import http from "node:http";

import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  agreeBothSides,
  setAccountZone,
  wall,
  zonedInstant,
  icsStamp,
  DAY_MS,
} from "../lib.mjs";

const NY = "America/New_York";

// goTime is an instant as Go's RFC 3339 in UTC (the slot buttons' values).
const goTime = (t) => new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z");

// firstTuesday is the first Tuesday (New York) at least two days ahead.
function firstTuesday(now) {
  for (let d = 2; ; d++) {
    const w = wall(now + d * DAY_MS, NY);
    if (w.weekday === "Tue") return w.date;
  }
}

// serveCalendar serves body as text/calendar on a free loopback port.
async function serveCalendar(body) {
  const server = http.createServer((req, res) => {
    if (!req.url.endsWith("/basic.ics")) {
      res.writeHead(404, { "Content-Type": "text/plain" });
      res.end("Not found");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/calendar; charset=utf-8" });
    res.end(body);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

export default [
  {
    name: "calendars",
    path: "/signup",
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Hillside Coaching");
      const coach = { name: "Cora Calendar", email: `${org.slug}-coach@example.test` };
      const member = { name: "Milo Member", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);
      await setAccountZone(coachPage, org, NY);
      await setAccountZone(memberPage, org, NY);
      await fillPractitionerProfile(coachPage, org, { zone: NY });
      const relPath = await matchFaceToFace(owner, coachPage, org, coach, member);
      await agreeBothSides(coachPage, memberPage, relPath);

      // Tuesday mornings, 09:00 to 12:00 in New York.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/availability`, coachPage.url()).href);
      const form = coachPage.locator("form[action$='/availability/rules']");
      await form.getByLabel("Day").selectOption("2");
      await form.getByLabel("From").fill("09:00");
      await form.getByLabel("To").fill("12:00");
      await form.getByRole("button", { name: "Add hours" }).click();
      await coachPage.locator("#availability table tbody tr").first().waitFor();

      // The coach's own calendar: the dentist on the first Tuesday, 10:00
      // to 11:00, and a free reminder at 09:00 that must not block.
      const tue = firstTuesday(Date.now());
      const dentist = zonedInstant(tue, "10:00", NY);
      const ics = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Journey//Own calendar//EN",
        "BEGIN:VEVENT", "UID:dentist@journey", `DTSTAMP:${icsStamp(Date.now())}`, "SUMMARY:Dentist (private)",
        "DESCRIPTION:Root canal", `DTSTART;TZID=${NY}:${tue.replace(/-/g, "")}T100000`, `DTEND;TZID=${NY}:${tue.replace(/-/g, "")}T110000`, "END:VEVENT",
        "BEGIN:VEVENT", "UID:reminder@journey", `DTSTAMP:${icsStamp(Date.now())}`, "SUMMARY:Call the garage", "TRANSP:TRANSPARENT",
        `DTSTART;TZID=${NY}:${tue.replace(/-/g, "")}T090000`, `DTEND;TZID=${NY}:${tue.replace(/-/g, "")}T093000`, "END:VEVENT",
        "END:VCALENDAR", ""].join("\r\n");
      const server = await serveCalendar(ics);
      try {
        const secret = `http://127.0.0.1:${server.address().port}/calendar/ical/cora/private-0123456789abcdef/basic.ics`;

        // From the calendar, "Your own calendars"; paste the address.
        await coachPage.goto(new URL(`/o/${org.slug}/calendar`, coachPage.url()).href);
        await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/connected`, { waitUntil: "commit" }),
          coachPage.getByRole("link", { name: "Your own calendars" }).click()]);
        const privacy = await coachPage.locator("main").innerText();
        expectTrue(privacy.includes("never store titles"), "the page does not say that only busy times are kept");
        const connect = coachPage.locator(`form[action='/o/${org.slug}/calendar/connected']`);
        await connect.getByLabel("Secret address (https:// or webcal://)").fill(secret);
        await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/connected`, { waitUntil: "commit" }),
          connect.getByRole("button", { name: "Connect" }).click()]);
        await coachPage.locator(".flash-success", { hasText: "Calendar connected" }).waitFor();
        // The page polls while the worker reads it.
        const row = coachPage.locator("tr.own-calendar").first();
        await row.locator(".refreshed").waitFor({ timeout: 30000 });
        const rowText = await row.innerText();
        expectTrue(rowText.includes("127.0.0.1") && rowText.includes("1 busy time ahead"), `the calendar's row: ${rowText}`);
        expectTrue(!(await coachPage.content()).includes("private-0123456789abcdef"), "the page shows the secret address");
        expectTrue(!(await coachPage.content()).includes("Dentist"), "the page shows an event's title");
        await shot(coachPage, "calendars-connected.png");

        // "Refresh now" reads it again.
        await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/connected`, { waitUntil: "commit" }),
          row.getByRole("button", { name: "Refresh now" }).click()]);
        await coachPage.locator(".flash-success", { hasText: "Reading the calendar now" }).waitFor();
        // "Refreshing…" shows until the worker has read it again.
        await coachPage.locator("tr.own-calendar .badge", { hasText: "Refreshing" }).waitFor({ state: "detached", timeout: 30000 });
        expectTrue((await coachPage.locator("tr.own-calendar").first().innerText()).includes("1 busy time ahead"), "the refreshed calendar lost its busy time");

        // The member's booking page for that Tuesday: 10:00 and 10:30 (whose
        // hour overlaps the dentist) and 09:30 are gone; 09:00 (the free
        // reminder does not block) and 11:00 remain.
        await memberPage.goto(new URL(`/o/${org.slug}/calendar`, memberPage.url()).href);
        await Promise.all([memberPage.waitForURL("**/calendar/book/*", { waitUntil: "commit" }),
          memberPage.locator("a[href*='/calendar/book/']").first().click()]);
        const bookPath = new URL(memberPage.url()).pathname;
        await memberPage.goto(new URL(`${bookPath}?day=${tue}`, memberPage.url()).href);
        await memberPage.locator(".booking-times").waitFor();
        const offered = await memberPage.locator(".booking-times button[name=start]").evaluateAll((bs) => bs.map((b) => b.value));
        const at = (hhmm) => goTime(zonedInstant(tue, hhmm, NY));
        for (const clash of ["09:30", "10:00", "10:30"]) {
          expectTrue(!offered.includes(at(clash)), `${clash} is offered though the coach is at the dentist (offered ${offered.join(", ")})`);
        }
        for (const free of ["09:00", "11:00"]) {
          expectTrue(offered.includes(at(free)), `${free} is not offered (offered ${offered.join(", ")})`);
        }
        expectTrue(goTime(dentist) === at("10:00"), "the dentist's time is not 10:00 in New York");
        await shot(memberPage, "calendars-booking.png");

        // A mistyped address: the page says what is wrong with it.
        await coachPage.goto(new URL(`/o/${org.slug}/calendar/connected`, coachPage.url()).href);
        await connect.getByLabel("Secret address (https:// or webcal://)").fill(secret.replace("basic.ics", "basic.ic"));
        await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/connected`, { waitUntil: "commit" }),
          connect.getByRole("button", { name: "Connect" }).click()]);
        const failed = coachPage.locator("tr.own-calendar").nth(1).locator(".calendar-error");
        await failed.waitFor({ timeout: 30000 });
        expectTrue((await failed.innerText()).includes("The address was not found"), `the failed calendar says: ${await failed.innerText()}`);
        await shot(coachPage, "calendars-error.png");
      } finally {
        server.close();
      }
    },
  },
];
