package account_test

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// unzip reads an export archive: file name to contents.
func unzip(t *testing.T, body string) map[string]string {
	t.Helper()
	z, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatalf("the export is not a ZIP archive: %v", err)
	}
	out := map[string]string{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = string(b)
	}
	return out
}

// TestExportContainsOwnDataOnly: the export is a ZIP of JSON and CSV per
// domain holding the person's goals, notes (their private one opened),
// sessions, attendance, enrolments, library votes and audit events,
// naming nobody else: not the other side's name, address or id.
func TestExportContainsOwnDataOnly(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		person := env.NewPerson(org, tenancy.RoleMember)
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		env.AddMember(other, person.User, tenancy.RoleMember)
		ctx := env.Ctx()
		rel := env.NewRelationship(org, relationships.Coaching, coach, person)
		s := env.Services
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Relationships.CreateGoal(ctx, org.ID, env.Clock.Now(), &relationships.Goal{RelationshipID: rel.ID, OwnerID: person.ID, Description: "Chair the weekly meeting"}))
		must(s.Relationships.AddNote(ctx, s.NoteKeys, org.ID, env.Clock.Now(), &relationships.Note{AuthorID: person.ID, RelationshipID: rel.ID, Visibility: relationships.Private}, "My private worry"))
		must(s.Relationships.AddNote(ctx, s.NoteKeys, org.ID, env.Clock.Now(), &relationships.Note{AuthorID: coach.ID, RelationshipID: rel.ID, Visibility: relationships.Private}, "The coach's private note"))
		_, err := s.Calendar.Book(ctx, org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID, Start: testkit.Epoch.Add(72 * time.Hour), Direct: true})
		must(err)
		b := env.SignIn(person.User)
		p := b.Get("/account/export")
		if p.Status != http.StatusOK || !strings.Contains(p.Header.Get("Content-Disposition"), ".zip") || p.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export = %d %q", p.Status, p.Header.Get("Content-Disposition"))
		}
		files := unzip(t, p.Body)
		for _, name := range []string{"README.txt", "account/account.json", "account/account.csv", "organisations/memberships.json",
			"organisations/audit_log.csv", "relationships/goals.json", "relationships/notes.csv", "calendar/sessions.json",
			"calendar/attendance.csv", "training/enrolments.json", "training/certificates.csv", "payments/payments.json",
			"feedback/feedback.json", "library/votes.csv", "assessment/assessments.json"} {
			if _, ok := files[name]; !ok {
				t.Errorf("the export has no %s", name)
			}
		}
		var goals []map[string]any
		if err := json.Unmarshal([]byte(files["relationships/goals.json"]), &goals); err != nil || len(goals) != 1 || goals[0]["description"] != "Chair the weekly meeting" {
			t.Errorf("goals = %v, %v", goals, err)
		}
		if !strings.Contains(files["relationships/notes.csv"], "My private worry") {
			t.Errorf("the person's private note is not opened in the export: %q", files["relationships/notes.csv"])
		}
		if !strings.Contains(files["calendar/sessions.json"], `"your_side": "member"`) {
			t.Errorf("sessions = %s", files["calendar/sessions.json"])
		}
		if !strings.Contains(files["organisations/audit_log.json"], `"done_by": "you"`) {
			t.Errorf("audit log = %s", files["organisations/audit_log.json"])
		}
		for name, body := range files {
			for _, leak := range []string{coach.Email, coach.Name, coach.ID.String(), org.Owner.Email, "The coach's private note"} {
				if strings.Contains(body, leak) {
					t.Errorf("%s names another person (%q)", name, leak)
				}
			}
		}
		if env.Count("audit_events", "action = ? AND actor_id = ?", "account.data_exported", person.ID) != 2 {
			t.Fatal("export not recorded in each organisation")
		}
	})
}

