//go:build chaos

package main

import (
	"context"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/migrations"
)

// freshDatabase creates an empty database (no migration ran) and returns
// its owner URL.
func freshDatabase(t *testing.T) string {
	t.Helper()
	admin := os.Getenv("TOOLBOX_TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	a, err := db.Open(context.Background(), db.Options{URL: admin, MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	name := fmt.Sprintf("tb_chaos_%d_%d", os.Getpid(), rand.IntN(1e6))
	if _, err := a.ExecContext(context.Background(), "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		a, err := db.Open(context.Background(), db.Options{URL: admin, MaxConns: 1})
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			a.Close()
		}
	})
	u, _ := url.Parse(admin)
	u.Path = "/" + name
	return u.String()
}

// newestMigration is the schema version this binary expects.
func newestMigration(t *testing.T) string {
	entries, err := migrations.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	newest := ""
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".tx.up.sql"); ok && name > newest {
			newest = name
		}
	}
	return newest
}

// TestChaosUnmigratedDatabase: web and worker refuse to start on a
// database older than the binary, with one line that says what to do,
// and readiness names the version it expects.
func TestChaosUnmigratedDatabase(t *testing.T) {
	dbURL := freshDatabase(t)
	want := newestMigration(t)
	for _, cmd := range []string{"web", "worker"} {
		cfg := childEnv(t)
		cfg["TOOLBOX_DATABASE_URL"] = dbURL
		addr := freePort(t)
		cfg["TOOLBOX_ADDR"] = addr
		p := startProc(t, cmd, cfg, cmd)
		waitFor(t, cmd+" to refuse or serve", func() bool {
			select {
			case <-p.done:
				return true
			default:
			}
			if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
				resp.Body.Close()
				if resp.StatusCode == http.StatusOK {
					t.Fatalf("%s started and is ready on an unmigrated database", cmd)
				}
			}
			return false
		})
		lines := strings.Split(strings.TrimSpace(p.out.String()), "\n")
		last := lines[len(lines)-1]
		if p.code == 0 || !strings.Contains(last, want) || !strings.Contains(last, "migrate up") {
			t.Errorf("%s: exit %d, last line %q; want a refusal naming %s and migrate up", cmd, p.code, last, want)
		}
	}

	d, err := db.Open(context.Background(), db.Options{URL: dbURL, Role: testkit.AppRole, MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ready := &health.Readiness{Schema: health.PingFunc(func(ctx context.Context) error {
		return db.CheckSchema(ctx, d, migrations.FS)
	})}
	w := httptest.NewRecorder()
	ready.Wrap(http.NotFoundHandler()).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), want) {
		t.Fatalf("/readyz on an unmigrated database: %d %q", w.Code, w.Body.String())
	}
}

// TestChaosConcurrentMigrateUp: three `migrate up` at once (three
// replicas starting) all succeed, and each migration is applied once.
func TestChaosConcurrentMigrateUp(t *testing.T) {
	for range chaosRounds(t) {
		dbURL := freshDatabase(t)
		cfg := childEnv(t)
		cfg["TOOLBOX_DATABASE_URL"] = dbURL
		var procs []*proc
		for i := range 3 {
			procs = append(procs, startProc(t, fmt.Sprintf("migrate %d", i), cfg, "migrate", "up"))
		}
		for _, p := range procs {
			if code := p.wait(t); code != 0 {
				t.Errorf("%s exited with %d: %s", p.name, code, p.out.String())
			}
		}
		d, err := db.Open(context.Background(), db.Options{URL: dbURL, MaxConns: 1})
		if err != nil {
			t.Fatal(err)
		}
		var applied, distinct int
		err = d.QueryRowContext(context.Background(), "SELECT count(*), count(DISTINCT name) FROM bun_migrations").Scan(&applied, &distinct)
		d.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := strings.Count(strings.Join(migrationFiles(t), " "), ".up.sql")
		if applied != want || distinct != want {
			t.Fatalf("bun_migrations: %d rows, %d distinct; want %d migrations once each", applied, distinct, want)
		}
	}
}

