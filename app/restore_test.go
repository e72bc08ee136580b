package app_test

import (
	"context"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/migrations"
)

// TestBackupRestoresIntoAFreshDatabase follows docs/operations.md: a
// pg_dump of a live database, restored with pg_restore into a new empty
// database, on which the application starts (the schema check passes)
// and serves: the owner signs in and sees their organisation, and the
// operator their console. pg_dump and pg_restore come with the PostgreSQL
// client (scripts/install-test-deps.sh installs it).
func TestBackupRestoresIntoAFreshDatabase(t *testing.T) {
	for _, tool := range []string{"pg_dump", "pg_restore"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (scripts/install-test-deps.sh installs postgresql-client): %v", tool, err)
		}
	}
	env := testkit.New(t)
	fx := newWallFixture(env)
	calendarSession(env, fx)
	operator := newOperator(env)
	ctx := context.Background()

	source := testkit.PostgresURL(t)
	dump := filepath.Join(t.TempDir(), "toolbox.dump")
	if out, err := exec.Command("pg_dump", "--format=custom", "--file", dump, source).CombinedOutput(); err != nil {
		t.Fatalf("pg_dump: %v\n%s", err, out)
	}

	u, err := url.Parse(source)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/") + "_restored"
	if _, err := env.OwnerDB.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	t.Cleanup(func() {
		_, _ = env.OwnerDB.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u.Path = "/" + name
	target := u.String()
	if out, err := exec.Command("pg_restore", "--exit-on-error", "--dbname", target, dump).CombinedOutput(); err != nil {
		t.Fatalf("pg_restore: %v\n%s", err, out)
	}

	restored := testkit.New(t, testkit.OnDatabase(target))
	if err := db.CheckSchema(ctx, restored.DB, migrations.FS); err != nil {
		t.Fatalf("the restored schema: %v", err)
	}
	if n := restored.Count("organisations", "id = ?", fx.A.ID); n != 1 {
		t.Fatalf("organisation A restored %d times", n)
	}
	if p := restored.SignIn(fx.A.Owner.User).Get("/o/" + fx.A.Slug); p.Status != http.StatusOK || !strings.Contains(p.Body, fx.A.Name) {
		t.Errorf("the owner's dashboard on the restored database = %d", p.Status)
	}
	if p := restored.SignIn(operator.User).Get("/ops?q=" + url.QueryEscape(fx.A.Slug)); p.Status != http.StatusOK || !strings.Contains(p.Body, fx.A.Name) {
		t.Errorf("the operator's console on the restored database = %d", p.Status)
	}
}
