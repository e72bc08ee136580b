package app_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// hits is how many pages the page cache has served so far.
func hits(env *testkit.Env) uint64 {
	h, _ := env.Services.Pages.Stats()
	return h
}

// TestPagesAreServedAgainUntilTheirOrganisationChanges: a page asked for
// again, nothing having changed, comes from the page cache; any write of
// its organisation (through the services, or a form) shows on the next
// serving; another organisation's writes leave it cached.
func TestPagesAreServedAgainUntilTheirOrganisationChanges(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org, other := env.NewOrg(), env.NewOrg()
		owner := env.SignIn(org.Owner.User)
		auditPage := "/o/" + org.Slug + "/audit"
		if p := owner.Get(auditPage); p.Status != 200 {
			t.Fatalf("audit: %d", p.Status)
		}
		before := hits(env)
		if p := owner.Get(auditPage); p.Status != 200 || hits(env) != before+1 {
			t.Fatalf("the same page again, nothing changed: status %d, served from the cache %d times (want 1)", p.Status, hits(env)-before)
		}

		// Another organisation changes: this one's page stays cached.
		record(t, env, other.ID, "in-the-other-organisation")
		before = hits(env)
		if p := owner.Get(auditPage); hits(env) != before+1 || strings.Contains(p.Body, "in-the-other-organisation") {
			t.Fatal("a change in another organisation dropped this one's page (or showed on it)")
		}

		// This organisation changes: the next serving shows it.
		record(t, env, org.ID, "in-this-organisation")
		before = hits(env)
		if p := owner.Get(auditPage); hits(env) != before || !strings.Contains(p.Body, "in-this-organisation") {
			t.Fatalf("after a change of the organisation, its page came from the cache (%d) or lacks it", hits(env)-before)
		}

		// People, memberships and organisations show on every page:
		// a change to them drops every page.
		people := "/o/" + org.Slug + "/people"
		owner.Get(people)
		newcomer := env.NewPerson(org, tenancy.RoleMember)
		before = hits(env)
		if p := owner.Get(people); hits(env) != before || !strings.Contains(p.Body, newcomer.Name) {
			t.Fatalf("after a new member joined, the people page came from the cache (%d) or lacks %q", hits(env)-before, newcomer.Name)
		}

		// A form's write shows on the page it redirects to.
		settings := "/o/" + org.Slug + "/settings"
		owner.Get(settings)
		owner.Get(settings)
		saved := owner.Post(settings, map[string]string{"name": "Renamed by the form", "time_zone": "Europe/Paris", "min_cancel_notice_hours": "24", "proposal_days": "7"})
		if saved.Status != 200 || !strings.Contains(saved.Body, "Renamed by the form") {
			t.Fatalf("settings saved: %d, page shows the new name: %v", saved.Status, strings.Contains(saved.Body, "Renamed by the form"))
		}
	})
}

// record writes an audit event of the organisation through the
// application's database, as a service would.
func record(t *testing.T, env *testkit.Env, orgID uuid.UUID, target string) {
	t.Helper()
	err := env.DB.InTenant(env.Ctx(), orgID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(&audit.Event{ID: uuid.New(), OrgID: orgID, Actor: "Test", Action: audit.ActionOrgSettings,
			Target: target, At: env.Clock.Now()}).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

var formKey = regexp.MustCompile(`name="form_key" value="([0-9a-f]{32})"`)

// TestPagesServedFromTheCacheGiveEveryFormAFreshKey: a form's once-only
// key is per serving, so two tabs of the same cached page post twice.
func TestPagesServedFromTheCacheGiveEveryFormAFreshKey(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	owner := env.SignIn(org.Owner.User)
	settings := "/o/" + org.Slug + "/settings"
	first := owner.Get(settings)
	before := hits(env)
	second := owner.Get(settings)
	if hits(env) != before+1 {
		t.Fatal("the settings page was not served from the cache the second time")
	}
	a, b := formKey.FindAllStringSubmatch(first.Body, -1), formKey.FindAllStringSubmatch(second.Body, -1)
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("form keys: %d then %d", len(a), len(b))
	}
	seen := map[string]bool{}
	for _, m := range append(a, b...) {
		if seen[m[1]] {
			t.Fatalf("form key %s served twice", m[1])
		}
		seen[m[1]] = true
	}
	if formKey.ReplaceAllString(first.Body, "") != formKey.ReplaceAllString(second.Body, "") {
		t.Fatal("the cached page differs from the rendered one beyond its form keys")
	}
}

// TestPagesHearOfAnotherProcessesWrites: on PostgreSQL, a write made by
// another process (here a connection the application's hooks do not
// see) reaches the page cache through the database's notification, and
// the page shows it.
func TestPagesHearOfAnotherProcessesWrites(t *testing.T) {
	env := testkit.New(t, testkit.OnEngine(db.Postgres))
	org := env.NewOrg()
	owner := env.SignIn(org.Owner.User)
	auditPage := "/o/" + org.Slug + "/audit"
	owner.Get(auditPage)
	before := hits(env)
	if owner.Get(auditPage); hits(env) != before+1 {
		t.Fatal("the audit page was not served from the cache the second time")
	}
	target := "written-elsewhere-" + uuid.NewString()[:8]
	ctx := context.Background()
	raw := env.OwnerDB.DB.DB // database/sql: no application hook sees it
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, "SELECT set_config('app.org_id', $1, true)", org.ID.String()); err != nil {
		t.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_events (id, org_id, actor, action, target, detail, ip, at) VALUES ($1, $2, 'Elsewhere', $3, $4, '', '', $5)`,
		uuid.New(), org.ID, audit.ActionOrgSettings, target, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		if strings.Contains(owner.Get(auditPage).Body, target) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the audit page never showed the row another process wrote")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
