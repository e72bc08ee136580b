// Issue 12, the last of its "done means": a quiet relationship nudges both
// sides, then the coordinators, later proposes to conclude with a week's
// warning and concludes when no one keeps it going. Weeks of silence pass
// on a server of this check's own with TOOLBOX_TIME_TRAVEL=on: /dev/clock
// moves its clock forward and the scheduled scan (every 2 s there) finds
// what is due, as the daily scan does in production.
import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  agreeBothSides,
  readMail,
  travel,
  eventually,
} from "../lib.mjs";

// mailCount counts the e-mails to `to` whose subject contains `subject`.
async function mailCount(page, to, subject) {
  await page.goto(new URL("/dev/mail", page.url()).href);
  return page.locator("table tbody tr", { has: page.locator(`td:text-is("${to}")`) }).filter({ hasText: subject }).count();
}

// mailed waits until `to` has an e-mail whose subject contains `subject`
// and returns its text.
async function mailed(page, to, subject) {
  return eventually(`no "${subject}" e-mail to ${to}`, 45, async () => {
    if ((await mailCount(page, to, subject)) === 0) throw new Error("not yet");
    return readMail(page, to, subject);
  });
}

export default [
  {
    name: "quiet",
    path: "/signup",
    server: { env: { TOOLBOX_TIME_TRAVEL: "on" } },
    expect: { screenshot: false },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Stillwater Coaching");
      const coach = { name: "Quinn Quiet", email: `${org.slug}-coach@example.test` };
      const member = { name: "Sol Silent", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);
      await fillPractitionerProfile(coachPage, org);
      const relPath = await matchFaceToFace(owner, coachPage, org, coach, member);
      await agreeBothSides(coachPage, memberPage, relPath);

      // Two weeks without a session: nothing yet (the organisation's
      // setting is three weeks).
      await travel(owner, 14);
      await new Promise((r) => setTimeout(r, 5000)); // two rounds of the scan
      expectTrue((await mailCount(owner, member.email, "No session booked for a while")) === 0, "the member was nudged after two quiet weeks (the setting is three)");

      // Three weeks and a day: both sides are nudged, once.
      await travel(owner, 8);
      for (const who of [member, coach]) {
        const body = await mailed(owner, who.email, "No session booked for a while");
        expectTrue(body.includes("no session for 3 weeks"), `the nudge to ${who.email} does not say how long: ${body}`);
      }
      expectTrue((await mailCount(owner, org.owner.email, "A relationship has gone quiet")) === 0, "the coordinators heard before both sides had been nudged for three weeks");

      // Six weeks and more: the coordinators hear.
      await travel(owner, 21);
      const toStaff = await mailed(owner, org.owner.email, "A relationship has gone quiet");
      expectTrue(toStaff.includes(relPath), `the coordinators' e-mail does not link the relationship: ${toStaff}`);
      await shot(owner, "quiet-coordinators-mail.png");
      expectTrue((await mailCount(owner, member.email, "No session booked for a while")) === 1, "the member was nudged more than once in the same quiet spell");

      // Twelve weeks and more: concluding is proposed a week ahead, to both
      // sides (who may keep it going from the progress page) and to staff.
      await travel(owner, 43);
      const proposed = await mailed(owner, member.email, "A quiet relationship will be concluded");
      expectTrue(/concluded on \w+day \d{1,2} \w+ \d{4}/.test(proposed.replace(/\s+/g, " ")), `the proposal does not give the date: ${proposed}`);
      await mailed(owner, org.owner.email, "A quiet relationship will be concluded");
      await memberPage.goto(new URL(`${relPath}/progress`, memberPage.url()).href);
      await memberPage.locator("#conclusion-proposal").getByRole("button", { name: "Keep it going" }).waitFor();
      await shot(memberPage, "quiet-proposal.png");

      // A week later, no one kept it going: it is concluded, and the member
      // is offered the needs assessment again.
      await travel(owner, 7);
      const done = await mailed(owner, member.email, "Your relationship has been concluded");
      expectTrue(done.includes("/assessment?again=1"), `the conclusion does not offer the assessment again: ${done}`);
      await eventually("the relationship page does not say it concluded", 20, async () => {
        await memberPage.goto(new URL(relPath, memberPage.url()).href);
        await memberPage.locator("#reassess", { hasText: "This relationship has concluded." }).waitFor({ timeout: 1000 });
      });
      await shot(memberPage, "quiet-concluded.png");
    },
  },
];
