package tenancy_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestPeopleListSearchAndFilter(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		outsider := env.NewPerson(other, tenancy.RoleMember)
		b := env.SignIn(org.Owner.User)
		base := "/o/" + org.Slug + "/people"

		all := b.Get(base)
		for _, p := range []*testkit.Person{coach, member, org.Owner} {
			if !strings.Contains(all.Body, p.Email) {
				t.Errorf("people list lacks %s", p.Email)
			}
		}
		if strings.Contains(all.Body, outsider.Email) {
			t.Fatal("people list shows another organisation's member")
		}
		byRole := b.Get(base + "?role=practitioner")
		if !strings.Contains(byRole.Body, coach.Email) || strings.Contains(byRole.Body, member.Email) {
			t.Fatal("role filter")
		}
		byName := b.Get(base + "?q=" + member.Name[len("Person "):])
		if !strings.Contains(byName.Body, member.Email) || strings.Contains(byName.Body, coach.Email) {
			t.Fatal("search by name")
		}
		live := b.HTMX(http.MethodGet, base, map[string]string{"q": coach.Email})
		if live.Status != http.StatusOK || strings.Contains(live.Body, "<html") || !strings.Contains(live.Body, coach.Email) || strings.Contains(live.Body, member.Email) {
			t.Fatalf("htmx live search = %d", live.Status)
		}
		// "%" is a literal, not a wildcard: it matches nobody here.
		if strings.Contains(b.Get(base+"?q=%25").Body, coach.Email) {
			t.Fatal("a % in the search acted as a wildcard")
		}
	})
}

func TestLastOwnerIsProtected(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		admin := env.NewPerson(org, tenancy.RoleAdmin)
		ctx, svc := env.Ctx(), env.Services.Tenancy
		me := owner(org)

		if err := svc.ChangeRole(ctx, org.ID, me, org.Owner.ID, tenancy.RoleAdmin, nil); !errors.Is(err, tenancy.ErrLastOwner) {
			t.Fatalf("demote last owner: %v", err)
		}
		asAdmin := tenancy.Actor{UserID: admin.ID, Role: tenancy.RoleAdmin}
		if err := svc.Deactivate(ctx, org.ID, asAdmin, org.Owner.ID); !errors.Is(err, tenancy.ErrOwnersOnly) {
			t.Fatalf("admin deactivates owner: %v", err)
		}
		if err := svc.ChangeRole(ctx, org.ID, asAdmin, admin.ID, tenancy.RoleOwner, nil); !errors.Is(err, tenancy.ErrOwnersOnly) {
			t.Fatalf("admin makes themselves owner: %v", err)
		}

		b := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/people/" + org.Owner.ID.String()
		if p := b.Post(path+"/role", map[string]string{"role": "admin"}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "last owner") {
			t.Fatalf("demote last owner via form = %d", p.Status)
		}
		if p := b.Post(path+"/deactivate", nil); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("deactivate self = %d", p.Status)
		}
		adminB := env.SignIn(admin.User)
		if p := adminB.Post(path+"/role", map[string]string{"role": "member"}); p.Status != http.StatusForbidden {
			t.Fatalf("admin demotes owner via form = %d, want 403", p.Status)
		}
		if n := env.Count("memberships", "org_id = ? AND role = 'owner' AND status = 'active'", org.ID); n != 1 {
			t.Fatalf("active owners = %d", n)
		}

		// With a second owner, one of them may step down; then the other
		// is the last again.
		if err := svc.ChangeRole(ctx, org.ID, me, admin.ID, tenancy.RoleOwner, nil); err != nil {
			t.Fatal(err)
		}
		if err := svc.ChangeRole(ctx, org.ID, tenancy.Actor{UserID: admin.ID, Role: tenancy.RoleOwner}, org.Owner.ID, tenancy.RoleMember, nil); err != nil {
			t.Fatalf("demote one of two owners: %v", err)
		}
		if err := svc.Deactivate(ctx, org.ID, me, admin.ID); !errors.Is(err, tenancy.ErrOwnersOnly) {
			t.Fatalf("demoted owner still acts as owner: %v", err)
		}
		if err := svc.ChangeRole(ctx, org.ID, tenancy.Actor{UserID: admin.ID, Role: tenancy.RoleOwner}, admin.ID, tenancy.RoleAdmin, nil); !errors.Is(err, tenancy.ErrLastOwner) {
			t.Fatalf("second owner, now last, stepped down: %v", err)
		}
		if n := env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "people.role_changed"); n != 2 {
			t.Fatalf("role change audit events = %d, want 2", n)
		}
	})
}

