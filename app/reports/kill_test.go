package reports_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// TestReportSurvivesAWorkerKilledMidRun: a real worker process is
// SIGKILLed after compiling a report and before storing it. Asynq hands
// the task to a fresh worker, which compiles it again; the run ends with
// exactly one snapshot, under the run's id.
func TestReportSurvivesAWorkerKilledMidRun(t *testing.T) {
	env := testkit.New(t)
	p := seedProgramme(t, env)
	env.Clock.Set(time.Now().UTC())
	run, err := env.Services.Reports.Request(env.Ctx(), p.org.ID, p.org.Owner.ID, quarter)
	if err != nil {
		t.Fatal(err)
	}
	opt, err := asynq.ParseRedisURI(testkit.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	if _, err := outbox.NewRelay(env.DB, client, clock.System{}, env.Log).Flush(env.Ctx()); err != nil {
		t.Fatalf("relay: %v", err)
	}
	var taskID string
	if err := env.DB.NewSelect().Table("outbox").Column("id").Where("task_type = ? AND org_id = ?", workers.TypeCompileReport, p.org.ID).Scan(env.Ctx(), &taskID); err != nil {
		t.Fatal(err)
	}

	marker := filepath.Join(t.TempDir(), "blocked")
	first := testkit.StartWorker(t, envBlockAt+"="+marker)
	testkit.WaitFor(t, "the first worker to have compiled the report", func() bool { _, err := os.Stat(marker); return err == nil })
	if n := env.Count("report_snapshots", "id = ?", run.ID); n != 0 {
		t.Fatalf("%d snapshots before the first worker stored one", n)
	}
	if err := first.Process.Signal(os.Kill); err != nil {
		t.Fatal(err)
	}
	_, _ = first.Process.Wait()
	testkit.ExpireLeases(t, workers.QueueDefault)

	testkit.StartWorker(t)
	inspector := asynq.NewInspector(opt)
	defer inspector.Close()
	testkit.WaitFor(t, "a fresh worker to complete the report", func() bool {
		info, err := inspector.GetTaskInfo(workers.QueueDefault, taskID)
		return err == nil && info.State == asynq.TaskStateCompleted
	})
	if n := env.Count("report_snapshots", "org_id = ?", p.org.ID); n != 1 {
		t.Fatalf("%d snapshots, want 1", n)
	}
	got, err := env.Services.Reports.Store.Run(env.Ctx(), p.org.ID, run.ID)
	if err != nil || got.Status != reports.RunDone || got.StartedAt == nil {
		t.Fatalf("run: %+v %v", got, err)
	}
	snap, err := env.Services.Reports.Store.Snapshot(env.Ctx(), p.org.ID, run.ID)
	if err != nil || snap.Figures.Funnel[0].People.String() != "6" {
		t.Fatalf("snapshot: %+v %v", snap, err)
	}
}
