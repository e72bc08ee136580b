// Package testkit builds the whole application for tests, on the real
// databases: each test package gets a fresh PostgreSQL database (or a
// fresh SQLite file) and its own Redis database number, builders for
// organisations and people, a fixed clock, and a Browser that carries
// cookies and CSRF tokens the way a browser does.
//
// A package using it calls testkit.Main from TestMain, so that its
// database is dropped when it ends:
//
//	func TestMain(m *testing.M) { testkit.Main(m) }
package testkit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/metrics"
	"github.com/leadershiptoolbox/toolbox/app/ops"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/migrations"
)

// Environment variables that point the tests elsewhere.
const (
	envPostgres = "TOOLBOX_TEST_DATABASE_URL" // an admin connection; default local postgres
	envRedis    = "TOOLBOX_TEST_REDIS_URL"    // default redis://127.0.0.1:6379
)

// AppRole is the role the application connects as in tests, as in production.
const AppRole = "toolbox_app"

// Epoch is where every test clock starts: a Monday, outside any
// daylight-saving change, in the future of the code's own dates.
var Epoch = time.Date(2027, time.March, 1, 9, 0, 0, 0, time.UTC)

// Engines lists the database engines store tests run on.
var Engines = []db.Engine{db.Postgres, db.SQLite}

// Main runs a package's tests and then drops what the package created.
func Main(m *testing.M) {
	code := m.Run()
	shared.cleanup()
	os.Exit(code)
}

// packageState is what one test package (one process) shares: its
// databases, created on first use.
type packageState struct {
	mu       sync.Mutex
	pgName   string
	pgAdmin  string
	pgOwner  *db.DB
	pgApp    *db.DB
	liteDir  string
	lite     *db.DB
	redisDB  int
	redisURL string
	closers  []func()
}

var shared = &packageState{redisDB: -1}

func (p *packageState) cleanup() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for i := len(p.closers) - 1; i >= 0; i-- {
		p.closers[i]()
	}
}

