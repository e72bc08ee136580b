// Issue 19, items 5, 6, 8, 10 and 11 as people meet them: a coach's topics
// come from the organisation's vocabulary and matching finds the one a
// member's typed topic means; the coach's one time zone (Paris) is the
// one their session page shows; each role's menu shows what that role
// uses, and a coordinator reads the people list and a session; a member
// edits their goal; revoking an invitation asks first.
import {
  acceptInvitation,
  acceptProposal,
  clickNav,
  fillPractitionerProfile,
  invite,
  navLinks,
  signUpAndVerify,
  submitAndSee,
} from "../lib.mjs";

const PARIS = "Europe/Paris";

function isoDate(t) {
  return new Date(t).toISOString().slice(0, 10);
}

export default [
  {
    name: "defects-b",
    path: "/signup",
    expect: { screenshot: "defects-b-owner.png" },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Bankside Coaching");
      const coach = { name: "Paula Paris", email: `${org.slug}-coach@example.test` };
      const coordinator = { name: "Cole Coordinator", email: `${org.slug}-coord@example.test` };
      const member = { name: "Mel Member", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...coordinator, role: "coordinator" });
      await invite(owner, org.slug, { ...member, role: "member" });

      // Revoking an invitation asks first, on a page of its own.
      const stray = `${org.slug}-stray@example.test`;
      await invite(owner, org.slug, { email: stray, name: "Stray Invitee", role: "member" });
      await Promise.all([owner.waitForURL("**/revoke", { waitUntil: "commit" }),
        owner.locator("tr", { hasText: stray }).getByRole("link", { name: "Revoke…" }).click()]);
      expectTrue((await owner.textContent("h1")).includes(stray), "the revoke confirmation does not name the invitee");
      await shot(owner, "defects-b-revoke-confirm.png");
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/invitations`, { waitUntil: "commit" }),
        owner.getByRole("button", { name: "Revoke the invitation" }).click()]);
      await owner.locator(".flash-success", { hasText: "is revoked" }).waitFor();

      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      const coordPage = await person("coordinator");
      await acceptInvitation(coordPage, org, coordinator);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);

      // Each role's menu (docs/roles.md).
      const memberLinks = await navLinks(memberPage);
      expectTrue(!memberLinks.includes("Billing"), `the member's menu shows Billing: ${memberLinks}`);
      const coordLinks = await navLinks(coordPage);
      for (const want of ["Pipeline", "People", "Reports", "Calendar"]) {
        expectTrue(coordLinks.includes(want), `the coordinator's menu lacks ${want}: ${coordLinks}`);
      }
      for (const not of ["Billing", "Settings", "Audit log"]) {
        expectTrue(!coordLinks.includes(not), `the coordinator's menu shows ${not}: ${coordLinks}`);
      }
      await shot(coordPage, "defects-b-coordinator-menu.png");
      await clickNav(coachPage, "My support", `/o/${org.slug}/my`);
      expectTrue(!(await coachPage.getByRole("link", { name: "Take the needs assessment" }).isVisible()),
        "the practitioner is prompted to take the needs assessment");

      // The coach: one zone (Paris, on the account), topics from the vocabulary.
      await fillPractitionerProfile(coachPage, org, { zone: PARIS });
      const profile = coachPage.locator(`form[action$='/o/${org.slug}/profile']`);
      await profile.getByLabel("Challenging conversations").check();
      await submitAndSee(coachPage, profile, ".flash-success", "Profile saved");
      expectTrue((await coachPage.locator("#time-zone").innerText()).includes(PARIS), "the profile does not show the coach's zone, Paris");
      expectTrue(await profile.getByLabel("Leading people").isChecked(), "the typed topic \"leadership\" was not matched to \"Leading people\"");
      await shot(coachPage, "defects-b-coach-profile.png");

      // The owner signposts the member with a typed topic; matching finds it shared.
      await owner.goto(new URL(`/o/${org.slug}/assessments/new`, owner.url()).href);
      const form = owner.locator(`form[action='/o/${org.slug}/assessments']`);
      await form.getByLabel("Person").selectOption({ label: `${member.name} (${member.email})` });
      await form.getByLabel("Kind of support").selectOption("coaching");
      await form.getByLabel("Format").selectOption("one_to_one");
      await form.getByLabel("Duration").selectOption("ongoing");
      await form.getByLabel("Topics").fill("challenging   Conversations");
      await form.getByLabel("Languages").fill("en");
      await form.getByLabel("What you agreed, and why").fill("Wants help with difficult conversations at work.");
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/requests/*`, { waitUntil: "commit" }),
        form.getByRole("button", { name: "Record and signpost" }).click()]);
      const top = owner.locator("section", { has: owner.getByRole("heading", { name: "Candidates, best first" }) }).locator("article").first();
      await top.waitFor();
      const reasons = await top.innerText();
      expectTrue(reasons.includes("Shared topics: Challenging conversations"), `matching does not find the shared topic: ${reasons}`);
      await shot(owner, "defects-b-request.png");
      await submitAndSee(owner, top.locator("form[action$='/proposals']"), ".flash-success", "Proposed");
      const { relPath } = await acceptProposal(coachPage, org, coach);
      // Both accept the agreement: sessions are booked only then.
      for (const page of [coachPage, memberPage]) {
        await page.goto(new URL(relPath, page.url()).href);
        await submitAndSee(page, page.locator("form[action$='/agreement/accept']"), ".flash-success", "");
      }

      // The coach schedules a session: its page shows Paris time.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new`, coachPage.url()).href);
      const sched = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
      expectTrue((await sched.innerText()).includes(`In ${PARIS}`), "the schedule form is not in Paris time");
      await sched.getByLabel("Relationship").selectOption({ index: 1 });
      await sched.getByLabel("Date", { exact: true }).fill(isoDate(Date.now() + 3 * 864e5));
      await sched.getByLabel("Start time").fill("10:00");
      await sched.getByRole("button", { name: "Schedule" }).click();
      // The form posts with htmx: wait for the session's page, or for the
      // refusal to show, rather than for a load that has already happened.
      await Promise.race([
        coachPage.waitForURL(/\/calendar\/sessions\/[0-9a-f-]+$/, { waitUntil: "commit" }),
        coachPage.locator(".field-error, .form-errors, .flash-error").first().waitFor(),
      ]);
      if (!/\/calendar\/sessions\/[0-9a-f-]+$/.test(new URL(coachPage.url()).pathname)) {
        const why = await coachPage.locator(".field-error, .form-errors, .flash-error").allInnerTexts();
        throw new Error(`scheduling was refused: ${why.join(" | ")}`);
      }
      const sessionPath = new URL(coachPage.url()).pathname;
      expectTrue((await coachPage.locator(".tz-note").innerText()).includes(PARIS), "the coach's session page is not in Paris time");
      await shot(coachPage, "defects-b-coach-session.png");

      // The coordinator reads the session (no changes offered) and the people list.
      await coordPage.goto(new URL(sessionPath, coordPage.url()).href);
      expectTrue((await coordPage.locator("main").innerText()).includes(member.name), "the coordinator's session page does not list who attends");
      expectTrue(!(await coordPage.getByRole("button", { name: "Cancel the session" }).isVisible()), "the coordinator is offered to cancel a session");
      await shot(coordPage, "defects-b-coordinator-session.png");
      await clickNav(coordPage, "People", `/o/${org.slug}/people`);
      expectTrue((await coordPage.locator("main").innerText()).includes(member.email), "the coordinator's people list lacks the member");

      // The member writes a goal, then rewords it.
      await memberPage.goto(new URL(relPath, memberPage.url()).href);
      const add = memberPage.locator(`form[action='${relPath}/goals']`);
      await add.getByLabel("New goal").fill("Lead the Monday meeting");
      await submitAndSee(memberPage, add, ".flash-success", "Goal added");
      const goal = memberPage.locator("article", { has: memberPage.getByRole("heading", { name: "Lead the Monday meeting" }) });
      await goal.locator("details.goal-edit summary").click();
      const edit = goal.locator("form[action$='/edit']");
      await edit.getByLabel("Goal", { exact: true }).fill("Chair the Monday meeting");
      await submitAndSee(memberPage, edit, ".flash-success", "Goal saved");
      expectTrue(await memberPage.getByRole("heading", { name: "Chair the Monday meeting" }).isVisible(), "the edited goal does not show its new words");
      await shot(memberPage, "defects-b-member-goal.png");
    },
  },
];
