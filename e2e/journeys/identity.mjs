// Issue 17, items 2 and 3, "done means": a coach chooses a fresh video room
// for each session; the session the coach schedules with their member
// carries its meeting link on its page, in the booking e-mail and its .ics
// (LOCATION and URL), and in the reminder e-mail, while an owner who takes
// no part in it does not see the link; then the organisation's admin
// configures sign-in with their identity provider (cmd/devidp, the
// development provider scripts/e2e.sh starts) and a new colleague signs in
// with it from the sign-in page and lands in the organisation as a member.

import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  agreeBothSides,
  setAccountZone,
  submitAndSee,
  readMail,
  mailICS,
  wall,
} from "../lib.mjs";

const LDN = "Europe/London";
const ROOM = /^https:\/\/meet\.jit\.si\/LeadershipToolbox-[a-z2-7]{26}$/;

// unfold undoes iCalendar's line folding.
const unfold = (ics) => ics.replace(/\r?\n[ \t]/g, "");

// waitForMail reloads the development outbox until an e-mail to `to` whose
// subject holds `subject` is there (the worker sends reminders on time).
async function waitForMail(page, to, subject, seconds) {
  for (let waited = 0; waited <= seconds; waited += 5) {
    await page.goto(new URL("/dev/mail", page.url()).href);
    const rows = page.locator("table tbody tr", { has: page.locator(`td:text-is("${to}")`) }).filter({ hasText: subject });
    if (await rows.count()) return true;
    await page.waitForTimeout(5000);
  }
  return false;
}