func TestChangeRoleAndLineManager(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		person := env.NewPerson(org, tenancy.RoleMember)
		manager := env.NewPerson(org, tenancy.RoleCoordinator)
		outsider := env.NewPerson(other, tenancy.RoleAdmin)
		b := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/people/" + person.ID.String()

		if p := b.Post(path+"/role", map[string]string{"role": "practitioner"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("practitioner without kinds = %d", p.Status)
		}
		p := b.PostValues(path+"/role", map[string][]string{"role": {"practitioner"}, "kinds": {"supervisor", "mentor"}})
		if p.Status != http.StatusOK {
			t.Fatalf("change role = %d", p.Status)
		}
		if n := env.Count("memberships", "org_id = ? AND user_id = ? AND role = 'practitioner' AND kinds = 'mentor,supervisor'", org.ID, person.ID); n != 1 {
			t.Fatal("role and kinds not saved")
		}
		if p := b.Post(path+"/manager", map[string]string{"manager_id": outsider.ID.String()}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("line manager from another organisation = %d, want 422", p.Status)
		}
		if p := b.Post(path+"/manager", map[string]string{"manager_id": person.ID.String()}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("own line manager = %d, want 422", p.Status)
		}
		if p := b.Post(path+"/manager", map[string]string{"manager_id": manager.ID.String()}); p.Status != http.StatusOK {
			t.Fatalf("set line manager = %d", p.Status)
		}
		if n := env.Count("memberships", "org_id = ? AND user_id = ? AND line_manager_id = ?", org.ID, person.ID, manager.ID); n != 1 {
			t.Fatal("line manager not saved")
		}
		if !strings.Contains(b.Get("/o/"+org.Slug+"/people").Body, manager.Name) {
			t.Fatal("people list does not show the line manager")
		}
		for _, action := range []string{"people.role_changed", "people.line_manager_set"} {
			if env.Count("audit_events", "org_id = ? AND action = ? AND target = ?", org.ID, action, person.Email) != 1 {
				t.Errorf("no %s event", action)
			}
		}
	})
}

func TestDeactivatedMemberLosesAccessAndCannotSignIn(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		person := env.NewPerson(org, tenancy.RoleMember)
		session := env.SignIn(person.User)
		admin := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/people/" + person.ID.String()

		if p := admin.Post(path+"/deactivate", nil); p.Status != http.StatusOK {
			t.Fatalf("deactivate = %d", p.Status)
		}
		if p := session.Get("/o/" + org.Slug); p.URL == "/o/"+org.Slug && p.Status != http.StatusNotFound {
			t.Fatalf("deactivated member's open session reaches the organisation: %d", p.Status)
		}
		b := env.Browser()
		b.Get("/login")
		p := b.Post("/login", map[string]string{"email": person.Email, "password": testkit.Password})
		if p.Status != http.StatusForbidden || !strings.Contains(p.Body, "access was removed") {
			t.Fatalf("deactivated sign-in = %d", p.Status)
		}
		wrong := b.Post("/login", map[string]string{"email": person.Email, "password": "wrong password here"})
		if wrong.Status != http.StatusUnprocessableEntity || strings.Contains(wrong.Body, "access was removed") {
			t.Fatalf("wrong password for a deactivated account must say nothing more: %d", wrong.Status)
		}

		// Someone with another active membership keeps signing in, but
		// not into the organisation that removed them.
		both := env.NewPerson(org, tenancy.RoleMember)
		env.AddMember(other, both.User, tenancy.RoleMember)
		if p := admin.Post("/o/"+org.Slug+"/people/"+both.ID.String()+"/deactivate", nil); p.Status != http.StatusOK {
			t.Fatalf("deactivate = %d", p.Status)
		}
		bb := env.SignIn(both.User).NoRedirects()
		if p := bb.Get("/o/" + org.Slug); p.Status != http.StatusNotFound {
			t.Fatalf("deactivated organisation = %d, want 404", p.Status)
		}
		if p := bb.Get("/o/" + other.Slug); p.Status != http.StatusOK {
			t.Fatalf("other organisation = %d", p.Status)
		}

		if p := admin.Post(path+"/reactivate", nil); p.Status != http.StatusOK {
			t.Fatalf("reactivate = %d", p.Status)
		}
		if p := env.SignIn(person.User).Get("/o/" + org.Slug); p.Status != http.StatusOK {
			t.Fatalf("reactivated member = %d", p.Status)
		}
		for _, action := range []string{"people.deactivated", "people.reactivated"} {
			if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, action) == 0 {
				t.Errorf("no %s event", action)
			}
		}
	})
}

