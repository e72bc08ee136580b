package calendar_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
	"github.com/leadershiptoolbox/toolbox/workers/server"
)

// Environment of the worker child process.
const (
	envWorker  = "CALENDAR_TEST_WORKER"   // set: run as a worker
	envDBURL   = "CALENDAR_TEST_DB_URL"   // the parent test's database
	envRedis   = "CALENDAR_TEST_REDIS"    // the parent test's Redis
	envBlockAt = "CALENDAR_TEST_BLOCK_AT" // a file to create, then hang, inside a reminder's transaction
)

// runWorker is a real worker: the application's services and task mux
// on an Asynq server, with the system clock.
func runWorker() int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := db.Open(ctx, db.Options{URL: os.Getenv(envDBURL), Role: testkit.AppRole, MaxConns: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	assets, err := app.NewAssets()
	if err != nil {
		return 2
	}
	renderer, err := app.NewRenderer(assets)
	if err != nil {
		return 2
	}
	cfg := config.Default()
	cfg.BaseURL = "http://toolbox.test"
	clk := clock.System{}
	services := app.NewServices(app.Deps{
		Config: cfg, DB: d, Clock: clk, Log: log, Renderer: renderer, Assets: assets,
		Mail:  &mail.Service{DB: d, Renderer: renderer, Clock: clk, Log: log},
		Relay: outbox.NewRelay(d, nil, clk, log), Redis: health.PingFunc(func(context.Context) error { return nil }),
	})
	if marker := os.Getenv(envBlockAt); marker != "" {
		services.Calendar.ReminderHook = func(context.Context) {
			_ = os.WriteFile(marker, []byte("in the transaction"), 0o600)
			select {} // until killed
		}
	}
	opt, err := asynq.ParseRedisURI(os.Getenv(envRedis))
	if err != nil {
		return 2
	}
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency: 2, Queues: workers.Queues, DelayedTaskCheckInterval: time.Second, Logger: server.Logger{L: log},
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Second },
	})
	if err := srv.Run(server.NewMux(services)); err != nil {
		return 1
	}
	return 0
}

func startWorker(t *testing.T, dbURL, redisURL, blockAt string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWorker+"=1", envDBURL+"="+dbURL, envRedis+"="+redisURL, envBlockAt+"="+blockAt)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd
}

// waitFor polls cond until it holds, failing the test after a generous
// deadline (a hung worker, not a slow one).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestReminderSurvivesAWorkerKilledMidway: a real worker process is
// SIGKILLed while a reminder is inside its transaction (e-mails queued,
// deliveries recorded, not committed). Asynq hands the task to a fresh
// worker, and each person gets exactly one reminder.
func TestReminderSurvivesAWorkerKilledMidway(t *testing.T) {
	env := testkit.New(t)
	redisURL := testkit.RedisURL(t)
	var dbName string
	if err := env.OwnerDB.QueryRowContext(env.Ctx(), "SELECT current_database()").Scan(&dbName); err != nil {
		t.Fatal(err)
	}
	admin := os.Getenv("TOOLBOX_TEST_DATABASE_URL")
	if admin == "" {
		admin = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + dbName
	dbURL := u.String()

	// Book, by the real clock, a session whose 1-hour reminder is due now.
	now := time.Now().UTC().Truncate(time.Microsecond)
	env.Clock.Set(now.Add(-5 * time.Second))
	fx := newFixture(t, env, "")
	s := fx.book(t, env, now.Add(time.Hour-2*time.Second))
	// The package's tests share the database: find this session's task.
	var rows []struct {
		ID      string `bun:"id"`
		Payload []byte `bun:"payload"`
	}
	if err := env.DB.NewSelect().Table("outbox").Column("id", "payload").Where("task_type = ?", workers.TypeSessionReminder).Scan(env.Ctx(), &rows); err != nil {
		t.Fatal(err)
	}
	var taskID string
	for _, r := range rows {
		var p workers.SessionReminderPayload
		if json.Unmarshal(r.Payload, &p) == nil && p.SessionID == s.ID {
			if p.OffsetMinutes != 60 || taskID != "" {
				t.Fatalf("want the 1-hour reminder alone, got offset %d", p.OffsetMinutes)
			}
			taskID = r.ID
		}
	}
	if taskID == "" {
		t.Fatal("no reminder task for the session")
	}
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	relay := outbox.NewRelay(env.DB, client, clock.System{}, env.Log)
	if _, err := relay.Flush(env.Ctx()); err != nil {
		t.Fatalf("relay: %v", err)
	}

	marker := filepath.Join(t.TempDir(), "blocked")
	first := startWorker(t, dbURL, redisURL, marker)
	waitFor(t, "the first worker to be inside the reminder", func() bool { _, err := os.Stat(marker); return err == nil })
	if n := env.Count("reminder_deliveries", "session_id = ?", s.ID); n != 0 {
		t.Fatalf("%d deliveries visible before commit", n)
	}
	if err := first.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()

	// Asynq recovers a dead worker's task once its lease has expired (30 s,
	// plus 30 s of allowance for clock skew, checked every minute). Rather
	// than wait, expire the lease in Redis: what the passing of time would do.
	rdb := redis.NewClient(mustRedisOptions(t, redisURL))
	defer rdb.Close()
	leaseKey := "asynq:{" + workers.QueueDefault + "}:lease"
	members, err := rdb.ZRange(env.Ctx(), leaseKey, 0, -1).Result()
	if err != nil || len(members) == 0 {
		t.Fatalf("the killed worker's lease: %v %v", members, err)
	}
	for _, m := range members {
		rdb.ZAdd(env.Ctx(), leaseKey, redis.Z{Score: 1, Member: m})
	}

	startWorker(t, dbURL, redisURL, "")
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	waitFor(t, "the fresh worker to complete the reminder", func() bool {
		info, err := inspector.GetTaskInfo(workers.QueueDefault, taskID)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
	for _, p := range []*testkit.Person{fx.coach, fx.member} {
		if n := env.Count("reminder_deliveries", "session_id = ? AND user_id = ?", s.ID, p.ID); n != 1 {
			t.Errorf("%d deliveries to %s, want 1", n, p.Email)
		}
		if n := env.Count("emails", "to_addr = ? AND template = 'session_reminder'", p.Email); n != 1 {
			t.Errorf("%d reminder e-mails to %s, want 1", n, p.Email)
		}
	}
}

func mustRedisOptions(t *testing.T, raw string) *redis.Options {
	t.Helper()
	o, err := redis.ParseURL(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}
