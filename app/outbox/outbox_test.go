package outbox_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
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

// switchProxy forwards TCP to Redis while up; while down it refuses new
// connections and cuts open ones, as a stopped Redis would.
type switchProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	up     bool
	conns  []net.Conn
}

func newSwitchProxy(t *testing.T, target string) *switchProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &switchProxy{ln: ln, target: target, up: true}
	go p.serve()
	t.Cleanup(func() { ln.Close(); p.setUp(false) })
	return p
}

func (p *switchProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if !p.up {
			p.mu.Unlock()
			c.Close()
			continue
		}
		r, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns = append(p.conns, c, r)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(r, c); r.Close() }()
		go func() { _, _ = io.Copy(c, r); c.Close() }()
	}
}

func (p *switchProxy) setUp(up bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.up = up
	if !up {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestOutboxSurvivesARedisOutageAndDeliversOnce: tasks recorded while
// Redis is down wait in the database; when Redis is back the relay moves
// them; each runs once, even when a row is relayed a second time.
func TestOutboxSurvivesARedisOutageAndDeliversOnce(t *testing.T) {
	env := testkit.New(t)
	opt, err := redis.ParseURL(testkit.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newSwitchProxy(t, opt.Addr)
	client := asynq.NewClient(asynq.RedisClientOpt{Addr: proxy.ln.Addr().String(), DB: opt.DB, DialTimeout: time.Second, ReadTimeout: time.Second, WriteTimeout: time.Second})
	defer client.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	relay := outbox.NewRelay(env.DB, client, env.Clock, log)
	const taskType = "test:outbox_probe"

	proxy.setUp(false)
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

	proxy.setUp(true)
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

type quietLogger struct{}

func (quietLogger) Debug(...any) {}
func (quietLogger) Info(...any)  {}
func (quietLogger) Warn(...any)  {}
func (quietLogger) Error(...any) {}
func (quietLogger) Fatal(...any) {}
