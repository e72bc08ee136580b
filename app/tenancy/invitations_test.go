package tenancy_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func owner(org *testkit.Org) tenancy.Actor {
	return tenancy.Actor{UserID: org.Owner.ID, Role: tenancy.RoleOwner}
}

// sessionCookie returns the session cookie a response set, if any.
func sessionCookie(p *testkit.Page) string {
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == "session" {
			return c.Value
		}
	}
	return ""
}

func TestInvitationAcceptedByNewPersonCreatesVerifiedAccountAndMembership(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		admin := env.SignIn(org.Owner.User)
		p := admin.Post("/o/"+org.Slug+"/invitations", map[string]string{"email": "New.Coach@Example.test", "name": "Nia", "role": "practitioner", "kinds": "coach"})
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "new.coach@example.test") {
			t.Fatalf("invite = %d at %s", p.Status, p.URL)
		}
		link := env.LastLink("new.coach@example.test", "invites you to "+org.Name)

		b := env.Browser()
		show := b.Get(link)
		if show.Status != http.StatusOK || !strings.Contains(show.Body, org.Name) || !strings.Contains(show.Body, org.Owner.Name) || !strings.Contains(show.Body, "practitioner (coach)") {
			t.Fatalf("invitation page = %d: does not say who invites whom to what", show.Status)
		}
		if bad := b.Post(link, map[string]string{"name": "Nia", "password": "short"}); bad.Status != http.StatusUnprocessableEntity {
			t.Fatalf("short password = %d, want 422", bad.Status)
		}
		b.NoRedirects()
		accepted := b.Post(link, map[string]string{"name": "Nia Coach", "password": "a long enough password"})
		if accepted.Status != http.StatusSeeOther || accepted.Header.Get("Location") != "/o/"+org.Slug || sessionCookie(accepted) == "" {
			t.Fatalf("accept = %d to %q (session cookie %q)", accepted.Status, accepted.Header.Get("Location"), sessionCookie(accepted))
		}
		if n := env.Count("users", "email = ? AND verified_at IS NOT NULL AND name = ?", "new.coach@example.test", "Nia Coach"); n != 1 {
			t.Fatalf("verified account rows = %d", n)
		}
		if n := env.Count("memberships AS m JOIN users AS u ON u.id = m.user_id", "u.email = ? AND m.org_id = ? AND m.role = ? AND m.kinds = ?", "new.coach@example.test", org.ID, "practitioner", "coach"); n != 1 {
			t.Fatalf("membership rows = %d", n)
		}
		if dash := b.Get("/o/" + org.Slug); dash.Status != http.StatusOK {
			t.Fatalf("new member's dashboard = %d", dash.Status)
		}
		if n := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "invitation.accepted"); n != 1 {
			t.Fatalf("accept audit events = %d", n)
		}
		// Single use.
		if again := env.Browser().Get(link); again.Status != http.StatusNotFound {
			t.Fatalf("used link = %d, want 404", again.Status)
		}
		if again := env.Browser().Post(link, map[string]string{"name": "X", "password": "another long password"}); again.Status != http.StatusNotFound {
			t.Fatalf("used link POST = %d, want 404", again.Status)
		}
	})
}

func TestInvitationForExistingAccountNeedsThatAccountSignedIn(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		person := env.NewPerson(other, tenancy.RoleMember)
		if _, err := env.Services.Tenancy.Invite(env.Ctx(), org.ID, owner(org), tenancy.InviteRow{Email: person.Email, Role: tenancy.RoleCoordinator}); err != nil {
			t.Fatal(err)
		}
		link := env.LastLink(person.Email, "invites you")
		anon := env.Browser()
		if p := anon.Post(link, map[string]string{"name": "Hijack", "password": "a long enough password"}); p.Status != http.StatusForbidden {
			t.Fatalf("anonymous accept for an existing account = %d, want 403", p.Status)
		}
		stranger := env.SignIn(env.NewPerson(other, tenancy.RoleMember).User)
		if p := stranger.Post(link, nil); p.Status != http.StatusForbidden {
			t.Fatalf("another account's accept = %d, want 403", p.Status)
		}
		if n := env.Count("memberships", "org_id = ?", org.ID); n != 1 {
			t.Fatalf("memberships after refused accepts = %d, want the owner's alone", n)
		}
		b := env.SignIn(person.User)
		before := b.Get(link)
		if !strings.Contains(before.Body, "Accept and join") {
			t.Fatalf("signed-in invitee sees no accept button")
		}
		b.NoRedirects()
		p := b.Post(link, nil)
		if p.Status != http.StatusSeeOther || sessionCookie(p) == "" {
			t.Fatalf("accept = %d, session rotated: %v", p.Status, sessionCookie(p) != "")
		}
		if n := env.Count("memberships", "org_id = ? AND user_id = ? AND role = ?", org.ID, person.ID, "coordinator"); n != 1 {
			t.Fatalf("membership added = %d", n)
		}
	})
}

