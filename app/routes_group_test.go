package app_test

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// groupPermissionsDoc is the table TestGroupPermissions asserts, cell by cell.
const groupPermissionsDoc = "../docs/group-permissions.md"

// groupColumns are the table's columns after the action, in order.
var groupColumns = []string{"member", "practitioner", "coordinator", "admin", "owner"}

// groupPermission is one row of the table: an action and, per column,
// whether it is allowed.
type groupPermission struct {
	action  string
	allowed map[string]bool
}

func readGroupPermissions(t *testing.T) []groupPermission {
	t.Helper()
	f, err := os.Open(groupPermissionsDoc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []groupPermission
	header := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		switch {
		case cells[0] == "action":
			if !slices.Equal(cells[1:], groupColumns) {
				t.Fatalf("%s: columns %v, want %v", groupPermissionsDoc, cells[1:], groupColumns)
			}
			header = true
			continue
		case strings.HasPrefix(cells[0], "---"):
			continue
		case !header || len(cells) != len(groupColumns)+1:
			t.Fatalf("%s: malformed row %q", groupPermissionsDoc, line)
		}
		p := groupPermission{action: cells[0], allowed: map[string]bool{}}
		for i, col := range groupColumns {
			switch cells[i+1] {
			case "yes":
				p.allowed[col] = true
			case "no":
			default:
				t.Fatalf("%s: %q, %s: cell %q is neither yes nor no", groupPermissionsDoc, p.action, col, cells[i+1])
			}
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		t.Fatalf("%s: no table", groupPermissionsDoc)
	}
	return out
}

// groupCase is a fresh group for one cell: the fixture's practitioner
// with the fixture's member and one more, and, for the session actions,
// a fortnightly series of two sessions in which the member holds a seat.
type groupCase struct {
	env      *testkit.Env
	fx       *groupFixture
	rel      *relationships.Relationship
	other    *testkit.Person
	base     string
	sessions []calendar.Session
}

type groupFixture struct {
	org      *testkit.Org
	byColumn map[string]*testkit.Person
}

var groupSlot atomic.Int64

func (g *groupCase) session(t *testing.T) string {
	t.Helper()
	n := groupSlot.Add(1)
	start := testkit.Epoch.Add(10*24*time.Hour + time.Duration(n)*2*time.Hour)
	ss, err := g.env.Services.Calendar.Book(context.Background(), g.fx.org.ID, calendar.BookInput{
		RelationshipID: g.rel.ID, ActorID: g.fx.byColumn["practitioner"].ID, Start: start, Direct: true, Capacity: 4,
		IntervalDays: 14, Count: 2,
	})
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	if _, err := g.env.Services.Calendar.Join(context.Background(), g.fx.org.ID, ss[0].ID, g.fx.byColumn["member"].ID); err != nil {
		t.Fatalf("join: %v", err)
	}
	g.sessions = ss
	return "/o/" + g.fx.org.Slug + "/calendar/sessions/" + ss[0].ID.String()
}

func (g *groupCase) count(table, where string, args ...any) int {
	return g.env.Count(table, where, args...)
}

// groupActions try one action of the table as who, through the routes,
// and report whether it took effect.
var groupActions = map[string]func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool{
	"read the group's page": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		return b.Get(g.base).Status == http.StatusOK
	},
	"read its shared notes": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		text := "Shared note " + uuid.NewString()
		n := &relationships.Note{AuthorID: g.fx.byColumn["practitioner"].ID, RelationshipID: g.rel.ID, Visibility: relationships.Shared}
		if err := g.env.Services.Relationships.AddNote(context.Background(), g.env.Services.NoteKeys, g.fx.org.ID, g.env.Clock.Now(), n, text); err != nil {
			t.Fatal(err)
		}
		return strings.Contains(b.Get(g.base).Body, text)
	},
	"write a note": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		b.Post(g.base+"/notes", map[string]string{"body": "A note", "visibility": "shared"})
		return g.count("notes", "relationship_id = ? AND author_id = ?", g.rel.ID, who.ID) == 1
	},
	"accept the agreement": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		p := b.Post(g.base+"/agreement/accept", nil)
		return p.Status == http.StatusSeeOther
	},
	"change the agreement": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		b.Post(g.base+"/agreement", map[string]string{"purpose": "Rewritten by " + who.Email, "cadence_days": "7", "session_minutes": "45"})
		return g.count("agreements", "relationship_id = ? AND purpose = ?", g.rel.ID, "Rewritten by "+who.Email) == 1
	},
	"pause the group": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		b.Post(g.base+"/status", map[string]string{"action": relationships.ActionPause, "why": "A break"})
		return g.count("relationships", "id = ? AND status = ?", g.rel.ID, relationships.StatusPaused) == 1
	},
	"add a member": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		newcomer := g.env.NewPerson(g.fx.org, tenancy.RoleMember)
		b.Post(g.base+"/members", map[string]string{"member_id": newcomer.ID.String()})
		return g.count("relationship_participants", "relationship_id = ? AND user_id = ?", g.rel.ID, newcomer.ID) == 1
	},
	"add themselves as a member": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		before := g.count("relationship_participants", "relationship_id = ? AND user_id = ?", g.rel.ID, who.ID)
		b.Post(g.base+"/members", map[string]string{"member_id": who.ID.String()})
		return g.count("relationship_participants", "relationship_id = ? AND user_id = ?", g.rel.ID, who.ID) > before
	},
	"remove a member": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		b.Post(g.base+"/members/"+g.other.ID.String()+"/remove", nil)
		return g.count("relationship_participants", "relationship_id = ? AND user_id = ? AND left_at IS NOT NULL", g.rel.ID, g.other.ID) == 1
	},
	"share earlier notes with a member": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		b.Post(g.base+"/members/"+g.other.ID.String()+"/share-notes", nil)
		return g.count("relationship_participants", "relationship_id = ? AND user_id = ? AND notes_from IS NOT NULL", g.rel.ID, g.other.ID) == 1
	},
	"leave the group": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		b.Post(g.base+"/leave", nil)
		return g.count("relationship_participants", "relationship_id = ? AND user_id = ? AND left_at IS NOT NULL", g.rel.ID, who.ID) == 1
	},
	"take a seat in a session": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		path := g.session(t)
		if who.ID == g.fx.byColumn["member"].ID {
			// The member holds a seat already: give it up first, as
			// the page lets them.
			if err := g.env.Services.Calendar.Leave(context.Background(), g.fx.org.ID, g.sessions[0].ID, who.ID); err != nil {
				t.Fatal(err)
			}
		}
		b.Post(path+"/join", nil)
		return g.count("session_attendees", "session_id = ? AND user_id = ? AND status = ?", g.sessions[0].ID, who.ID, calendar.AttendeeBooked) == 1
	},
	"give up their seat in a session": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		path := g.session(t)
		b.Post(path+"/leave", nil)
		return g.count("session_attendees", "session_id = ? AND user_id = ? AND status = ?", g.sessions[0].ID, who.ID, calendar.AttendeeCancelled) == 1
	},
	"cancel a session": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		path := g.session(t)
		b.Post(path+"/cancel", map[string]string{"reason": "Cancelled by " + who.Email})
		return g.count("calendar_sessions", "id = ? AND status = ?", g.sessions[0].ID, calendar.StatusCancelled) == 1
	},
	"cancel a session and the ones after it": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		path := g.session(t)
		b.Post(path+"/cancel", map[string]string{"reason": "Cancelled by " + who.Email, "following": "on"})
		return g.count("calendar_sessions", "id = ? AND status = ?", g.sessions[1].ID, calendar.StatusCancelled) == 1
	},
	"move a session": func(t *testing.T, g *groupCase, b *testkit.Browser, who *testkit.Person) bool {
		path := g.session(t)
		to := g.sessions[0].StartsAt.Add(24 * time.Hour).In(time.UTC)
		b.Post(path+"/reschedule", map[string]string{"date": to.Format(time.DateOnly), "time": to.Format("15:04")})
		return g.count("calendar_sessions", "id = ? AND starts_at <> ?", g.sessions[0].ID, g.sessions[0].StartsAt) == 1
	},
}