func TestTransferOwnership(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		next := env.NewPerson(org, tenancy.RoleCoordinator)
		gone := env.NewPerson(org, tenancy.RoleMember)
		b := env.SignIn(org.Owner.User)
		base := "/o/" + org.Slug + "/people/"

		if p := b.Post(base+next.ID.String()+"/transfer", map[string]string{"password": "not my password"}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("wrong password = %d", p.Status)
		}
		b.Post(base+gone.ID.String()+"/deactivate", nil)
		if p := b.Post(base+gone.ID.String()+"/transfer", map[string]string{"password": testkit.Password}); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("transfer to a deactivated member = %d, want 422", p.Status)
		}
		b.NoRedirects()
		p := b.Post(base+next.ID.String()+"/transfer", map[string]string{"password": testkit.Password})
		if p.Status != http.StatusSeeOther || sessionCookie(p) == "" {
			t.Fatalf("transfer = %d (session rotated: %v)", p.Status, sessionCookie(p) != "")
		}
		if env.Count("memberships", "org_id = ? AND user_id = ? AND role = 'owner'", org.ID, next.ID) != 1 ||
			env.Count("memberships", "org_id = ? AND user_id = ? AND role = 'admin'", org.ID, org.Owner.ID) != 1 {
			t.Fatal("roles not swapped")
		}
		if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "people.ownership_transferred") != 1 {
			t.Fatal("no ownership event")
		}
		// The old owner, now admin, may not transfer again.
		if p := b.Post(base+gone.ID.String()+"/transfer", map[string]string{"password": testkit.Password}); p.Status != http.StatusForbidden {
			t.Fatalf("admin transfer = %d, want 403", p.Status)
		}
	})
}

func TestOrganisationSettings(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		b := env.SignIn(org.Owner.User)
		path := "/o/" + org.Slug + "/settings"
		if p := b.Get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, "24h, 1h") {
			t.Fatalf("settings page = %d", p.Status)
		}
		for name, form := range map[string]map[string]string{
			"no name":       {"name": "", "time_zone": "UTC", "min_cancel_notice_hours": "1", "proposal_days": "3"},
			"bad zone":      {"name": "N", "time_zone": "Mars/Olympus", "min_cancel_notice_hours": "1", "proposal_days": "3"},
			"bad notice":    {"name": "N", "time_zone": "UTC", "min_cancel_notice_hours": "-1", "proposal_days": "3"},
			"bad reminders": {"name": "N", "time_zone": "UTC", "min_cancel_notice_hours": "1", "proposal_days": "3", "reminder_offsets": "soon"},
			"bad days":      {"name": "N", "time_zone": "UTC", "min_cancel_notice_hours": "1", "proposal_days": "x"},
		} {
			if p := b.Post(path, form); p.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422", name, p.Status)
			}
		}
		p := b.Post(path, map[string]string{"name": "Renamed", "time_zone": "America/New_York", "min_cancel_notice_hours": "48",
			"proposal_days": "7", "reminder_offsets": "1h, 2d, 30m", "self_selection": "on"})
		if p.Status != http.StatusOK {
			t.Fatalf("save = %d", p.Status)
		}
		o, err := env.Services.Tenancy.Store.OrgByID(env.Ctx(), org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.Name != "Renamed" || o.TimeZone != "America/New_York" || o.Settings.MinCancelNoticeHours != 48 || o.Settings.ProposalDays != 7 ||
			!o.Settings.SelfSelection || len(o.Settings.ReminderOffsetsMinutes) != 3 || o.Settings.ReminderOffsetsMinutes[0] != 2*24*60 {
			t.Fatalf("saved %+v", o)
		}
		if env.Count("audit_events", "org_id = ? AND action = ?", org.ID, "org.settings_changed") != 1 {
			t.Fatal("no settings event")
		}
	})
}

