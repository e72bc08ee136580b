// Issue 19 (defects, part A): what a walk of twelve people found, walked
// again. Items 2 (a group session belongs to who schedules it), 3 (a
// refused form shows why, and a reload is safe), 4 (sessions and
// relationships named by their people), 7 (nothing dropped without a
// word) and 12 (no console error or CSP violation, form-error swaps
// included: the harness fails the check on any).
import {
  signUpAndVerify,
  readMail,
  invite,
  acceptInvitation,
  fillPractitionerProfile,
  matchFaceToFace,
  submitAndSee,
  addDays,
} from "../lib.mjs";

// ddAfter is the text of the <dd> after the <dt> that reads term.
async function ddAfter(page, term) {
  return page.evaluate((t) => {
    const dt = [...document.querySelectorAll("dt")].find((d) => d.textContent.trim() === t);
    return dt && dt.nextElementSibling ? dt.nextElementSibling.textContent.trim() : "";
  }, term);
}

// acceptAgreement accepts the agreement of the relationship at path.
async function acceptAgreement(page, path) {
  await page.goto(new URL(path, page.url()).href);
  const form = page.locator("form[action$='/agreement/accept']");
  await Promise.all([page.waitForURL(`**${path}*`, { waitUntil: "commit" }), form.getByRole("button", { name: "I accept this agreement" }).click()]);
  await form.waitFor({ state: "detached" });
}

