// Issue 13, items 1, 2 and 5, "done means": a coach brings a de-identified
// case to their supervision group (a name of the organisation's roster and
// an e-mail address are flagged and masked before they confirm), and the
// group sees it and reflects; a trainee who passes mentor training appears
// on the coordinator's pipeline as a provisional mentor, is approved with
// one click, and is proposed to a mentee. On the way (item 6), a member who
// leads asks for support to apply a coaching approach to their leadership.

import { signUpAndVerify, invite, acceptInvitation, acceptAgreement, acceptProposal, clickNav, submitAndSee, addDays, answerAssessment, seeRecommendation } from "../lib.mjs";

export default [
  {
    name: "supervision",
    path: "/signup",
    expect: { screenshot: "supervision-proposed.png" },
    run: async (owner, { expectTrue, person, expectStatus, shot }) => {
      const org = await signUpAndVerify(owner, "Hackney Practice");
      const sara = { name: "Sara Supervisor", email: `${org.slug}-sara@example.test` };
      const cora = { name: "Cora Coach", email: `${org.slug}-cora@example.test` };
      const pete = { name: "Pete Peer", email: `${org.slug}-pete@example.test` };
      const client = { name: "Melvin Client", email: `${org.slug}-client@example.test` };
      const tia = { name: "Tia Trainee", email: `${org.slug}-tia@example.test` };
      const milo = { name: "Milo Mentee", email: `${org.slug}-milo@example.test` };
      await invite(owner, org.slug, { ...sara, role: "practitioner", kinds: ["supervisor"] });
      await invite(owner, org.slug, { ...cora, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...pete, role: "practitioner", kinds: ["coach"] });
      for (const m of [client, tia, milo]) await invite(owner, org.slug, { ...m, role: "member" });
      const saraPage = await person("sara");
      await acceptInvitation(saraPage, org, sara);
      const coraPage = await person("cora");
      await acceptInvitation(coraPage, org, cora);
      const petePage = await person("pete");
      await acceptInvitation(petePage, org, pete);
      const clientPage = await person("client");
      await acceptInvitation(clientPage, org, client);

      // Sara's profile says she supervises (she will supervise new mentors too).
      await saraPage.goto(new URL(`/o/${org.slug}/profile`, saraPage.url()).href);
      const profile = saraPage.locator(`form[action$='/o/${org.slug}/profile']`);
      await profile.getByLabel("supervisor", { exact: true }).check();
      await profile.getByLabel("A short bio").fill("I supervise coaches and mentors.");
      await profile.getByLabel("I am taking new people").check();
      await submitAndSee(saraPage, profile, ".flash-success", "Profile saved");

      // The coordinator forms the supervision group: Sara with Cora and Pete.
      await owner.goto(new URL(`/o/${org.slug}/relationships/new`, owner.url()).href);
      const group = owner.locator(`form[action='/o/${org.slug}/relationships']`);
      await group.getByLabel("Kind of support").selectOption("supervision");
      await group.getByLabel("Title").fill("Coaches' supervision circle");
      await group.locator("fieldset", { hasText: "Practitioners" }).locator("label", { hasText: sara.name }).locator("input").check();
      for (const m of [cora, pete]) await group.locator("fieldset", { hasText: "Members" }).locator("label", { hasText: m.name }).locator("input").check();
      await Promise.all([owner.waitForURL(/\/relationships\/[0-9a-f-]{36}$/, { waitUntil: "commit" }), group.getByRole("button", { name: "Start the group" }).click()]);
      const groupPath = new URL(owner.url()).pathname;
      const groupID = groupPath.split("/").pop();
      await acceptAgreement(saraPage, groupPath);
      await acceptAgreement(coraPage, groupPath);

      // Sara schedules the group's recurring sessions from its supervision page.
      await saraPage.goto(new URL(`/o/${org.slug}/supervision/${groupID}`, saraPage.url()).href);
      await Promise.all([saraPage.waitForURL("**/calendar/new*", { waitUntil: "commit" }), saraPage.getByRole("link", { name: "Schedule sessions" }).click()]);
      const sched = saraPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`).last();
      await sched.getByLabel("Relationship").selectOption({ label: (await sched.locator("#f-relationship_id option").allInnerTexts()).find((o) => o.startsWith("Coaches' supervision circle")) });
      const day = addDays(new Date(Date.now() + 3 * 864e5).toISOString().slice(0, 10), 0);
      await sched.getByLabel("Date", { exact: true }).fill(day);
      await sched.getByLabel("Start time").fill("10:00");
      await sched.getByLabel("Seats").fill("3");
      await sched.getByLabel("Every how many days").fill("14");
      await sched.getByLabel("How many times").fill("4");
      await Promise.all([saraPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }), sched.getByRole("button", { name: "Schedule" }).click()]);

      // Cora sees the roles of the coming sessions ahead, in rotation.
      await clickNav(coraPage, "Supervision", `/o/${org.slug}/supervision`);
      const nextRole = await coraPage.locator(".next-role").first().innerText();
      expectTrue(/you are the (presenter|reflector|observer)/.test(nextRole), `Cora's supervision list does not say her next role: ${nextRole}`);
      await Promise.all([coraPage.waitForURL(`**/supervision/${groupID}`, { waitUntil: "commit" }),
        coraPage.getByRole("link", { name: "Coaches' supervision circle" }).click()]);
      const rows = await coraPage.locator("#rotation tbody tr").allInnerTexts();
      expectTrue(rows.length === 4, `the group page shows ${rows.length} coming sessions, want 4`);
      const presenters = await coraPage.locator("#rotation td.role-presenter").allInnerTexts();
      expectTrue(presenters[0] !== presenters[1] && presenters[0] === presenters[2], `presenters do not rotate: ${presenters.join(" | ")}`);
      await shot(coraPage, "supervision-group.png");

      // Cora brings a case that names her client and their address.
      await Promise.all([coraPage.waitForURL("**/cases/new", { waitUntil: "commit" }), coraPage.getByRole("link", { name: "Bring a case" }).click()]);
      const form = coraPage.locator(`form[action$='/supervision/${groupID}/cases']`);
      await form.getByLabel("A short title").fill("A new manager who avoids conflict");
      await form.getByLabel("The context").fill(`My coachee ${client.name} (${client.email}) was promoted last spring and avoids every hard conversation with the team.`);
      await form.getByLabel("Your question for the group").fill("What might I be colluding with?");
      await form.getByLabel("What you have tried").fill("Role play of the next one-to-one.");
      await form.getByRole("button", { name: "Check for identifiers" }).click();
      const found = coraPage.locator("#identifiers");
      await found.waitFor();
      const flagged = await found.innerText();
      expectTrue(flagged.includes(client.name) && flagged.includes(client.email), `the check does not flag the name and the address: ${flagged}`);
      const masked = await coraPage.locator("#f-context").inputValue();
      expectTrue(!masked.includes(client.name) && !masked.includes(client.email) && masked.includes("[name]") && masked.includes("[e-mail]"),
        `the context is not masked: ${masked}`);
      await shot(coraPage, "supervision-identifiers.png");
      await coraPage.getByLabel(/nothing left in it identifies/).check();
      await Promise.all([coraPage.waitForURL(/\/supervision\/cases\/[0-9a-f-]{36}$/, { waitUntil: "commit" }),
        coraPage.getByRole("button", { name: "Confirm and bring the case" }).click()]);
      const casePath = new URL(coraPage.url()).pathname;
      const caseText = await coraPage.locator("#case").innerText();
      expectTrue(caseText.includes("[name]") && !caseText.includes(client.name), `the case page: ${caseText}`);

      // Pete and Sara, the group, read it and reflect.
      await clickNav(petePage, "Supervision", `/o/${org.slug}/supervision`);
      await Promise.all([petePage.waitForURL(`**/supervision/${groupID}`, { waitUntil: "commit" }),
        petePage.getByRole("link", { name: "Coaches' supervision circle" }).click()]);
      await Promise.all([petePage.waitForURL(`**${casePath}`, { waitUntil: "commit" }),
        petePage.getByRole("link", { name: "A new manager who avoids conflict" }).click()]);
      const reflect = petePage.locator("form[action$='/reflections']");
      await reflect.getByLabel("Your reflection").fill("I notice the case is told from the team's side: what does the manager gain by avoiding?");
      await submitAndSee(petePage, reflect, ".flash-success", "Reflection added");
      await saraPage.goto(new URL(casePath, saraPage.url()).href);
      const sreflect = saraPage.locator("form[action$='/reflections']");
      await sreflect.getByLabel("Your reflection").fill("Worth bringing back after the next session.");
      await submitAndSee(saraPage, sreflect, ".flash-success", "Reflection added");
      await coraPage.goto(new URL(casePath, coraPage.url()).href);
      const reflections = await coraPage.locator("#reflections").innerText();
      expectTrue(reflections.includes(pete.name) && reflections.includes(sara.name), `Cora does not see both reflections: ${reflections}`);
      const learning = coraPage.locator("form[action$='/learning']");
      await learning.getByLabel("Your learning from the session").fill("I rescue too soon when a coachee goes quiet.");
      await submitAndSee(coraPage, learning, ".flash-success", "Learning note kept");
      await shot(coraPage, "supervision-case.png");

      // The owner, an admin outside the group, and the client cannot read it.
      for (const [who, page] of [["the owner", owner], ["the client", clientPage]]) {
        await expectStatus(page, casePath, 403);
        expectTrue(!(await page.locator("main").innerText()).includes("avoids every hard conversation"), `${who} reads the case`);
      }

      // A member who leads asks for a coaching approach to leadership: the
      // needs assessment signposts it (to a coach, the default).
      const step = await answerAssessment(clientPage, org, [
        "I lead people and want support to bring a coaching approach to how I lead",
        "Good questions that help me find my own answers",
        "I have made my own choices and acted on them",
        "One to one",
        "A few sessions over a few months",
        [],
      ]);
      await seeRecommendation(clientPage, org, step);
      const approach = await clientPage.locator("#coaching-approach").innerText();
      expectTrue(approach.includes("coaching approach") && approach.includes("coach"), `the coaching-approach outcome: ${approach}`);
      await shot(clientPage, "supervision-coaching-approach.png");

      // Part two: a trainee passes mentor training.
      const tiaPage = await person("tia");
      await acceptInvitation(tiaPage, org, tia);
      const miloPage = await person("milo");
      await acceptInvitation(miloPage, org, milo);
      const course = `Becoming a mentor ${org.slug.slice(-4)}`;
      await clickNav(owner, "Courses", `/o/${org.slug}/courses`);
      await Promise.all([owner.waitForURL("**/courses/new", { waitUntil: "commit" }), owner.getByRole("link", { name: "New course" }).click()]);
      const cf = owner.locator(`form[action='/o/${org.slug}/courses']`);
      await cf.getByLabel("Title").fill(course);
      await cf.getByLabel("Summary").fill("The organisation's training for new mentors.");
      await cf.getByLabel("Status").selectOption("published");
      await cf.getByLabel(/qualifies a person as a trained mentor/).check();
      await Promise.all([owner.waitForURL("**/courses/*/edit", { waitUntil: "commit" }), cf.getByRole("button", { name: "Create course" }).click()]);
      await owner.locator("form[action$='/modules']").getByLabel("Module title").fill("Mentoring here");
      await submitAndSee(owner, owner.locator("form[action$='/modules']"), ".flash-success", "Module added");
      const lf = owner.locator("form[action$='/lessons']");
      await lf.getByLabel("New lesson title").fill("What a mentor does");
      await lf.getByLabel("Lesson text (Markdown)").fill("A mentor shares **experience**; the mentee owns the decisions.");
      await submitAndSee(owner, lf, ".flash-success", "Lesson added");
      await Promise.all([owner.waitForURL("**/quiz", { waitUntil: "commit" }), owner.getByRole("link", { name: "Add a quiz" }).click()]);
      const qf = owner.locator("form[action$='/quiz/questions']");
      await qf.locator("#f-prompt").fill("Who owns the mentee's decisions?");
      await qf.locator("#f-option_1").fill("The mentee");
      await qf.locator("#f-option_2").fill("The mentor");
      await qf.locator("input[name=correct][value=option_1]").check();
      await submitAndSee(owner, qf, ".flash-success", "Question added");

      await clickNav(tiaPage, "Courses", `/o/${org.slug}/courses`);
      await Promise.all([tiaPage.waitForURL("**/courses/*", { waitUntil: "commit" }), tiaPage.getByRole("link", { name: course }).click()]);
      await submitAndSee(tiaPage, tiaPage.locator("form[action$='/enrol']"), ".flash-success", "You are enrolled");
      for (let i = 0; i < 4 && !(await tiaPage.getByText("You completed this course.").isVisible()); i++) {
        await Promise.all([tiaPage.waitForURL(/\/(lessons|quizzes)\//, { waitUntil: "commit" }), tiaPage.locator("#main a.btn-primary").first().click()]);
        if (tiaPage.url().includes("/lessons/")) {
          await tiaPage.locator("#lesson-progress").getByRole("button", { name: "Mark as complete" }).click();
          await tiaPage.locator("#lesson-progress .badge", { hasText: "Lesson complete" }).waitFor();
        } else {
          await tiaPage.getByLabel("The mentee", { exact: true }).check();
          await tiaPage.locator("form[action*='/quizzes/']").getByRole("button", { name: "Submit answers" }).click();
          await tiaPage.locator("#quiz-result", { hasText: "You passed" }).waitFor();
        }
        await tiaPage.goto(new URL(`/o/${org.slug}/courses`, tiaPage.url()).href);
        await Promise.all([tiaPage.waitForURL("**/courses/*", { waitUntil: "commit" }), tiaPage.getByRole("link", { name: course }).click()]);
      }
      expectTrue(await tiaPage.getByText("You completed this course.").isVisible(), "the trainee did not complete the course");

      // Tia sees where she stands.
      await clickNav(tiaPage, "My support", `/o/${org.slug}/my`);
      const status = await tiaPage.locator("#mentor-status").innerText();
      expectTrue(status.includes("provisional") && status.includes(sara.name), `Tia's mentor status: ${status}`);
      await shot(tiaPage, "supervision-trainee-provisional.png");

      // The coordinator approves her with one click on the pipeline.
      await clickNav(owner, "Pipeline", `/o/${org.slug}/pipeline`);
      const mentors = owner.locator("#mentors");
      expectTrue((await mentors.innerText()).includes(tia.name), "the pipeline does not list the provisional mentor");
      await shot(owner, "supervision-pipeline-provisional.png");
      await submitAndSee(owner, mentors.locator("form", { hasText: tia.name }), ".flash-success", "approved as a mentor");

      // A mentee signposted face to face is proposed to Tia.
      await owner.goto(new URL(`/o/${org.slug}/assessments/new`, owner.url()).href);
      const af = owner.locator(`form[action='/o/${org.slug}/assessments']`);
      await af.getByLabel("Person").selectOption({ label: `${milo.name} (${milo.email})` });
      await af.getByLabel("Kind of support").selectOption("mentoring");
      await af.getByLabel("Format").selectOption("one_to_one");
      await af.getByLabel("Duration").selectOption("short_term");
      await af.getByLabel("What you agreed, and why").fill("New in post; wants someone who has done the job.");
      await Promise.all([owner.waitForURL(`**/o/${org.slug}/requests/*`, { waitUntil: "commit" }),
        af.getByRole("button", { name: "Record and signpost" }).click()]);
      const cand = owner.locator("section", { has: owner.getByRole("heading", { name: "Candidates, best first" }) }).locator("article", { hasText: tia.name });
      expectTrue((await cand.count()) === 1, "the approved mentor is not among the candidates");
      await submitAndSee(owner, cand.locator("form[action$='/proposals']"), ".flash-success", "Proposed");
      const { relPath } = await acceptProposal(tiaPage, org, tia);
      expectTrue(/\/relationships\/[0-9a-f-]{36}$/.test(relPath), `accepting the proposal led to ${relPath}`);
      await clickNav(tiaPage, "My support", `/o/${org.slug}/my`);
      expectTrue((await tiaPage.locator("#mentor-status").innerText()).includes("approved"), "Tia's My support does not say she is approved");
    },
  },
];