func TestExpiredRevokedAndResentInvitations(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		ctx := env.Ctx()
		invite := func(email string) (*tenancy.Invitation, string) {
			inv, err := env.Services.Tenancy.Invite(ctx, org.ID, owner(org), tenancy.InviteRow{Email: email, Role: tenancy.RoleMember})
			if err != nil {
				t.Fatal(err)
			}
			return inv, env.LastLink(email, "invites you")
		}
		accept := func(link string) int {
			return env.Browser().NoRedirects().Post(link, map[string]string{"name": "Someone", "password": "a long enough password"}).Status
		}

		_, expiring := invite("expiring@example.test")
		revoked, revokedLink := invite("revoked@example.test")
		resent, oldLink := invite("resent@example.test")

		admin := env.SignIn(org.Owner.User)
		if p := admin.Post("/o/"+org.Slug+"/invitations/"+revoked.ID.String()+"/revoke", map[string]string{"confirm": "yes"}); p.Status != http.StatusOK {
			t.Fatalf("revoke = %d", p.Status)
		}
		if got := accept(revokedLink); got != http.StatusNotFound {
			t.Fatalf("revoked invitation accept = %d, want 404", got)
		}
		if p := admin.Post("/o/"+org.Slug+"/invitations/"+revoked.ID.String()+"/resend", nil); p.Status != http.StatusConflict {
			t.Fatalf("resend of a revoked invitation = %d, want 409", p.Status)
		}

		env.Clock.Advance(6 * 24 * time.Hour)
		if p := admin.Post("/o/"+org.Slug+"/invitations/"+resent.ID.String()+"/resend", nil); p.Status != http.StatusOK {
			t.Fatalf("resend = %d", p.Status)
		}
		newLink := env.LastLink("resent@example.test", "invites you")
		if newLink == oldLink {
			t.Fatal("resend kept the same link")
		}
		env.Clock.Advance(24*time.Hour + time.Second) // the first invitations are now 7 days and 1 s old
		if got := accept(expiring); got != http.StatusNotFound {
			t.Fatalf("expired invitation accept = %d, want 404", got)
		}
		if got := env.Browser().Get(expiring).Status; got != http.StatusNotFound {
			t.Fatalf("expired invitation page = %d, want 404", got)
		}
		if got := accept(oldLink); got != http.StatusNotFound {
			t.Fatalf("link replaced by a resend = %d, want 404", got)
		}
		if got := accept(newLink); got != http.StatusSeeOther {
			t.Fatalf("resent link (renewed for 7 days) = %d, want 303", got)
		}
		for _, action := range []string{"invitation.sent", "invitation.resent", "invitation.revoked", "invitation.accepted"} {
			if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, action) == 0 {
				t.Errorf("no %s in the audit log", action)
			}
		}
	})
}

func TestUnverifiedAdminCannotInvite(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		if _, err := env.OwnerDB.NewUpdate().Table("users").Set("verified_at = NULL").Where("id = ?", org.Owner.ID).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		b := env.SignIn(org.Owner.User)
		page := b.Get("/o/" + org.Slug + "/invitations")
		if !strings.Contains(page.Body, "confirm your e-mail address before inviting") {
			t.Fatal("invitations page does not explain that the e-mail must be confirmed")
		}
		p := b.Post("/o/"+org.Slug+"/invitations", map[string]string{"email": "x@example.test", "role": "member"})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "confirm your e-mail address") {
			t.Fatalf("unverified invite = %d", p.Status)
		}
		if _, err := env.Services.Tenancy.Invite(env.Ctx(), org.ID, owner(org), tenancy.InviteRow{Email: "y@example.test", Role: tenancy.RoleMember}); err == nil {
			t.Fatal("the service let an unverified person invite")
		}
		if n := env.Count("invitations", "org_id = ?", org.ID); n != 0 {
			t.Fatalf("invitations = %d, want 0", n)
		}
	})
}

func TestInviteFormRejectsBadInputAndDuplicates(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		member := env.NewPerson(org, tenancy.RoleMember)
		b := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/invitations"
		for name, form := range map[string]map[string]string{
			"bad e-mail":           {"email": "not-an-address", "role": "member"},
			"owner role":           {"email": "a@example.test", "role": "owner"},
			"unknown role":         {"email": "a@example.test", "role": "boss"},
			"practitioner no kind": {"email": "a@example.test", "role": "practitioner"},
			"already a member":     {"email": member.Email, "role": "member"},
		} {
			if p := b.Post(path, form); p.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", name, p.Status)
			}
		}
		if p := b.Post(path, map[string]string{"email": "a@example.test", "role": "member"}); p.Status != http.StatusOK {
			t.Fatalf("good invite = %d", p.Status)
		}
		if p := b.Post(path, map[string]string{"email": "A@example.test", "role": "member"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("second invite for the same address = %d, want 422", p.Status)
		}
		if n := env.Count("invitations", "org_id = ?", org.ID); n != 1 {
			t.Fatalf("invitations = %d, want 1", n)
		}
	})
}