// TestGroupPermissions asserts docs/group-permissions.md cell by cell:
// each cell is tried on a fresh group as a person of that column, and
// the action must take effect exactly where the table says yes (and
// never answer with a server error).
func TestGroupPermissions(t *testing.T) {
	rows := readGroupPermissions(t)
	for _, r := range rows {
		if groupActions[r.action] == nil {
			t.Errorf("%s lists %q, which the test does not know how to try: add it to groupActions", groupPermissionsDoc, r.action)
		}
	}
	for action := range groupActions {
		if !slices.ContainsFunc(rows, func(r groupPermission) bool { return r.action == action }) {
			t.Errorf("groupActions tries %q, which %s does not list", action, groupPermissionsDoc)
		}
	}
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		fx := &groupFixture{org: org, byColumn: map[string]*testkit.Person{
			"member":       env.NewPerson(org, tenancy.RoleMember),
			"practitioner": env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach),
			"coordinator":  env.NewPerson(org, tenancy.RoleCoordinator),
			"admin":        env.NewPerson(org, tenancy.RoleAdmin),
			"owner":        org.Owner,
		}}
		// Every person's times are in UTC, so that the move's local time
		// is the one posted.
		for _, p := range fx.byColumn {
			if _, err := env.OwnerDB.ExecContext(context.Background(), "UPDATE users SET time_zone = 'UTC' WHERE id = ?", p.ID); err != nil {
				t.Fatal(err)
			}
		}
		browsers := map[string]*testkit.Browser{}
		for col, p := range fx.byColumn {
			browsers[col] = env.SignIn(p.User).NoRedirects()
		}
		for _, r := range rows {
			try := groupActions[r.action]
			if try == nil {
				continue
			}
			for _, col := range groupColumns {
				t.Run(r.action+"/"+col, func(t *testing.T) {
					g := &groupCase{env: env, fx: fx, other: env.NewPerson(org, tenancy.RoleMember)}
					g.rel = env.NewRelationship(org, relationships.Coaching, fx.byColumn["practitioner"], fx.byColumn["member"], g.other)
					g.base = "/o/" + org.Slug + "/relationships/" + g.rel.ID.String()
					b := browsers[col]
					if got := try(t, g, b, fx.byColumn[col]); got != r.allowed[col] {
						t.Errorf("%s: %q took effect = %v, the table says %v (last answer %d)", col, r.action, got, r.allowed[col], b.Last.Status)
					}
					if b.Last.Status >= 500 {
						t.Errorf("%s: %q answered %d", col, r.action, b.Last.Status)
					}
				})
			}
		}
	})
}