func adminURL() string {
	if v := os.Getenv(envPostgres); v != "" {
		return v
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

var nonWord = regexp.MustCompile(`[^a-z0-9]+`)

// postgres returns the package's database: the owner connection (for
// migrations and for checking what was stored) and the application's
// connection (the non-owner role, so that row-level security applies).
func (p *packageState) postgres(t testing.TB) (owner, appDB *db.DB) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pgApp != nil {
		return p.pgOwner, p.pgApp
	}
	ctx := context.Background()
	admin, err := db.Open(ctx, db.Options{URL: adminURL(), MaxConns: 2})
	if err != nil {
		t.Fatalf("testkit: PostgreSQL is needed for the tests (start it with .ci/run, or set %s): %v", envPostgres, err)
	}
	defer admin.Close()
	exe := filepath.Base(os.Args[0])
	p.pgName = fmt.Sprintf("tb_%s_%d_%d", strings.Trim(nonWord.ReplaceAllString(strings.ToLower(strings.TrimSuffix(exe, ".test")), "_"), "_"), os.Getpid(), rand.IntN(1e6))
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+p.pgName); err != nil {
		t.Fatalf("testkit: create database %s: %v", p.pgName, err)
	}
	u, _ := url.Parse(adminURL())
	u.Path = "/" + p.pgName
	p.pgAdmin = u.String()
	p.closers = append(p.closers, func() {
		if p.pgOwner != nil {
			p.pgOwner.Close()
		}
		if p.pgApp != nil {
			p.pgApp.Close()
		}
		a, err := db.Open(context.Background(), db.Options{URL: adminURL(), MaxConns: 1})
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+p.pgName+" WITH (FORCE)")
			a.Close()
		}
	})
	if p.pgOwner, err = db.Open(ctx, db.Options{URL: p.pgAdmin, MaxConns: 4}); err != nil {
		t.Fatalf("testkit: connect to %s: %v", p.pgName, err)
	}
	migrate(t, p.pgOwner, AppRole)
	if p.pgApp, err = db.Open(ctx, db.Options{URL: p.pgAdmin, Role: AppRole, MaxConns: 10}); err != nil {
		t.Fatalf("testkit: connect to %s as %s: %v", p.pgName, AppRole, err)
	}
	// Tests run with the request caches on, as production does, so that
	// a change not seen by a cache fails a test.
	inv := &db.Invalidator{}
	p.pgApp.WatchWrites(inv)
	p.pgOwner.WatchWrites(inv)
	listenCtx, stop := context.WithCancel(context.Background())
	go inv.Listen(listenCtx, p.pgAdmin, nil)
	p.closers = append(p.closers, stop)
	for range 100 {
		if inv.Enabled.Load() {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p.pgOwner, p.pgApp
}

// sqlite returns the package's SQLite database file.
func (p *packageState) sqlite(t testing.TB) *db.DB {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lite != nil {
		return p.lite
	}
	dir, err := os.MkdirTemp("", "toolbox-test-*")
	if err != nil {
		t.Fatalf("testkit: temp dir: %v", err)
	}
	p.liteDir = dir
	if p.lite, err = db.Open(context.Background(), db.Options{URL: "sqlite:" + filepath.Join(dir, "test.db"), MaxConns: 8}); err != nil {
		t.Fatalf("testkit: open sqlite: %v", err)
	}
	migrate(t, p.lite, "")
	// The request caches are on, as in the embedded mode.
	p.lite.WatchWrites(db.LocalInvalidator())
	p.closers = append(p.closers, func() { p.lite.Close(); os.RemoveAll(dir) })
	return p.lite
}

func migrate(t testing.TB, d *db.DB, role string) {
	m, err := db.NewMigrator(d, migrations.FS, role)
	if err != nil {
		t.Fatalf("testkit: migrations: %v", err)
	}
	if _, err := m.Up(context.Background()); err != nil {
		t.Fatalf("testkit: migrate %s: %v", d.Engine, err)
	}
}

// PostgresURL is the owner's URL of the package's Postgres database, for
// tests that act as another process.
func PostgresURL(t testing.TB) string {
	shared.postgres(t)
	return shared.pgAdmin
}

// Env is the whole application built for one test.
type Env struct {
	T        testing.TB
	Engine   db.Engine
	DB       *db.DB // the application's connection
	OwnerDB  *db.DB // the schema owner's (Postgres); the same as DB on SQLite
	Clock    *clock.Fixed
	Config   config.Config
	Services *app.App // app.Build's result: its services, handler and task mux
	Handler  *gin.Engine
	Server   *httptest.Server
	Mux      *asynq.ServeMux
	Log      *slog.Logger
	// Metrics is the application's registry (served apart in production).
	Metrics *metrics.Metrics
	// QueueRedis is the in-process Redis the queue console reads.
	QueueRedis asynq.RedisClientOpt
	// since marks where this test's outbox rows begin (ids are UUIDv7,
	// ordered by creation): RunDueTasks leaves earlier tests' rows alone.
	since uuid.UUID
}

// Option adjusts an Env before it is built.
type Option func(*envOptions)

type envOptions struct {
	engine   db.Engine
	pgURL    string
	config   func(*config.Config)
	maxConns int
}

// WithPool gives the application its own Postgres connection pool of at
// most n connections (as the application role), for tests of behaviour
// under a small pool.
func WithPool(n int) Option { return func(o *envOptions) { o.maxConns = n } }

// OnDatabase builds the Env on another PostgreSQL database (owner's URL),
// migrated or restored already: the backup-and-restore test starts the
// application on a restored dump.
func OnDatabase(url string) Option { return func(o *envOptions) { o.pgURL = url } }

// OnEngine builds the Env on the given database engine (default Postgres).
func OnEngine(e db.Engine) Option { return func(o *envOptions) { o.engine = e } }

// WithConfig edits the configuration before the app is built.
func WithConfig(f func(*config.Config)) Option { return func(o *envOptions) { o.config = f } }

// testConfig is the configuration of the application in tests, before
// their own changes (WithConfig).
func testConfig(engine db.Engine) config.Config {
	cfg := config.Default()
	cfg.BaseURL = "http://toolbox.test"
	cfg.SecretKey = "test-secret-key-test-secret-key-0123456789"
	cfg.DatabaseURL = "test"
	if engine == db.Postgres {
		cfg.DatabaseURL = "postgres://test"
	}
	return cfg
}

// New builds the application for a test, on Postgres unless told otherwise.
func New(t testing.TB, opts ...Option) *Env {
	t.Helper()
	o := envOptions{engine: db.Postgres}
	for _, opt := range opts {
		opt(&o)
	}
	env := &Env{T: t, Engine: o.engine, Clock: clock.NewFixed(Epoch), since: uuid.Must(uuid.NewV7())}
	if o.pgURL != "" {
		var err error
		if env.OwnerDB, err = db.Open(context.Background(), db.Options{URL: o.pgURL, MaxConns: 2}); err != nil {
			t.Fatalf("testkit: open %s: %v", o.pgURL, err)
		}
		t.Cleanup(func() { env.OwnerDB.Close() })
		if env.DB, err = db.Open(context.Background(), db.Options{URL: o.pgURL, Role: AppRole, MaxConns: 4}); err != nil {
			t.Fatalf("testkit: open %s as %s: %v", o.pgURL, AppRole, err)
		}
		t.Cleanup(func() { env.DB.Close() })
		env.DB.WatchWrites(db.LocalInvalidator())
	} else if o.engine == db.Postgres {
		env.OwnerDB, env.DB = shared.postgres(t)
		if o.maxConns > 0 {
			small, err := db.Open(context.Background(), db.Options{URL: shared.pgAdmin, Role: AppRole, MaxConns: o.maxConns})
			if err != nil {
				t.Fatalf("testkit: open a pool of %d: %v", o.maxConns, err)
			}
			t.Cleanup(func() { small.Close() })
			env.DB = small
		}
	} else {
		env.DB = shared.sqlite(t)
		env.OwnerDB = env.DB
	}
	cfg := testConfig(o.engine)
	if o.config != nil {
		o.config(&cfg)
	}
	env.Config = cfg
	env.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		env.Log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	a, err := app.Build(cfg, env.DB, nil, env.Clock, env.Log)
	if err != nil {
		t.Fatalf("testkit: build app: %v", err)
	}
	t.Cleanup(a.Close)
	env.Services, env.Handler, env.Mux = a, a.Handler, a.Tasks
	env.Metrics = a.Metrics
	// The queue console (asynqmon) reads Asynq's Redis: an in-process one
	// per test, as the embedded mode runs. Only the console gets it: the
	// tests run the outbox's tasks themselves (RunDueTasks).
	queues := miniredis.NewMiniRedis()
	queues.ClockTTL(true)
	if err := queues.Start(); err != nil {
		t.Fatalf("testkit: start the in-process Redis: %v", err)
	}
	t.Cleanup(queues.Close)
	env.QueueRedis = asynq.RedisClientOpt{Addr: queues.Addr()}
	rdb := redis.NewClient(&redis.Options{Addr: queues.Addr()})
	t.Cleanup(func() { rdb.Close() })
	*a.Queues = *ops.NewQueues(rdb, cfg.BaseURL, a.Ops.Store, env.Clock)
	env.Server = httptest.NewServer(env.Handler)
	t.Cleanup(env.Server.Close)
	return env
}

// Each runs fn once per database engine, as subtests.
func Each(t *testing.T, fn func(t *testing.T, env *Env), opts ...Option) {
	for _, e := range Engines {
		t.Run(e.String(), func(t *testing.T) {
			fn(t, New(t, append(opts, OnEngine(e))...))
		})
	}
}

// Ctx is a context for store calls in tests.
func (e *Env) Ctx() context.Context { return context.Background() }

// RunDueTasks runs, in this goroutine, every outbox task this test
// recorded that is due by the test clock, through the same handlers the worker uses; tasks they
// record are run too if due. It returns how many ran. Tests use it to
// drive background work deterministically; the relay to the real Redis
// has tests of its own.
func (e *Env) RunDueTasks() int {
	e.T.Helper()
	ran := 0
	for range 100 {
		var rows []outbox.Row
		// As the relay does, a suspended organisation's rows wait.
		err := e.DB.NewSelect().Model(&rows).Where("enqueued_at IS NULL AND run_at <= ? AND id > ?", e.Clock.Now(), e.since).Where(outbox.NotHeld).
			OrderExpr("run_at, created_at, id").Scan(context.Background())
		if err != nil {
			e.T.Fatalf("testkit: read outbox: %v", err)
		}
		if len(rows) == 0 {
			return ran
		}
		for _, row := range rows {
			now := e.Clock.Now()
			if _, err := e.DB.NewUpdate().Model(&row).Set("enqueued_at = ?", now).Set("done_at = ?", now).WherePK().Exec(context.Background()); err != nil {
				e.T.Fatalf("testkit: mark outbox row: %v", err)
			}
			if err := e.Mux.ProcessTask(context.Background(), asynq.NewTask(row.TaskType, row.Payload)); err != nil {
				e.T.Fatalf("testkit: task %s failed: %v", row.TaskType, err)
			}
			ran++
		}
	}
	e.T.Fatalf("testkit: tasks keep recording tasks; giving up after 100 rounds")
	return ran
}

// Emails returns the messages sent to an address, oldest first.
func (e *Env) Emails(to string) []mail.Email {
	e.T.Helper()
	var out []mail.Email
	if err := e.DB.NewSelect().Model(&out).Where("to_addr = ?", strings.ToLower(to)).OrderExpr("created_at, id").Scan(context.Background()); err != nil {
		e.T.Fatalf("testkit: read emails: %v", err)
	}
	return out
}

var linkPattern = regexp.MustCompile(`https?://[^\s"<>]+`)

// LastLink returns the last link (with the base URL cut off) in the newest
// e-mail to an address whose subject contains subject.
func (e *Env) LastLink(to, subject string) string {
	e.T.Helper()
	emails := e.Emails(to)
	for i := len(emails) - 1; i >= 0; i-- {
		if strings.Contains(emails[i].Subject, subject) {
			links := linkPattern.FindAllString(emails[i].TextBody, -1)
			if len(links) == 0 {
				e.T.Fatalf("testkit: e-mail %q has no link", emails[i].Subject)
			}
			return strings.TrimPrefix(links[len(links)-1], e.Config.BaseURL)
		}
	}
	e.T.Fatalf("testkit: no e-mail to %s with subject containing %q", to, subject)
	return ""
}

// Count counts rows of a table matching a condition, as the schema owner
// (row-level security does not hide anything from it).
func (e *Env) Count(table, where string, args ...any) int {
	e.T.Helper()
	n, err := e.OwnerDB.NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	if err != nil {
		e.T.Fatalf("testkit: count %s: %v", table, err)
	}
	return int(n)
}

// Tx runs fn in a transaction of the application's connection.
func (e *Env) Tx(fn func(ctx context.Context, tx bun.Tx) error) {
	e.T.Helper()
	if err := e.DB.Tx(context.Background(), fn); err != nil {
		e.T.Fatal(err)
	}
}