// upload posts a CSV file as the invitations page's form does.
func upload(t *testing.T, b *testkit.Browser, path, csv string, allOrNothing bool) *testkit.Page {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, err := w.CreateFormFile("file", "people.csv")
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(csv))
	if allOrNothing {
		w.WriteField("all_or_nothing", "on")
	}
	w.Close()
	return b.PostRaw(path, w.FormDataContentType(), &body)
}

func TestCSVUploadReportsBadRowsAndImportsTheRest(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		member := env.NewPerson(org, tenancy.RoleMember)
		if _, err := env.Services.Tenancy.Invite(env.Ctx(), org.ID, owner(org), tenancy.InviteRow{Email: "pending@example.test", Role: tenancy.RoleMember}); err != nil {
			t.Fatal(err)
		}
		csv := "email,name,role,kinds\n" +
			"good1@example.test,Good One,member,\n" + // line 2
			"not an address,Bad,member,\n" + // 3
			"good2@example.test,Good Two,practitioner,coach;mentor\n" + // 4
			"x@example.test,X,chief,\n" + // 5
			"GOOD1@example.test,Again,member,\n" + // 6
			member.Email + ",Member,member,\n" + // 7
			"pending@example.test,Pending,member,\n" + // 8
			"p@example.test,P,practitioner,\n" // 9
		b := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/invitations/upload"

		all := upload(t, b, path, csv, true)
		if all.Status != http.StatusUnprocessableEntity || !strings.Contains(all.Body, "Nothing was imported") {
			t.Fatalf("all-or-nothing upload = %d", all.Status)
		}
		if n := env.Count("invitations", "org_id = ?", org.ID); n != 1 {
			t.Fatalf("all-or-nothing imported %d rows", n-1)
		}

		p := upload(t, b, path, csv, false)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("upload with bad rows = %d, want 422", p.Status)
		}
		lines := map[string]string{}
		p.Doc().Find("#upload-result tbody tr").Each(func(_ int, s *goquery.Selection) {
			lines[s.Find("td").First().Text()] = s.Find("td").Last().Text()
		})
		want := map[string]string{"3": "not an e-mail address", "5": "Unknown role", "6": "Duplicate in the file", "7": "Already a member", "8": "Already invited", "9": "at least one kind"}
		for line, reason := range want {
			if !strings.Contains(lines[line], reason) {
				t.Errorf("line %s: reported %q, want it to say %q", line, lines[line], reason)
			}
		}
		if len(lines) != len(want) {
			t.Errorf("reported lines %v, want exactly %v", lines, want)
		}
		for _, email := range []string{"good1@example.test", "good2@example.test"} {
			if n := env.Count("invitations", "org_id = ? AND email = ?", org.ID, email); n != 1 {
				t.Errorf("%s invited %d times", email, n)
			}
			if len(env.Emails(email)) != 1 {
				t.Errorf("%s got %d e-mails", email, len(env.Emails(email)))
			}
		}
		if n := env.Count("invitations", "org_id = ? AND email = ? AND kinds = ?", org.ID, "good2@example.test", "mentor,coach"); n != 1 {
			t.Errorf("practitioner kinds not stored in canonical order")
		}
		if n := env.Count("invitations", "org_id = ?", org.ID); n != 3 {
			t.Fatalf("invitations = %d, want 3", n)
		}
	})
}

func TestCSVUploadWholeFileProblems(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	path := "/o/" + org.Slug + "/invitations/upload"
	big := "email,role\n" + strings.Repeat("someone@example.test,member\n", tenancy.MaxCSVBytes/28+10)
	many := "email,role\n"
	for i := range tenancy.MaxCSVRows + 1 {
		many += "p" + uuid.NewString()[:8] + string(rune('a'+i%26)) + "@example.test,member\n"
	}
	for name, csv := range map[string]string{
		"no header":    "a@example.test,member\n",
		"empty":        "",
		"too large":    big,
		"too many":     many,
		"broken quote": "email,role\n\"a@example.test,member\n",
	} {
		if p := upload(t, b, path, csv, false); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", name, p.Status)
		}
	}
	if p := b.Post(path, map[string]string{"x": "no file"}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("no file: status %d, want 422", p.Status)
	}
	if n := env.Count("invitations", "org_id = ?", org.ID); n != 0 {
		t.Fatalf("invitations = %d, want 0", n)
	}
}
