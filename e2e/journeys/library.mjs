// Issue 14, "done means": a member whose needs assessment pointed to trust
// and teamwork sees those tools first on My support and opens the team
// charter template; their coach shares it into the relationship, where the
// member finds it again; the coach attaches a first-session agenda to the
// next session and the member reads it there; an admin searches the library
// for "difficult conversation" and finds the planner.

import {
  signUpAndVerify,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  acceptProposal,
  acceptAgreement,
  clickNav,
  submitAndSee,
  addDays,
  coachingAnswers,
  answerAssessment,
  seeRecommendation,
} from "../lib.mjs";

export default [
  {
    name: "library",
    path: "/signup",
    expect: { screenshot: "library-search.png" },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Vauxhall Leadership");
      const coach = { name: "Lena Coach", email: `${org.slug}-coach@example.test` };
      const member = { name: "Tomas Member", email: `${org.slug}-member@example.test` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...member, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      await fillPractitionerProfile(coachPage, org);
      const memberPage = await person("member");
      await acceptInvitation(memberPage, org, member);

      // The member's assessment points to trust and teamwork.
      await seeRecommendation(memberPage, org, await answerAssessment(memberPage, org, coachingAnswers(["Building trust", "Teamwork"])));

      // My support leads with trust and teamwork tools.
      await clickNav(memberPage, "My support", `/o/${org.slug}/my`);
      const panel = memberPage.locator("#library");
      const heading = (await panel.locator("h2").first().innerText()).toLowerCase();
      expectTrue(heading.includes("trust") && heading.includes("teamwork"), `the library panel's heading does not name trust and teamwork: ${heading}`);
      const recommended = await memberPage.locator("#library-recommended li a").allInnerTexts();
      expectTrue(recommended.length >= 3, `fewer than three tools are recommended: ${recommended.join(" | ")}`);
      expectTrue(recommended.some((t) => /trust/i.test(t)), `no trust tool is recommended: ${recommended.join(" | ")}`);
      expectTrue(recommended.some((t) => /team/i.test(t)), `no teamwork tool is recommended: ${recommended.join(" | ")}`);
      await shot(memberPage, "library-my-support.png");

      // The member opens the team charter template (from the recommendations
      // when it is there, from the library's teamwork shelf otherwise).
      const charterLink = memberPage.locator("#library-recommended a", { hasText: "Team charter template" });
      if (await charterLink.count()) {
        await Promise.all([memberPage.waitForURL(`**/o/${org.slug}/library/*`, { waitUntil: "commit" }), charterLink.click()]);
      } else {
        await memberPage.goto(new URL(`/o/${org.slug}/library?q=team+charter`, memberPage.url()).href);
        await Promise.all([memberPage.waitForURL(`**/o/${org.slug}/library/*`, { waitUntil: "commit" }),
          memberPage.getByRole("link", { name: "Team charter template" }).first().click()]);
      }
      await memberPage.getByRole("heading", { name: "Team charter template", level: 1 }).waitFor();
      const charterPath = new URL(memberPage.url()).pathname;
      expectTrue((await memberPage.locator("main").innerText()).length > 400, "the team charter template has hardly any text");

      // The coordinator (the owner) signposts the member and proposes the coach.
      await clickNav(owner, "Pipeline", `/o/${org.slug}/pipeline`);
      const assessed = owner.locator("section", { has: owner.getByRole("heading", { name: /^Assessed/ }) });
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/assessments/*`, { waitUntil: "commit" }),
        assessed.getByRole("link", { name: member.name }).click()]);
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/requests/*`, { waitUntil: "commit" }),
        owner.locator("form[action$='/decide']").getByRole("button", { name: "Confirm and signpost" }).click()]);
      const top = owner.locator("section", { has: owner.getByRole("heading", { name: "Candidates, best first" }) }).locator("article").first();
      await top.waitFor();
      await submitAndSee(owner, top.locator("form[action$='/proposals']"), ".flash-success", "Proposed");
      const { relPath } = await acceptProposal(coachPage, org, coach);
      // Sessions are booked once both sides have accepted the agreement.
      await acceptAgreement(coachPage, relPath);
      await acceptAgreement(memberPage, relPath);

      // The coach shares the same template into the relationship.
      await coachPage.goto(new URL(charterPath, coachPage.url()).href);
      const share = coachPage.locator("#share form");
      await share.locator("select[name='relationship']").selectOption({ index: 0 });
      await submitAndSee(coachPage, share, ".flash-success", "hared");

      await memberPage.goto(new URL(relPath, memberPage.url()).href);
      const shared = memberPage.locator("#library-shared");
      expectTrue(await shared.isVisible(), "the relationship page shows nothing shared from the library");
      expectTrue((await shared.innerText()).includes("Team charter template"), "the member does not find the shared team charter on the relationship page");
      await shot(memberPage, "library-relationship-member.png");

      // The coach schedules the first session and attaches a first-session agenda.
      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new`, coachPage.url()).href);
      const form = coachPage.locator(`form[action$='/o/${org.slug}/calendar/sessions']`).last();
      await form.locator("select[name='relationship_id']").selectOption({ index: 1 });
      const day = addDays(new Date().toISOString().slice(0, 10), 3);
      await form.getByLabel("Date", { exact: true }).fill(day);
      await form.getByLabel("Start time").fill("10:00");
      await form.getByLabel("Length in minutes").fill("60");
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/sessions/*`, { waitUntil: "commit" }),
        form.getByRole("button", { name: "Schedule" }).click()]);
      const sessionPath = new URL(coachPage.url()).pathname;
      await Promise.all([coachPage.waitForURL("**/agenda", { waitUntil: "commit" }),
        coachPage.getByRole("link", { name: "See or attach the agenda" }).click()]);
      const attach = coachPage.locator("form[action$='/agenda']");
      await attach.getByLabel(/Agenda: first meeting and contracting/).check();
      await submitAndSee(coachPage, attach, ".flash-success", "genda");
      expectTrue((await coachPage.locator("#agenda h2").innerText()).includes("first meeting"), "the attached agenda is not the first-meeting one");

      // The member sees it from the session page, before the session.
      await memberPage.goto(new URL(sessionPath, memberPage.url()).href);
      await Promise.all([memberPage.waitForURL("**/agenda", { waitUntil: "commit" }),
        memberPage.getByRole("link", { name: "See the agenda" }).click()]);
      const agenda = await memberPage.locator("#agenda").innerText();
      expectTrue(/first meeting/i.test(agenda) && agenda.length > 200, "the member does not see the first-session agenda");
      expectTrue(await memberPage.locator("form[action$='/agenda']").count() === 0, "the member is offered the form to change the agenda");
      await shot(memberPage, "library-agenda-member.png");

      // An admin (the owner) searches the library and finds the planner.
      await owner.goto(new URL(`/o/${org.slug}/library`, owner.url()).href);
      const search = owner.locator("form[role='search']");
      await search.getByLabel("Search the library").fill("difficult conversation");
      await Promise.all([owner.waitForURL("**/library?*", { waitUntil: "commit" }), search.locator("input[name='q']").press("Enter")]);
      await owner.getByRole("link", { name: "Challenging conversation planner" }).first().waitFor();
    },
  },
];
