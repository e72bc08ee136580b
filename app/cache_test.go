package app_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// The request caches (session and person, memberships) must never let a
// change go unseen: a change made by this process is seen by the very
// next request; one made by another process as soon as its notification
// arrives.

func TestAChangeInThisProcessIsSeenByTheNextRequest(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	b := env.SignIn(member.User)
	if p := b.Get("/o/" + org.Slug); p.Status != http.StatusOK {
		t.Fatalf("member's dashboard = %d", p.Status)
	}
	// Served from the cache now; deactivate the membership.
	err := env.DB.InTenant(context.Background(), org.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("memberships").Set("status = ?", tenancy.StatusDeactivated).
			Where("org_id = ? AND user_id = ?", org.ID, member.ID).Exec(ctx)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if p := b.Get("/o/" + org.Slug); p.Status != http.StatusNotFound {
		t.Fatalf("deactivated member still sees the organisation: %d", p.Status)
	}
	// Signing out everywhere (the epoch moves) ends this session at once.
	if _, err := env.DB.NewUpdate().Table("users").Set("auth_epoch = auth_epoch + 1").Where("id = ?", member.ID).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p := b.NoRedirects().Get("/account"); p.Status != http.StatusSeeOther {
		t.Fatalf("a session of an older epoch still works: %d", p.Status)
	}
}

func TestAChangeInAnotherProcessIsSeenOnceNotified(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	member := env.NewPerson(org, tenancy.RoleMember)
	b := env.SignIn(member.User)
	if p := b.Get("/o/" + org.Slug); p.Status != http.StatusOK {
		t.Fatalf("member's dashboard = %d", p.Status)
	}
	// Another process: its own connection, with no hook into our caches.
	other, err := db.Open(context.Background(), db.Options{URL: testkit.PostgresURL(t), MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.ExecContext(context.Background(), "UPDATE memberships SET status = 'deactivated' WHERE org_id = ? AND user_id = ?", org.ID, member.ID); err != nil {
		t.Fatal(err)
	}
	// Well inside the caches' 10 s lifetime: only the notification
	// can have made the change visible.
	deadline := time.Now().Add(4 * time.Second)
	for {
		p := b.Get("/o/" + org.Slug)
		if p.Status == http.StatusNotFound {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the change made elsewhere was never seen: still %d", p.Status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