// TestGroupNotesFromJoining: someone added to a group reads the shared
// notes written from the time they joined; the earlier ones open only
// when a practitioner shares them with that person.
func TestGroupNotesFromJoining(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		m1, m2, newcomer := env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember), env.NewPerson(org, tenancy.RoleMember)
		rel := env.NewRelationship(org, relationships.Coaching, coach, m1, m2)
		base := "/o/" + org.Slug + "/relationships/" + rel.ID.String()
		cb := env.SignIn(coach.User)
		cb.Get(base)
		cb.Post(base+"/notes", map[string]string{"body": "Before the newcomer", "visibility": "shared"})
		env.Clock.Advance(time.Hour)
		if p := env.SignIn(env.NewPerson(org, tenancy.RoleCoordinator).User).Post(base+"/members", map[string]string{"member_id": newcomer.ID.String()}); p.Status != http.StatusOK {
			t.Fatalf("add = %d", p.Status)
		}
		env.Clock.Advance(time.Hour)
		cb.Get(base)
		cb.Post(base+"/notes", map[string]string{"body": "After the newcomer", "visibility": "shared"})
		nb := env.SignIn(newcomer.User)
		p := nb.Get(base)
		if strings.Contains(p.Body, "Before the newcomer") || !strings.Contains(p.Body, "After the newcomer") {
			t.Fatalf("the newcomer reads the notes from before they joined, or not those after")
		}
		if p := env.SignIn(m1.User).Get(base); !strings.Contains(p.Body, "Before the newcomer") {
			t.Fatal("a founding member lost the early notes")
		}
		if p := cb.Get(base); !strings.Contains(p.Body, "/members/"+newcomer.ID.String()+"/share-notes") {
			t.Fatal("the practitioner is not offered to share earlier notes")
		}
		if p := nb.Post(base+"/members/"+newcomer.ID.String()+"/share-notes", nil); p.Status != http.StatusForbidden {
			t.Fatalf("a member shares earlier notes with themselves = %d", p.Status)
		}
		cb.Post(base+"/members/"+newcomer.ID.String()+"/share-notes", nil)
		if p := nb.Get(base); !strings.Contains(p.Body, "Before the newcomer") {
			t.Fatal("shared earlier notes stay closed")
		}
	})
}
