// Issue 10: personal data and group permissions, in the browser.
//   privacy-export-delete   a member downloads their data (a ZIP whose JSON
//                           and CSV hold their own data and nobody else's),
//                           then deletes their account
//   privacy-group-session   a member of a group cannot cancel the group's
//                           session (the page offers no cancel; a forged post
//                           is refused with 403), but gives up their seat

import { readFile } from "node:fs/promises";
import { inflateRawSync } from "node:zlib";
import { PASSWORD, signUpAndVerify, invite, acceptInvitation, fillPractitionerProfile, submitAndSee, addDays } from "../lib.mjs";

// unzip reads a ZIP archive's files (stored or deflated) by its central
// directory: name -> text.
function unzip(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  if (eocd < 0) throw new Error("not a ZIP archive");
  const entries = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = {};
  for (let i = 0; i < entries; i++) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28), extraLen = buf.readUInt16LE(p + 30), commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString("utf8", p + 46, p + 46 + nameLen);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(start, start + size);
    files[name] = (method === 8 ? inflateRawSync(raw) : raw).toString("utf8");
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

export default [
  {
    name: "privacy-export-delete",
    path: "/signup",
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Privacy Export");
      const who = { email: `${org.slug}-member@example.test`, name: `Mina Member ${org.slug.slice(-4)}` };
      await invite(owner, org.slug, { ...who, role: "member" });
      const member = await person("member");
      await acceptInvitation(member, org, who);

      await member.goto(new URL("/account", member.url()).href);
      const [download] = await Promise.all([member.waitForEvent("download"), member.getByRole("link", { name: "Download your data" }).click()]);
      expectTrue(/\.zip$/.test(download.suggestedFilename()), `the download is called ${download.suggestedFilename()}, not a .zip`);
      const files = unzip(await readFile(await download.path()));
      for (const name of ["README.txt", "account/account.json", "account/account.csv", "organisations/memberships.json", "organisations/audit_log.csv",
        "relationships/notes.json", "calendar/sessions.csv", "training/enrolments.json", "payments/payments.csv", "library/votes.json"]) {
        expectTrue(name in files, `the export has no ${name} (it has ${Object.keys(files).length} files)`);
      }
      const account = JSON.parse(files["account/account.json"] || "[]");
      expectTrue(account.length === 1 && account[0].email === who.email && account[0].name === who.name, `account.json = ${files["account/account.json"]}`);
      const memberships = JSON.parse(files["organisations/memberships.json"] || "[]");
      expectTrue(memberships.length === 1 && memberships[0].slug === org.slug && memberships[0].role === "member", `memberships.json = ${files["organisations/memberships.json"]}`);
      expectTrue((files["account/account.csv"] || "").startsWith("email,name,time_zone"), "account.csv has no header row");
      for (const [name, body] of Object.entries(files)) {
        expectTrue(!body.includes(org.owner.email) && !body.includes(org.owner.name), `${name} names the owner`);
      }

      await member.goto(new URL("/account/delete", member.url()).href);
      const form = member.locator("form[action='/account/delete']");
      await form.getByLabel("Your password, to confirm").fill(PASSWORD);
      await Promise.all([member.waitForURL((u) => new URL(u).pathname === "/", { waitUntil: "commit" }), form.getByRole("button", { name: "Delete my account" }).click()]);
      await member.locator(".flash", { hasText: "Your account is deleted" }).waitFor();
      await shot(member, "privacy-deleted.png");
      await member.goto(new URL("/account", member.url()).href);
      expectTrue(new URL(member.url()).pathname === "/login", "the deleted account's session still opens /account");
      // The owner's people list no longer shows the member.
      await owner.goto(new URL(`/o/${org.slug}/people`, owner.url()).href);
      expectTrue(!(await owner.locator("body").innerText()).includes(who.email), "the deleted member is still on the people list");
    },
  },
  {
    name: "privacy-group-session",
    path: "/signup",
    run: async (owner, { expectTrue, person, shot }) => {
      const org = await signUpAndVerify(owner, "Privacy Groups");
      const coach = { email: `${org.slug}-coach@example.test`, name: `Cora Coach ${org.slug.slice(-4)}` };
      const m1 = { email: `${org.slug}-m1@example.test`, name: `Max One ${org.slug.slice(-4)}` };
      const m2 = { email: `${org.slug}-m2@example.test`, name: `Meg Two ${org.slug.slice(-4)}` };
      await invite(owner, org.slug, { ...coach, role: "practitioner", kinds: ["coach"] });
      await invite(owner, org.slug, { ...m1, role: "member" });
      await invite(owner, org.slug, { ...m2, role: "member" });
      const coachPage = await person("coach");
      await acceptInvitation(coachPage, org, coach);
      await fillPractitionerProfile(coachPage, org);
      const p1 = await person("member one");
      await acceptInvitation(p1, org, m1);
      const p2 = await person("member two");
      await acceptInvitation(p2, org, m2);

      // The owner (staff) starts a group; the coach schedules its session.
      await owner.goto(new URL(`/o/${org.slug}/relationships/new`, owner.url()).href);
      const group = owner.locator(`form[action='/o/${org.slug}/relationships']`);
      const title = `Circle ${org.slug.slice(-4)}`;
      await group.getByLabel("Kind of support").selectOption("coaching");
      await group.getByLabel("Title").fill(title);
      await group.locator("label.checkbox-row", { hasText: coach.name }).locator("input[name=practitioners]").check();
      await group.locator("label.checkbox-row", { hasText: m1.name }).locator("input[name=members]").check();
      await group.locator("label.checkbox-row", { hasText: m2.name }).locator("input[name=members]").check();
      // (The form's own page is /relationships/new: wait for the group's id.)
      await Promise.all([owner.waitForURL(/\/relationships\/[0-9a-f-]{36}$/, { waitUntil: "commit" }), group.getByRole("button", { name: "Start the group" }).click()]);
      const relID = new URL(owner.url()).pathname.split("/").pop();
      // The practitioner and the members' side accept the agreement
      // (sessions wait for that; one member's acceptance stands for the side).
      for (const pg of [coachPage, p1]) {
        await pg.goto(new URL(`/o/${org.slug}/relationships/${relID}`, pg.url()).href);
        await submitAndSee(pg, pg.locator("form[action$='/agreement/accept']"), ".flash-success", "You accepted");
      }

      await coachPage.goto(new URL(`/o/${org.slug}/calendar/new`, coachPage.url()).href);
      const sched = coachPage.locator(`form[action='/o/${org.slug}/calendar/sessions']`);
      await sched.getByLabel("Relationship").selectOption(relID);
      await sched.getByLabel("Date", { exact: true }).fill(addDays(new Date().toISOString().slice(0, 10), 9));
      await sched.getByLabel("Start time").fill("10:00");
      await sched.getByLabel("Seats").fill("4");
      await Promise.all([coachPage.waitForURL(`**/o/${org.slug}/calendar/sessions/*`, { waitUntil: "commit" }), sched.getByRole("button", { name: "Schedule" }).click()]);
      const sessionPath = new URL(coachPage.url()).pathname;

      // The member sees no way to cancel it, and a forged post is refused.
      await p1.goto(new URL(sessionPath, p1.url()).href);
      await submitAndSee(p1, p1.locator(`form[action='${sessionPath}/join']`), ".flash-success", "You have a seat");
      expectTrue((await p1.getByRole("button", { name: "Cancel the session" }).count()) === 0, "a group member is offered to cancel the group's session");
      const token = await p1.locator("meta[name=csrf-token]").getAttribute("content");
      const forged = await p1.request.post(new URL(`${sessionPath}/cancel`, p1.url()).href, {
        form: { csrf_token: token, reason: "I would rather not", following: "on" },
        headers: { Origin: new URL(p1.url()).origin }, maxRedirects: 0,
      });
      expectTrue(forged.status() === 403, `a group member's cancel post = ${forged.status()}, want 403`);
      await coachPage.reload();
      expectTrue(!(await coachPage.locator("body").innerText()).includes("Reason for cancelling"), "the member's post cancelled the session");
      // Giving up one's own seat is what a member may do.
      await p1.reload();
      await submitAndSee(p1, p1.locator(`form[action='${sessionPath}/leave']`), ".flash-success", "You gave up your place");
      await shot(p1, "privacy-group-session.png");
    },
  },
];
