// Hours logs (issue 13, items 3 and 4), as a new coach finds them: a month
// of weekly sessions, one of which turned to mentoring for its last twenty
// minutes; the hours log splits it, the CSV carries the accrediting body's
// fields; supervision is recorded, signed off by the supervisor it names,
// and the ratio of supervision to practice follows. The month passes on a
// server of this check's own with TOOLBOX_TIME_TRAVEL=on (/dev/clock moves
// its clock forward), so the sessions are booked ahead and held for real.
import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  agreeBothSides,
  submitAndSee,
  travel,
  wall,
  addDays,
  DAY_MS,
} from "../lib.mjs";

const LDN = "Europe/London";

export default [
  {
    name: "hours",
    path: "/signup",
    server: { env: { TOOLBOX_TIME_TRAVEL: "on" } },
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Northgate Coaching");
      const coach = { name: "Hana Hours", email: `${org.slug}-coach@example.test` };
      const member = { name: "Milo Member", email: `${org.slug}-member@example.test` };
      const supervisor = { name: "Sade Supervisor", email: `${org.slug}-sup@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      await invite(owner, org.slug, { ...supervisor, role: "practitioner", kinds: ["supervisor"] });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);
      const supPage = await person("supervisor");
      await acceptInvitation(supPage, org, supervisor);
      await fillPractitionerProfile(coachPage, org, { zone: LDN });
      const relPath = await matchFaceToFace(owner, coachPage, org, coach, member);
      await agreeBothSides(coachPage, memberPage, relPath);

      // The coach schedules four weekly one-hour sessions, from tomorrow.
      const first = Date.now() + DAY_MS;
      const sessions = [];
      for (let week = 0; week < 4; week++) {
        await coachPage.goto(new URL(`/o/${org.slug}/calendar/new`, coachPage.url()).href);
        const at = wall(first - (first % 60_000) + week * 7 * DAY_MS, LDN);
        const form = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
        await form.getByLabel("Relationship").selectOption({ index: 1 });
        await form.getByLabel("Date", { exact: true }).fill(at.date);
        await form.getByLabel("Start time").fill(at.time);
        await form.getByLabel("Length in minutes").fill("60");
        await Promise.all([coachPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }),
          form.getByRole("button", { name: "Schedule" }).click()]);
        sessions.push(coachPage.url());
      }

      // A month passes; the coach marks each session held.
      await travel(owner, 23);
      for (const url of sessions) {
        await coachPage.goto(url);
        const attendance = coachPage.locator("form[action$='/attendance']");
        await attendance.getByLabel("completed").check();
        await submitAndSee(coachPage, attendance, ".flash-success", "Attendance recorded");
      }

      // In the third, coaching did not serve for the last twenty minutes:
      // the coach records the switch to mentoring at minute 40, not kept.
      await coachPage.goto(sessions[2]);
      const mode = coachPage.locator("form[action$='/mode']");
      await mode.getByLabel("This session switched to").selectOption("mentoring");
      await mode.getByLabel("Why").fill("Coaching was not working today, so I shared how I handled a similar team.");
      await mode.getByLabel("Minutes into the session").fill("40");
      await submitAndSee(coachPage, mode, ".flash-success", "it reverts when the session ends");
      const switches = await coachPage.locator("#mode-switches").innerText();
      expectTrue(switches.includes("reverts when the session ends"), `the session page does not show the revert: ${switches}`);
      await shot(coachPage, "hours-session-switch.png");

      // The relationship is coaching again after the session.
      await coachPage.goto(new URL(relPath, coachPage.url()).href);
      expectTrue(!(await coachPage.getByText("working as mentoring for now").isVisible()), "the relationship still works as mentoring after the session");

      // The hours log, from the dashboard: three hours and 40 minutes of
      // coaching, 20 minutes of mentoring.
      await coachPage.goto(new URL(`/o/${org.slug}`, coachPage.url()).href);
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/hours`, { waitUntil: "commit" }),
        coachPage.getByRole("link", { name: /Hours log/ }).click()]);
      const coachingHours = await coachPage.locator("#coaching-hours").innerText();
      const mentoringHours = await coachPage.locator("#mentoring-hours").innerText();
      expectTrue(coachingHours === "3.67" && mentoringHours === "0.33", `hours log: coaching ${coachingHours}, mentoring ${mentoringHours}; want 3.67 and 0.33`);

      // Work outside the organisation, entered by hand.
      const today = wall(Date.now() + 23 * DAY_MS, LDN).date; // the server's day
      const entry = coachPage.locator(`form[action='/o/${org.slug}/hours/entries']`);
      await entry.getByLabel("Log").selectOption("coaching");
      await entry.getByLabel(/^Client/).fill("Outside client A");
      await entry.getByLabel("First session").fill(addDays(today, -28));
      await entry.getByLabel("Last session").fill(addDays(today, -1));
      await entry.getByLabel("Hours", { exact: true }).fill("4");
      await submitAndSee(coachPage, entry, ".flash-success", "Entry added to your coaching log");
      const total = await coachPage.locator("#log-coaching-total").innerText();
      expectTrue(total.startsWith("7.67 hours"), `coaching total after the entry: ${total}`);
      await shot(coachPage, "hours-log.png");

      // The CSV in the accrediting body's fields.
      const [download] = await Promise.all([coachPage.waitForEvent("download"),
        coachPage.locator("#coaching").getByRole("link", { name: "Download CSV" }).click()]);
      const chunks = [];
      for await (const c of await download.createReadStream()) chunks.push(c);
      const lines = Buffer.concat(chunks).toString("utf8").trim().split("\n").map((l) => l.split(","));
      expectTrue(lines[0].join(",") === "Client,Contact,Individual or group,Number in group,First session,Last session,Sessions,Paid hours,Pro bono hours",
        `the CSV header is ${lines[0].join(",")}`);
      const session = lines.find((l) => l[0] === "Client 1");
      expectTrue(session && session[2] === "individual" && session[6] === "4" && session[7] === "3.67", `the sessions' CSV row: ${session}`);
      expectTrue(lines.some((l) => l[0] === "Outside client A" && l[7] === "4.00"), "the outside entry is not in the CSV");

      // Supervision: due, then recorded naming the supervisor.
      await coachPage.getByRole("link", { name: "Supervision log" }).click();
      await coachPage.waitForURL(`**/o/${org.slug}/hours/supervision`, { waitUntil: "commit" });
      await coachPage.locator("#supervision-due").waitFor();
      await shot(coachPage, "hours-supervision-due.png");
      const rec = coachPage.locator(`form[action='/o/${org.slug}/hours/supervision']`);
      await rec.getByLabel("Supervisor", { exact: true }).selectOption({ label: supervisor.name });
      await rec.getByLabel("Date").fill(today);
      await rec.getByLabel("Length in minutes").fill("60");
      await rec.getByLabel("Themes").fill("Endings, and when to switch from coaching to mentoring");
      await submitAndSee(coachPage, rec, ".flash-success", "Supervision recorded");

      // The supervisor signs it off, once.
      await supPage.goto(new URL(`/o/${org.slug}/hours/signoff`, supPage.url()).href);
      const row = supPage.locator("#signoff-table tbody tr", { hasText: coach.name });
      await submitAndSee(supPage, row.locator("form"), ".flash-success", "Signed off");
      expectTrue((await supPage.locator("#signoff-table").innerText()).includes("signed off"), "the sign-off page does not show the record signed off");
      await shot(supPage, "hours-signoff.png");

      // The coach sees it signed off, and the ratio: an hour of supervision
      // for eight hours of practice (7.67 coaching, 0.33 mentoring).
      await coachPage.goto(new URL(`/o/${org.slug}/hours/supervision`, coachPage.url()).href);
      const ratio = await coachPage.locator("#ratio-text").innerText();
      expectTrue(ratio === "1:8", `ratio ${ratio}, want 1:8`);
      expectTrue(await coachPage.locator("#supervision-ok").isVisible(), "the supervision is still said to be due");
      const log = await coachPage.locator("#supervision-table").innerText();
      expectTrue(log.includes(supervisor.name) && !log.includes("waiting"), `the supervision log: ${log}`);
      await shot(coachPage, "hours-supervision.png");

      await coachPage.goto(new URL(`/o/${org.slug}/hours/print`, coachPage.url()).href);
      await shot(coachPage, "hours-print.png");
    },
  },
];
