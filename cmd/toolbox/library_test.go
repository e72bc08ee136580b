package main

import (
	"context"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestSeedLibrariesGivesExistingOrganisationsTheStarterItems: two
// organisations made without sign-up (as before the library existed) get
// every starter item once, and a second run adds nothing, leaving an
// admin's hidden item hidden.
func TestSeedLibrariesGivesExistingOrganisationsTheStarterItems(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		ctx := context.Background()
		a, b := env.NewOrg(), env.NewOrg()
		starter, err := library.Starter()
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := seedLibraries(ctx, env.DB, env.Clock); err != nil {
			t.Fatal(err)
		}
		for _, org := range []*testkit.Org{a, b} {
			if n := env.Count("library_articles", "org_id = ? AND starter_key IS NOT NULL", org.ID); n != len(starter) {
				t.Fatalf("organisation has %d starter items, want %d", n, len(starter))
			}
		}
		if _, err := env.OwnerDB.NewUpdate().Table("library_articles").Set("status = ?", library.StatusHidden).
			Where("org_id = ? AND slug = ?", a.ID, "team-charter-template").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		added, _, err := seedLibraries(ctx, env.DB, env.Clock)
		if err != nil || added != 0 {
			t.Fatalf("second run added %d (%v)", added, err)
		}
		if n := env.Count("library_articles", "org_id = ? AND slug = ? AND status = ?", a.ID, "team-charter-template", library.StatusHidden); n != 1 {
			t.Fatal("the hidden starter item was touched")
		}
	})
}
