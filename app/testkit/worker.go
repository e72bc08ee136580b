package testkit

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/workers"
	"github.com/leadershiptoolbox/toolbox/workers/server"
)

// Environment of a worker child process (StartWorker).
const (
	envWorkerDB    = "TOOLBOX_TEST_WORKER_DB"
	envWorkerRedis = "TOOLBOX_TEST_WORKER_REDIS"
)

// RunWorkerIfAsked, called first in TestMain, turns this test binary into
// a real worker when StartWorker started it: the application (app.Build,
// adjusted by setup, where a test hangs a hook) and its task mux on an
// Asynq server, with the system clock. It never returns then.
func RunWorkerIfAsked(setup func(a *app.App)) {
	if os.Getenv(envWorkerDB) == "" {
		return
	}
	os.Exit(runWorker(setup))
}

func runWorker(setup func(a *app.App)) int {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := db.Open(ctx, db.Options{URL: os.Getenv(envWorkerDB), Role: AppRole, MaxConns: 4})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	a, err := app.Build(testConfig(db.Postgres), d, nil, clock.System{}, log)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if setup != nil {
		setup(a)
	}
	opt, err := asynq.ParseRedisURI(os.Getenv(envWorkerRedis))
	if err != nil {
		return 2
	}
	srv := asynq.NewServer(opt, asynq.Config{
		Concurrency: 2, Queues: workers.Queues, DelayedTaskCheckInterval: time.Second, Logger: server.Logger{L: log},
		RetryDelayFunc: func(int, error, *asynq.Task) time.Duration { return time.Second },
	})
	if err := srv.Run(a.Tasks); err != nil {
		return 1
	}
	return 0
}

// StartWorker starts this test binary again as a worker process on the
// package's PostgreSQL database and Redis, with extra environment
// (KEY=value) for the test's own hooks. It is killed when the test ends.
func StartWorker(t *testing.T, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWorkerDB+"="+PostgresURL(t), envWorkerRedis+"="+RedisURL(t))
	cmd.Env = append(cmd.Env, extra...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _, _ = cmd.Process.Wait() })
	return cmd
}

// ExpireLeases makes Asynq hand a dead worker's tasks of a queue to the
// next worker now: it recovers them once their lease has expired (30 s,
// plus 30 s of allowance for clock skew, checked every minute), and this
// is what the passing of that time would do.
func ExpireLeases(t *testing.T, queue string) {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	key := "asynq:{" + queue + "}:lease"
	ctx := context.Background()
	members, err := rdb.ZRange(ctx, key, 0, -1).Result()
	if err != nil || len(members) == 0 {
		t.Fatalf("testkit: the killed worker's lease: %v %v", members, err)
	}
	for _, m := range members {
		rdb.ZAdd(ctx, key, redis.Z{Score: 1, Member: m})
	}
}

// WaitFor polls cond until it holds, failing the test after a generous
// deadline (a hung worker, not a slow one).
func WaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// KillMidTaskAndRetry walks a task through a worker killed inside it: a
// worker started with blockEnv set to a marker file (the task's handler
// writes the marker and blocks where the test wants it killed) is waited
// for at the marker, inside is called (what must not be visible yet), the
// worker is killed with SIGKILL, its lease expired, and a fresh worker is
// waited for until the task (taskID, default queue) has completed.
func KillMidTaskAndRetry(t *testing.T, blockEnv, taskID, what string, inside func()) {
	t.Helper()
	marker := filepath.Join(t.TempDir(), "blocked")
	first := StartWorker(t, blockEnv+"="+marker)
	WaitFor(t, "the first worker to be inside "+what, func() bool { _, err := os.Stat(marker); return err == nil })
	inside()
	if err := first.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()
	// Asynq hands a dead worker's task to the next one once its lease has
	// expired; ExpireLeases is what the passing of that time would do.
	ExpireLeases(t, workers.QueueDefault)
	StartWorker(t)
	opt, err := asynq.ParseRedisURI(RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	WaitFor(t, "a fresh worker to complete "+what, func() bool {
		info, err := inspector.GetTaskInfo(workers.QueueDefault, taskID)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
}
