package reports_test

import (
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

	testkit.KillMidTaskAndRetry(t, envBlockAt, taskID, "the report", func() {
		if n := env.Count("report_snapshots", "id = ?", run.ID); n != 0 {
			t.Fatalf("%d snapshots before the first worker stored one", n)
		}
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