// TestDeleteAccountLeavesNothingReadable: after deletion, the person's
// private notes, goals, attendance, availability, enrolments, certificates,
// library votes, calendar feed and e-mails are gone; payments stay,
// pointing at the anonymous account.
func TestDeleteAccountLeavesNothingReadable(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		person := env.NewPerson(org, tenancy.RoleMember)
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		ctx, s := env.Ctx(), env.Services
		rel := env.NewRelationship(org, relationships.Coaching, coach, person)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(s.Relationships.CreateGoal(ctx, org.ID, env.Clock.Now(), &relationships.Goal{RelationshipID: rel.ID, OwnerID: person.ID, Description: "A goal"}))
		must(s.Relationships.AddNote(ctx, s.NoteKeys, org.ID, env.Clock.Now(), &relationships.Note{AuthorID: person.ID, RelationshipID: rel.ID, Visibility: relationships.Private}, "Secret"))
		must(s.Relationships.AddNote(ctx, s.NoteKeys, org.ID, env.Clock.Now(), &relationships.Note{AuthorID: coach.ID, RelationshipID: rel.ID, Visibility: relationships.Shared}, "For both"))
		ss, err := s.Calendar.Book(ctx, org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: coach.ID, Start: testkit.Epoch.Add(72 * time.Hour), Direct: true})
		must(err)
		b := env.SignIn(person.User)
		b.Get("/o/" + org.Slug + "/calendar/subscription")
		b.Post("/o/"+org.Slug+"/calendar/subscription", nil)
		if env.Count("calendar_feeds", "user_id = ?", person.ID) != 1 || env.Count("session_attendees", "user_id = ?", person.ID) == 0 {
			t.Fatal("fixture: no feed or no attendee row")
		}
		b.Get("/account/delete")
		if p := b.Post("/account/delete", map[string]string{"password": testkit.Password}); p.Status != http.StatusOK {
			t.Fatalf("delete = %d", p.Status)
		}
		for table, where := range map[string]string{
			"notes":             "author_id = ?",
			"goals":             "owner_id = ?",
			"session_attendees": "user_id = ?",
			"calendar_feeds":    "user_id = ?",
			"enrolments":        "user_id = ?",
			"library_votes":     "user_id = ?",
			"memberships":       "user_id = ?",
			"user_tokens":       "user_id = ?",
		} {
			if n := env.Count(table, where, person.ID); n != 0 {
				t.Errorf("%s: %d rows of the deleted person remain", table, n)
			}
		}
		if n := env.Count("emails", "to_addr = ?", person.Email); n != 0 {
			t.Errorf("%d e-mails to the deleted address remain", n)
		}
		if env.Count("notes", "relationship_id = ? AND author_id = ?", rel.ID, coach.ID) != 1 || env.Count("calendar_sessions", "id = ?", ss[0].ID) != 1 {
			t.Error("the other person's records went with the account")
		}
		if env.Count("relationship_participants", "user_id = ? AND left_at IS NULL", person.ID) != 0 {
			t.Error("the deleted person still takes part in a relationship")
		}
	})
}

func TestDeleteAccount(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		person := env.NewPerson(org, tenancy.RoleMember)
		report := env.NewPerson(org, tenancy.RoleMember)
		if err := env.Services.Tenancy.SetLineManager(env.Ctx(), org.ID, tenancy.Actor{UserID: org.Owner.ID}, report.ID, person.ID); err != nil {
			t.Fatal(err)
		}
		b := env.SignIn(person.User)
		if p := b.Post("/account/delete", map[string]string{"password": "not my password"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password = %d", p.Status)
		}
		p := b.Post("/account/delete", map[string]string{"password": testkit.Password})
		if p.Status != http.StatusOK || p.URL != "/" {
			t.Fatalf("delete = %d at %s", p.Status, p.URL)
		}
		if env.Count("users", "id = ? AND name = 'Deleted person' AND email = ? AND deleted_at IS NOT NULL", person.ID, "deleted-"+person.ID.String()+"@invalid") != 1 {
			t.Fatal("account not anonymised")
		}
		if env.Count("memberships", "user_id = ?", person.ID) != 0 || env.Count("memberships", "line_manager_id = ?", person.ID) != 0 {
			t.Fatal("membership or line-manager link kept")
		}
		if env.Count("audit_events", "actor LIKE ? OR target = ?", "%"+person.Email+"%", person.Email) != 0 {
			t.Fatal("the audit log still names the deleted person")
		}
		if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "account.deleted") != 1 {
			t.Fatal("deletion not recorded")
		}
		if p := b.Get("/account"); p.URL == "/account" {
			t.Fatal("the deleted person's session still works")
		}
		l := env.Browser()
		l.Get("/login")
		if p := l.Post("/login", map[string]string{"email": person.Email, "password": testkit.Password}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("sign-in after deletion = %d", p.Status)
		}
	})
}

func TestLastOwnerCannotDeleteTheirAccount(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		b := env.SignIn(org.Owner.User)
		p := b.Post("/account/delete", map[string]string{"password": testkit.Password})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Transfer ownership") || !strings.Contains(p.Body, org.Name) {
			t.Fatalf("last owner delete = %d", p.Status)
		}
		if env.Count("users", "id = ? AND deleted_at IS NULL", org.Owner.ID) != 1 || env.Count("memberships", "user_id = ?", org.Owner.ID) != 1 {
			t.Fatal("refused deletion changed something")
		}
	})
}