export default [
  {
    name: "identity",
    path: "/signup",
    expect: { screenshot: "identity-people.png" },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Harbour Leadership");
      const coach = { name: "Mira Coach", email: `${org.slug}-coach@example.test` };
      const member = { name: "Sam Member", email: `${org.slug}-member@example.test` };

      // Reminders ten minutes before a session, so that one comes soon.
      await owner.goto(new URL(`/o/${org.slug}/settings`, owner.url()).href);
      const settings = owner.locator(`form[action='/o/${org.slug}/settings']`);
      await settings.getByLabel("Reminders before a session").fill("10m");
      await submitAndSee(owner, settings, ".flash-success", "The settings are saved");

      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      await fillPractitionerProfile(coachPage, org);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);
      await setAccountZone(coachPage, org, LDN);
      const relPath = await matchFaceToFace(owner, coachPage, org, coach, member);
      await agreeBothSides(coachPage, memberPage, relPath);

      // The coach chooses a new video room for each session.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/availability`, coachPage.url()).href);
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/meeting`, { waitUntil: "commit" }),
        coachPage.getByRole("link", { name: "Meeting link" }).click()]);
      const meetingForm = coachPage.locator(`form[action='/o/${org.slug}/calendar/meeting']`);
      await meetingForm.getByLabel(/A new video room of its own/).check();
      await submitAndSee(coachPage, meetingForm, ".flash-success", "Meeting link saved");
      await shot(coachPage, "identity-meeting-settings.png");

      // The coach schedules a session eleven minutes from now.
      const start = Math.ceil((Date.now() + 11 * 60e3) / 60e3) * 60e3;
      const at = wall(start, LDN);
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new?relationship=${relPath.split("/").pop()}`, coachPage.url()).href);
      const sched = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
      await sched.getByLabel("Date", { exact: true }).fill(at.date);
      await sched.getByLabel("Start time").fill(at.time);
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/sessions/*`, { waitUntil: "commit" }),
        sched.getByRole("button", { name: "Schedule" }).click()]);
      const sessionPath = new URL(coachPage.url()).pathname;
      const link = await coachPage.locator("a.meeting-link").getAttribute("href");
      expectTrue(ROOM.test(link || ""), `the session page shows no fresh room to the coach: ${link}`);

      // The member sees it on the session page.
      await memberPage.goto(new URL(sessionPath, memberPage.url()).href);
      expectTrue((await memberPage.locator("a.meeting-link").getAttribute("href")) === link, "the member does not see the meeting link on the session page");
      await shot(memberPage, "identity-session.png");
      // An owner who takes no part in the session does not.
      await owner.goto(new URL(sessionPath, owner.url()).href);
      expectTrue((await owner.locator("a.meeting-link").count()) === 0 && !(await owner.content()).includes(link),
        "an owner who takes no part in the session sees its meeting link");

      // The booking e-mail and its invitation.
      const booked = await readMail(memberPage, member.email, "Session booked");
      expectTrue(booked.includes(`Join: ${link}`), `the booking e-mail has no meeting link: ${booked}`);
      const ics = unfold((await mailICS(memberPage)).body);
      expectTrue(ics.includes(`URL:${link}`), `the invitation's URL is not the meeting link: ${ics}`);
      expectTrue(/^LOCATION:.*$/m.test(ics) && ics.match(/^LOCATION:(.*)$/m)[1].includes(link), `the invitation's LOCATION has no meeting link: ${ics}`);

      // The reminder, ten minutes before the session.
      const came = await waitForMail(memberPage, member.email, "Reminder", 240);
      expectTrue(came, "no reminder e-mail came within four minutes");
      if (came) {
        const reminder = await readMail(memberPage, member.email, "Reminder");
        expectTrue(reminder.includes(`Join the video meeting: ${link}`), `the reminder has no meeting link: ${reminder}`);
        const rics = unfold((await mailICS(memberPage)).body);
        expectTrue(rics.includes(`URL:${link}`), "the reminder's invitation has no meeting link");
        await shot(memberPage, "identity-reminder.png");
      }

      // The admin configures sign-in with the organisation's identity provider.
      const issuer = process.env.E2E_DEVIDP_ISSUER;
      expectTrue(!!issuer, "E2E_DEVIDP_ISSUER is not set: run this journey through scripts/e2e.sh, which starts cmd/devidp");
      if (!issuer) return;
      const domain = `${org.slug}.test`;
      await owner.goto(new URL(`/o/${org.slug}/settings`, owner.url()).href);
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/settings/sign-in`, { waitUntil: "commit" }),
        owner.getByRole("link", { name: "Sign-in with your identity provider" }).click()]);
      const idp = owner.locator(`form[action='/o/${org.slug}/settings/sign-in']`);
      await idp.getByLabel("Issuer").fill(issuer);
      await idp.getByLabel("Client ID").fill(process.env.E2E_DEVIDP_CLIENT_ID);
      await idp.getByLabel("Client secret").fill(process.env.E2E_DEVIDP_CLIENT_SECRET);
      await idp.getByLabel("E-mail domains it signs in").fill(domain);
      await idp.getByLabel("New people join as").selectOption("member");
      await submitAndSee(owner, idp, ".flash-success", "is saved");
      await shot(owner, "identity-settings.png");

      // A new colleague signs in with it from the sign-in page.
      const colleague = { name: "Ana Colleague", email: `ana@${domain}` };
      const page = await person("colleague");
      await page.goto(new URL("/login", owner.url()).href);
      await page.getByLabel("E-mail address").fill(colleague.email);
      const go = page.locator("#sso button", { hasText: "Continue with your organisation" });
      await go.waitFor();
      expectTrue((await page.locator("#sso").innerText()).includes(org.name), "the sign-in page does not name the organisation");
      await shot(page, "identity-login.png");
      await Promise.all([page.waitForURL("**/oidc/authorize**", { waitUntil: "commit" }), go.click()]);
      await page.getByLabel("Name").fill(colleague.name);
      await Promise.all([page.waitForURL(`**/o/${org.slug}`, { waitUntil: "commit" }), page.getByRole("button", { name: "Sign in" }).click()]);
      await page.locator("h1").first().waitFor();
      const landed = await page.locator("body").innerText();
      expectTrue(landed.includes(colleague.name) && landed.includes(org.name) && landed.includes("you are now a member"),
        `the colleague did not land in the organisation as a new member: ${landed.slice(0, 300)}`);
      expectTrue((await page.locator(".badge", { hasText: /^member$/ }).count()) === 1, "the dashboard does not show the colleague's member role");
      await shot(page, "identity-colleague.png");

      // The organisation now lists them as a member.
      await owner.goto(new URL(`/o/${org.slug}/people?q=${encodeURIComponent(colleague.email)}`, owner.url()).href);
      const row = owner.locator("table tbody tr", { hasText: colleague.email });
      expectTrue((await row.count()) === 1 && /member/i.test(await row.first().innerText()), "the colleague is not a member on the people page");
    },
  },
];