export default [
  {
    name: "defects-a",
    path: "/signup",
    expect: { screenshot: "defects-a-owner.png" },
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Walk Again");
      const cora = { name: "Cora Coach", email: `${org.slug}-cora@example.test` };
      const ciro = { name: "Ciro Second", email: `${org.slug}-ciro@example.test` };
      const mel = { name: "Mel Member", email: `${org.slug}-mel@example.test` };
      const max = { name: "Max Member", email: `${org.slug}-max@example.test` };
      for (const c of [cora, ciro]) await invite(owner, org.slug, { ...c, role: "practitioner", kinds: ["coach"] });
      for (const m of [mel, max]) await invite(owner, org.slug, { ...m, role: "member" });

      const coraPage = await person("cora");
      await acceptInvitation(coraPage, org, cora);
      await fillPractitionerProfile(coraPage, org);
      const melPage = await person("mel");
      await acceptInvitation(melPage, org, mel);
      const relPath = await matchFaceToFace(owner, coraPage, org, cora, mel);

      // Item 4: the relationship is named by its people.
      await coraPage.goto(new URL(relPath, owner.url()).href);
      const h1 = (await coraPage.textContent("h1")).trim();
      expectTrue(h1 === `Coaching with ${mel.name}`, `the relationship page is headed "${h1}", want "Coaching with ${mel.name}"`);

      // Item 3: "every 0 days" is refused inside the collapsed section;
      // the section opens, the field has the focus, a reload is the page.
      const section = coraPage.locator("details", { has: coraPage.locator("summary", { hasText: "Change the agreement" }) });
      await section.locator("summary").click();
      const agreement = section.locator("form[action$='/agreement']");
      await agreement.getByLabel("Meet every (days)").fill("0");
      await agreement.getByRole("button", { name: "Save the agreement" }).click();
      await coraPage.locator("details[open] .field-error").first().waitFor();
      const refused = await coraPage.evaluate(() => {
        const d = [...document.querySelectorAll("details")].find((x) => x.querySelector("summary")?.textContent.includes("Change the agreement"));
        return { open: !!d?.open, focused: document.activeElement?.id || "", error: d?.querySelector(".field-error")?.textContent || "" };
      });
      expectTrue(refused.open, "the refused agreement's section stays closed");
      expectTrue(refused.focused === "f-cadence_days", `the focus is on "${refused.focused}", not the field in error`);
      expectTrue(refused.error !== "", "the refused agreement shows no error beside the field");
      expectTrue(new URL(coraPage.url()).pathname === relPath, `after the refused post the address is ${coraPage.url()}`);
      await shot(coraPage, "defects-a-agreement-refused.png");
      const reload = await coraPage.reload();
      expectTrue(reload && reload.status() === 200, `reloading after the refused agreement = ${reload && reload.status()}`);
      expectTrue(!(await coraPage.locator("h1", { hasText: "Not available" }).count()), "the reload shows a \"Not available\" page");

      // Sessions are booked once both sides accepted the agreement.
      await acceptAgreement(coraPage, relPath);
      await acceptAgreement(melPage, relPath);

      // Item 7 and 12: refused weekly hours (an htmx swap) say why, and log nothing.
      await coraPage.goto(new URL(`/o/${org.slug}/calendar/availability`, owner.url()).href);
      const hours = coraPage.locator("form[action$='/availability/rules']");
      await hours.getByLabel("From").fill("12:00");
      await hours.getByLabel("To").fill("09:00");
      await hours.getByRole("button", { name: "Add hours" }).click();
      await coraPage.locator("#availability .field-error", { hasText: "after the start" }).waitFor();
      const settings = coraPage.locator("form[action$='/availability/settings']");
      await settings.getByRole("button", { name: "Save booking rules" }).click();
      await coraPage.locator("#availability .flash-success", { hasText: "Booking rules saved" }).waitFor();

      // Item 4: scheduling offers the relationship by its people, and the
      // session is named so in the calendar and in the member's e-mail.
      const day = addDays(new Date().toISOString().slice(0, 10), 2);
      await coraPage.goto(new URL(`/o/${org.slug}/calendar/new`, owner.url()).href);
      const sched = coraPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`).last();
      const option = `Coaching, one to one, with ${mel.name}`;
      const options = await sched.locator("#f-relationship_id option").allInnerTexts();
      expectTrue(options.includes(option), `scheduling offers ${JSON.stringify(options)}, want "${option}"`);
      await sched.getByLabel("Relationship").selectOption({ label: option });
      await sched.getByLabel("Date", { exact: true }).fill(day);
      await sched.getByLabel("Start time").fill("10:00");
      await Promise.all([coraPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }), sched.getByRole("button", { name: "Schedule" }).click()]);
      await coraPage.locator("h1", { hasText: `Coaching with ${mel.name}` }).waitFor();
      await coraPage.goto(new URL(`/o/${org.slug}/calendar?view=week&date=${day}`, owner.url()).href);
      const blocks = await coraPage.locator(".cal-event").allInnerTexts();
      expectTrue(blocks.some((b) => b.includes(`Coaching with ${mel.name}`)), `the calendar blocks read ${JSON.stringify(blocks)}`);
      await shot(coraPage, "defects-a-week.png");
      const booked = await readMail(melPage, mel.email, `Session booked: Coaching with ${cora.name}`);
      expectTrue(booked.includes(`Coaching with ${cora.name}`), "the member's e-mail does not name the session by its coach");

      // Item 2: a group led by Cora and Ciro; Ciro schedules a two-seat
      // session: it is his, and the members are told.
      const ciroPage = await person("ciro");
      await acceptInvitation(ciroPage, org, ciro);
      await fillPractitionerProfile(ciroPage, org);
      const maxPage = await person("max");
      await acceptInvitation(maxPage, org, max);
      await owner.goto(new URL(`/o/${org.slug}/relationships/new`, owner.url()).href);
      const group = owner.locator(`form[action='/o/${org.slug}/relationships']`);
      await group.getByLabel("Kind of support").selectOption("coaching");
      await group.getByLabel("Title").fill("Evening circle");
      for (const p of [cora, ciro]) await group.locator("fieldset", { hasText: "Practitioners" }).locator("label", { hasText: p.name }).locator("input").check();
      for (const m of [mel, max]) await group.locator("fieldset", { hasText: "Members" }).locator("label", { hasText: m.name }).locator("input").check();
      await Promise.all([owner.waitForURL("**/relationships/*", { waitUntil: "commit" }), group.getByRole("button", { name: "Start the group" }).click()]);
      await owner.locator("h1", { hasText: "Evening circle" }).waitFor();
      const groupPath = new URL(owner.url()).pathname;
      await acceptAgreement(ciroPage, groupPath);
      await acceptAgreement(maxPage, groupPath);

      await ciroPage.goto(new URL(`/o/${org.slug}/calendar/new`, owner.url()).href);
      const gs = ciroPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`).last();
      const groupOption = (await gs.locator("#f-relationship_id option").allInnerTexts()).find((o) => o.startsWith("Evening circle"));
      expectTrue(!!groupOption, "the group is not offered for scheduling");
      await gs.getByLabel("Relationship").selectOption({ label: groupOption });
      await gs.getByLabel("Date", { exact: true }).fill(day);
      await gs.getByLabel("Start time").fill("14:00");
      await gs.getByLabel("Seats").fill("2");
      await Promise.all([ciroPage.waitForURL("**/calendar/sessions/*", { waitUntil: "commit" }), gs.getByRole("button", { name: "Schedule" }).click()]);
      const leads = await ddAfter(ciroPage, "Practitioner");
      expectTrue(leads === ciro.name, `the group session names "${leads}" as its practitioner, want ${ciro.name}`);
      const sessionURL = ciroPage.url();
      await ciroPage.goto(new URL(`/o/${org.slug}/calendar?view=week&date=${day}`, owner.url()).href);
      const ciroBlocks = await ciroPage.locator(".cal-event").allInnerTexts();
      expectTrue(ciroBlocks.some((b) => b.includes("Evening circle")), `Ciro's calendar shows ${JSON.stringify(ciroBlocks)}`);
      const ciroMail = await readMail(ciroPage, ciro.email, "Session booked: Evening circle");
      expectTrue(ciroMail.includes("Evening circle"), "Ciro got no \"Session booked\" e-mail");

      // Every member is told; taking a seat sends the invitation.
      const told = await readMail(maxPage, max.email, "New group session: Evening circle");
      expectTrue(told.includes("Take a seat"), "the member's e-mail does not say how to take a seat");
      expectTrue(await maxPage.locator("a[href$='/invite.ics']").count() === 1, "the member's e-mail has no invitation");
      await maxPage.goto(sessionURL);
      await submitAndSee(maxPage, maxPage.locator("form[action$='/join']"), ".flash-success", "");
      await readMail(maxPage, max.email, "Session booked: Evening circle");
      expectTrue(await maxPage.locator("a[href$='/invite.ics']").count() === 1, "taking a seat sent no invitation");
      await ciroPage.goto(sessionURL);
      await shot(ciroPage, "defects-a-group-session.png");
    },
  },
];