func migrationFiles(t *testing.T) []string {
	entries, err := migrations.FS.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestChaosWebDrainsBeforeItStops: on SIGTERM the web answers /readyz
// with 503 while it still serves, for the drain period, and only then
// stops accepting: a load balancer sees it leave before its port closes.
func TestChaosWebDrainsBeforeItStops(t *testing.T) {
	for range chaosRounds(t) {
		cfg := childEnv(t)
		addr := freePort(t)
		cfg["TOOLBOX_ADDR"] = addr
		cfg["TOOLBOX_DRAIN_PERIOD"] = "3s"
		base := "http://" + addr
		web := startProc(t, "web", cfg, "web")
		waitFor(t, "the web to be ready", func() bool { return statusOf(base+"/readyz") == http.StatusOK })
		web.signal(t, syscall.SIGTERM)
		sawDraining := false
		for {
			ready, alive := statusOf(base+"/readyz"), statusOf(base+"/healthz")
			if ready == 0 || alive == 0 {
				break // the port is closed
			}
			if ready == http.StatusServiceUnavailable && alive == http.StatusOK {
				sawDraining = true
			}
			time.Sleep(50 * time.Millisecond)
		}
		if !sawDraining {
			t.Fatal("the port closed without /readyz answering 503 first")
		}
		if code := web.wait(t); code != 0 {
			t.Fatalf("web exited with %d", code)
		}
	}
}

// statusOf is the status of a GET, or 0 when nothing answered.
func statusOf(u string) int {
	client := http.Client{Timeout: 5 * time.Second}
	resp, err := client.Get(u)
	if err != nil {
		return 0
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestChaosPagesWhileTheDatabaseIsDown: with the database cut off, a page
// that needs it answers 503 with Retry-After and a calm message (not a
// 500), and works again when the database is back.
func TestChaosPagesWhileTheDatabaseIsDown(t *testing.T) {
	dbURL, err := url.Parse(testkit.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.NewProxy(t, dbURL.Host)
	dbURL.Host = proxy.Addr()
	cfg := childEnv(t)
	addr := freePort(t)
	base := "http://" + addr
	cfg["TOOLBOX_ADDR"], cfg["TOOLBOX_BASE_URL"], cfg["TOOLBOX_DATABASE_URL"] = addr, base, dbURL.String()
	startProc(t, "web", cfg, "web")
	waitFor(t, "the web to be ready", func() bool { return statusOf(base+"/readyz") == http.StatusOK })
	for round := range chaosRounds(t) {
		signIn := url.Values{"email": {fmt.Sprintf("someone-%d@example.test", round)}, "password": {"not the password"}}
		b := newFormClient(t, base)
		b.get("/login")
		proxy.SetUp(false)
		resp, body := b.post("/login", signIn)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("sign-in with the database down: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
		if !strings.Contains(body, "cannot reach our database") || !strings.Contains(body, "try again") {
			t.Fatalf("the 503 page does not say to try again: %s", body)
		}
		proxy.SetUp(true)
		waitFor(t, "the web to be ready again", func() bool { return statusOf(base+"/readyz") == http.StatusOK })
		if resp, body := b.post("/login", signIn); resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("sign-in with the database back: %d %s", resp.StatusCode, body)
		}
	}
}

// formClient is a browser enough for a form: cookies, the CSRF token of
// the last page, and an Origin.
type formClient struct {
	t     *testing.T
	base  string
	c     *http.Client
	token string
}

func newFormClient(t *testing.T, base string) *formClient {
	jar, _ := cookiejar.New(nil)
	return &formClient{t: t, base: base, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (b *formClient) get(path string) {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindSubmatch(body)
	if m == nil {
		b.t.Fatalf("GET %s: %d, no CSRF token", path, resp.StatusCode)
	}
	b.token = html.UnescapeString(string(m[1]))
}

func (b *formClient) post(path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	form.Set("csrf_token", b.token)
	req, err := http.NewRequest(http.MethodPost, b.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.base)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(body)
}