// eventRows are the audit log's rows of events (not its "Older events" row).
const eventRows = "#audit-rows > tr:not(#audit-more)"

func TestAuditLogPage(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		for range 60 {
			env.NewPerson(org, tenancy.RoleMember) // no events
		}
		b := env.SignIn(org.Owner.User) // one sign-in event
		for i := range 55 {
			if _, err := env.Services.Tenancy.Invite(env.Ctx(), org.ID, owner(org), tenancy.InviteRow{Email: "p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.test", Role: tenancy.RoleMember}); err != nil {
				t.Fatal(err)
			}
		}
		path := "/o/" + org.Slug + "/audit"
		first := b.Get(path)
		if first.Status != http.StatusOK || first.Doc().Find(eventRows).Length() != 50 {
			t.Fatalf("first page = %d with %d rows", first.Status, first.Doc().Find(eventRows).Length())
		}
		older, ok := first.Doc().Find("#audit-more a").Attr("href")
		if !ok {
			t.Fatal("no link to older events")
		}
		second := b.Get(older)
		if n := second.Doc().Find(eventRows).Length(); n != 6 {
			t.Fatalf("second page has %d rows, want 6", n)
		}
		signIns := b.Get(path + "?action=auth.sign_in")
		if n := signIns.Doc().Find(eventRows).Length(); n != 1 {
			t.Fatalf("filtered by action: %d rows", n)
		}
		if p := b.Get(path + "?action=nonsense"); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("unknown action = %d", p.Status)
		}
		if p := b.Get(path + "?from=2027-03-02"); p.Doc().Find(eventRows).Length() != 0 {
			t.Fatal("date filter kept earlier events")
		}
		if p := b.Get(path + "?to=2027-03-01&actor=" + org.Owner.Email); p.Doc().Find(eventRows).Length() != 50 {
			t.Fatal("actor and date filters")
		}
	}, testkit.WithConfig(func(c *config.Config) { c.NewOrgInvitationsPerDay = 100 })) // 55 invitations in one day
}

// TestTwoOwnersDemotingEachOtherAtOnceLeaveAnOwner: the last-owner rule
// holds under concurrency, not only one request at a time.
func TestTwoOwnersDemotingEachOtherAtOnceLeaveAnOwner(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		for range 10 {
			org := env.NewOrg()
			second := env.NewPerson(org, tenancy.RoleOwner)
			first := org.Owner
			var wg sync.WaitGroup
			for _, pair := range [][2]*testkit.Person{{first, second}, {second, first}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					actor := tenancy.Actor{UserID: pair[0].ID, Role: tenancy.RoleOwner}
					_ = env.Services.Tenancy.ChangeRole(env.Ctx(), org.ID, actor, pair[1].ID, tenancy.RoleAdmin, nil)
				}()
			}
			wg.Wait()
			if n := env.Count("memberships", "org_id = ? AND role = ? AND status = ?", org.ID, tenancy.RoleOwner, tenancy.StatusActive); n < 1 {
				t.Fatalf("no owner left after two owners demoted each other at once")
			}
		}
	})
}
