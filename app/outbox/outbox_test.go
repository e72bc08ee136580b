package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// TestOutboxSurvivesARedisOutageAndDeliversOnce: tasks recorded while
// Redis is down wait in the database; when Redis is back the relay moves
// them; each runs once, even when a row is relayed a second time.
func TestOutboxSurvivesARedisOutageAndDeliversOnce(t *testing.T) {
	env := testkit.New(t)
	opt, err := redis.ParseURL(testkit.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := testkit.NewProxy(t, opt.Addr)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: proxy.Addr(), DB: opt.DB, DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	defer client.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	relay := outbox.NewRelay(env.DB, client, env.Clock, log)
	const taskType = "test:outbox_probe"

	proxy.SetUp(false)
	var ids []string
	env.Tx(func(ctx context.Context, tx bun.Tx) error {
		for i := range 3 {
			task := workers.Task{Type: taskType, Payload: []byte{byte('a' + i)}, Queue: workers.QueueDefault}
			if err := outbox.Add(ctx, tx, env.Clock.Now(), task); err != nil {
				return err
			}
		}
		return nil
	})
	var rows []outbox.Row
	if err := env.DB.NewSelect().Model(&rows).Where("task_type = ?", taskType).Scan(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		ids = append(ids, r.ID.String())
	}

	if n, err := relay.Flush(env.Ctx()); err == nil || n != 0 {
		t.Fatalf("Flush with Redis down = %d, %v; want an error and nothing moved", n, err)
	}
	if waiting := env.Count("outbox", "task_type = ? AND enqueued_at IS NULL", taskType); waiting != 3 {
		t.Fatalf("%d rows waiting during the outage, want 3", waiting)
	}
	if failed := env.Count("outbox", "task_type = ? AND attempts > 0 AND last_error <> ''", taskType); failed == 0 {
		t.Fatal("the failed attempt was not recorded on the row")
	}

	proxy.SetUp(true)
	if n, err := relay.Flush(env.Ctx()); err != nil || n != 3 {
		t.Fatalf("Flush with Redis back = %d, %v; want 3 moved", n, err)
	}
	// A relay that crashed after enqueueing but before marking the row
	// would relay it again: Asynq refuses the duplicate id.
	if _, err := env.DB.NewUpdate().Model((*outbox.Row)(nil)).Set("enqueued_at = NULL").Where("id = ?", rows[0].ID).Exec(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	if n, err := relay.Flush(env.Ctx()); err != nil || n != 1 {
		t.Fatalf("re-Flush = %d, %v", n, err)
	}

	// Run a real worker on the real Redis and count deliveries.
	var mu sync.Mutex
	delivered := map[string]int{}
	done := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.Use(relay.Track)
	mux.HandleFunc(taskType, func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		mu.Lock()
		defer mu.Unlock()
		delivered[id]++
		if len(delivered) == 3 {
			select {
			case <-done:
			default:
				close(done)
			}
		}
		return nil
	})
	srv := asynq.NewServer(asynq.RedisClientOpt{Addr: opt.Addr, DB: opt.DB}, asynq.Config{
		Concurrency: 2, Queues: workers.Queues, Logger: quietLogger{}, DelayedTaskCheckInterval: time.Second,
	})
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatalf("only %d of 3 tasks delivered", len(delivered))
	}
	srv.Shutdown()
	// Each finished task reported so on its row (the server waits for
	// running tasks, and Track runs in them).
	if open := env.Count("outbox", "task_type = ? AND done_at IS NULL", taskType); open != 0 {
		t.Fatalf("%d rows still open after their tasks finished", open)
	}

	inspector := asynq.NewInspector(asynq.RedisClientOpt{Addr: opt.Addr, DB: opt.DB})
	defer inspector.Close()
	info, err := inspector.GetQueueInfo(workers.QueueDefault)
	if err != nil {
		t.Fatal(err)
	}
	if info.Pending+info.Scheduled+info.Retry+info.Active != 0 {
		t.Fatalf("tasks left in the queue after delivery: %+v", info)
	}
	for _, id := range ids {
		if delivered[id] != 1 {
			t.Errorf("task %s delivered %d times, want once", id, delivered[id])
		}
		if _, err := inspector.GetTaskInfo(workers.QueueDefault, id); errors.Is(err, asynq.ErrTaskNotFound) {
			t.Errorf("completed task %s was not retained; a late duplicate could run again", id)
		}
	}
}

// TestRecheckHandsOverTasksRedisLost: a task handed to Redis, which then
// loses its data, is handed over again once it should long have finished;
// one Redis still holds is left alone.
func TestRecheckHandsOverTasksRedisLost(t *testing.T) {
	env := testkit.New(t)
	redisURL := testkit.RedisURL(t)
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	relay := outbox.NewRelay(env.DB, client, env.Clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	relay.RecheckAfter = time.Minute
	env.Tx(func(ctx context.Context, tx bun.Tx) error {
		return outbox.Add(ctx, tx, env.Clock.Now(), workers.Task{Type: "test:recheck_probe", Payload: []byte("x"),
			Queue: workers.QueueDefault, RunAt: env.Clock.Now().Add(10 * time.Minute)})
	})
	var row outbox.Row
	if err := env.DB.NewSelect().Model(&row).Where("task_type = 'test:recheck_probe'").Scan(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	if _, err := relay.Flush(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	rdb := testkit.RedisClient(t)
	if err := rdb.FlushDB(env.Ctx()).Err(); err != nil {
		t.Fatal(err)
	}
	// Asked of Redis directly: Asynq's client registers a queue's name
	// once per process, so after the flush the inspector knows no queue
	// (the workers, which name their queues, run the task all the same).
	held := func() bool {
		n, err := rdb.Exists(env.Ctx(), "asynq:{"+workers.QueueDefault+"}:t:"+row.ID.String()).Result()
		return err == nil && n == 1
	}
	if lost, err := relay.Recheck(env.Ctx()); err != nil || lost != 0 || held() {
		t.Fatalf("before its due time: lost %d, %v", lost, err)
	}
	env.Clock.Advance(12 * time.Minute)
	if lost, err := relay.Recheck(env.Ctx()); err != nil || lost != 1 || !held() {
		t.Fatalf("after its due time: lost %d, %v, held by Redis again %v", lost, err, held())
	}
	if lost, err := relay.Recheck(env.Ctx()); err != nil || lost != 0 {
		t.Fatalf("at once again: lost %d, %v", lost, err)
	}
	env.Clock.Advance(2 * time.Minute)
	if lost, err := relay.Recheck(env.Ctx()); err != nil || lost != 0 {
		t.Fatalf("Redis holds it: lost %d, %v", lost, err)
	}
}

type quietLogger struct{}

func (quietLogger) Debug(...any) {}
func (quietLogger) Info(...any)  {}
func (quietLogger) Warn(...any)  {}
func (quietLogger) Error(...any) {}
func (quietLogger) Fatal(...any) {}
