// Outcomes (issue 12), as a new user finds them: the weekly digest in the
// outbox, a session held and rated from My support, the member's progress
// page with the rhythm agreed and kept, and the coordinator's programme
// report with its charts and a CSV download. The scheduled work runs for
// real: scripts/e2e.sh starts the server with TOOLBOX_OUTCOMES_EVERY=5s.
// (A quiet relationship takes weeks of silence, which a browser run cannot
// wait for; the Go tests in app/reports drive that with a test clock.)
import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  agreeBothSides,
  readMail,
  submitAndSee,
  wall,
  addDays,
  eventually,
} from "../lib.mjs";

const LDN = "Europe/London";

export default [
  {
    name: "outcomes",
    path: "/signup",
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, shot, allowStatus }) => {
      const org = await signUpAndVerify(owner, "Riverside Mentoring");
      const coach = { name: "Orla Outcome", email: `${org.slug}-coach@example.test` };
      const member = { name: "Rafi Rating", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);
      await fillPractitionerProfile(coachPage, org, { zone: LDN });
      const relPath = await matchFaceToFace(owner, coachPage, org, coach, member);

      // Before both sides accept the agreement, no session can be booked.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new`, coachPage.url()).href);
      // schedule asks for a session starting at the whole minute after
      // two minutes from now, and returns its start.
      const schedule = async () => {
        const soon = Date.now() + 120_000;
        const start = soon - (soon % 60_000) + 60_000;
        const at = wall(start, LDN);
        const form = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
        await form.getByLabel("Relationship").selectOption({ index: 1 });
        await form.getByLabel("Date", { exact: true }).fill(at.date);
        await form.getByLabel("Start time").fill(at.time);
        await form.getByRole("button", { name: "Schedule" }).click();
        return start;
      };
      allowStatus(`/o/${org.slug}/calendar/sessions`, 422);
      await schedule();
      await coachPage.getByText("The agreement is waiting for both sides to accept it").first().waitFor();
      await shot(coachPage, "outcomes-refused-by-agreement.png");
      await agreeBothSides(coachPage, memberPage, relPath);

      // The weekly digest of last week reaches the owner by the real
      // schedule, with the link to stop it.
      const digest = await eventually("the weekly digest", 60, () => readMail(owner, org.owner.email, "Your programme this week"));
      expectTrue(digest.includes("Sessions held:") && digest.includes("/email-preferences"), "the digest has no figures or no opt-out link");
      await shot(owner, "outcomes-digest.png");

      // The coach schedules a session starting in two minutes, waits for
      // it to start, and marks it held.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new`, coachPage.url()).href);
      const [, start] = await Promise.all([coachPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }), schedule()]);
      const sessionURL = coachPage.url();
      await new Promise((r) => setTimeout(r, Math.max(0, start - Date.now() + 2_000)));
      await coachPage.goto(sessionURL);
      const attendance = coachPage.locator("form[action$='/attendance']");
      await attendance.getByLabel("completed").check();
      await submitAndSee(coachPage, attendance, ".flash-success", "Attendance recorded");

      // The member is asked (by the worker) and rates it from My support.
      await eventually("the feedback card on My support", 60, async () => {
        await memberPage.goto(new URL(`/o/${org.slug}/my`, memberPage.url()).href);
        await memberPage.locator("#feedback-card form").first().waitFor({ timeout: 1000 });
      });
      await shot(memberPage, "outcomes-feedback-card.png");
      const card = memberPage.locator("#feedback-card form").first();
      await card.getByRole("button", { name: "4", exact: true }).click();
      await memberPage.getByText("your feedback is recorded").waitFor();
      const asked = await readMail(memberPage, member.email, "How was your session");
      expectTrue(asked.includes("?rating=5"), "the feedback e-mail has no one-click rating links");

      // The member's progress page: sessions held, the rhythm agreed and
      // kept, drawn server-side.
      await memberPage.goto(new URL(`${relPath}/progress`, memberPage.url()).href);
      const stats = await memberPage.locator("#progress-stats").innerText();
      expectTrue(/Sessions held\s*1/.test(stats), `the progress page does not count the session held: ${stats}`);
      expectTrue(stats.includes("agreed every 14 days"), "the progress page does not show the agreed rhythm");
      expectTrue(await memberPage.locator("#chart-sessions svg").count() === 1, "no sessions chart on the progress page");
      await shot(memberPage, "outcomes-progress.png");

      // The coordinator compiles the programme report for the last three
      // months: the worker compiles it while the page polls.
      await owner.goto(new URL(`/o/${org.slug}/reports/programme`, owner.url()).href);
      const today = wall(Date.now(), LDN).date;
      const report = owner.locator(`form[action='/o/${org.slug}/reports/programme']`);
      await report.getByLabel("From").fill(addDays(today, -90));
      await report.getByLabel("To").fill(today);
      await Promise.all([owner.waitForURL("**/reports/programme/snapshots/*", { timeout: 120_000 }),
        report.getByRole("button", { name: "Compile the report" }).click()]);
      for (const chart of ["#chart-funnel", "#chart-sessions", "#chart-health"]) {
        expectTrue(await owner.locator(`${chart} svg`).count() === 1, `no ${chart} chart on the report`);
      }
      expectTrue(await owner.locator("#suppression").isVisible(), "the report does not explain its suppression");
      await shot(owner, "outcomes-report.png");
      const [download] = await Promise.all([owner.waitForEvent("download"), owner.getByRole("link", { name: "Download CSV" }).first().click()]);
      const chunks = [];
      for await (const c of await download.createReadStream()) chunks.push(c);
      const csv = Buffer.concat(chunks).toString("utf8");
      expectTrue(csv.split("\n").length >= 2 && csv.includes(","), `the CSV download is not a table: ${csv.slice(0, 80)}`);

      // The digest can be stopped from the preferences page it links to.
      await owner.goto(new URL(`/o/${org.slug}/email-preferences`, owner.url()).href);
      const prefs = owner.locator(`form[action='/o/${org.slug}/email-preferences']`);
      await prefs.getByLabel("The weekly programme digest").uncheck();
      await submitAndSee(owner, prefs, ".flash-success", "Your e-mail preferences are saved");
      expectTrue(!(await prefs.getByLabel("The weekly programme digest").isChecked()), "the digest is still on after opting out");
    },
  },
];
