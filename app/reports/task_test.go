package reports_test

import (
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// TestRunIsCompiledByTheWorkerOnce: asking records a run and its task in
// the outbox (nothing is compiled in the request); the worker compiles it
// into a snapshot with the run's id; delivering the task again changes
// nothing.
func TestRunIsCompiledByTheWorkerOnce(t *testing.T) {
	env := testkit.New(t)
	p := seedProgramme(t, env)
	env.Clock.Set(at("2027-04-15T09:00:00Z"))
	svc := env.Services.Reports
	run, err := svc.Request(env.Ctx(), p.org.ID, p.org.Owner.ID, quarter)
	if err != nil {
		t.Fatal(err)
	}
	if n := env.Count("report_snapshots", "org_id = ?", p.org.ID); n != 0 {
		t.Fatalf("%d snapshots before the worker ran", n)
	}
	if n := env.Count("outbox", "task_type = ? AND org_id = ?", workers.TypeCompileReport, p.org.ID); n != 1 {
		t.Fatalf("%d compile tasks recorded", n)
	}
	if ran := env.RunDueTasks(); ran != 1 {
		t.Fatalf("%d tasks ran", ran)
	}
	snap, err := svc.Store.Snapshot(env.Ctx(), p.org.ID, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Figures.Funnel[0].People.String() != "6" || !snap.CompiledAt.Equal(env.Clock.Now()) {
		t.Fatalf("snapshot: %+v", snap)
	}
	got, err := svc.Store.Run(env.Ctx(), p.org.ID, run.ID)
	if err != nil || got.Status != reports.RunDone || got.Progress != 100 || got.CompiledAt == nil {
		t.Fatalf("run after compiling: %+v %v", got, err)
	}
	// A second delivery (a worker that died after committing): still one.
	env.Clock.Set(env.Clock.Now().Add(3600e9))
	if err := svc.HandleCompile(env.Ctx(), workers.CompileReportPayload{OrgID: p.org.ID, RunID: run.ID}); err != nil {
		t.Fatal(err)
	}
	again, _ := svc.Store.Snapshot(env.Ctx(), p.org.ID, run.ID)
	if n := env.Count("report_snapshots", "org_id = ?", p.org.ID); n != 1 || !again.CompiledAt.Equal(snap.CompiledAt) {
		t.Fatalf("%d snapshots after a second delivery, compiled at %v", n, again.CompiledAt)
	}
	// Another organisation cannot load the snapshot.
	other := env.NewOrg()
	if _, err := svc.Store.Snapshot(env.Ctx(), other.ID, run.ID); err == nil {
		t.Fatal("another organisation loaded the snapshot")
	}
}

// TestSnapshotsCompareWithTheEarlierPeriod: this month's report is
// compared with last month's (same filter), figure by figure.
func TestSnapshotsCompareWithTheEarlierPeriod(t *testing.T) {
	env := testkit.New(t)
	p := seedProgramme(t, env)
	env.Clock.Set(at("2027-04-15T09:00:00Z"))
	svc := env.Services.Reports
	feb, err := svc.Request(env.Ctx(), p.org.ID, p.org.Owner.ID, reports.Params{From: "2027-02-01", To: "2027-02-28"})
	if err != nil {
		t.Fatal(err)
	}
	mar, err := svc.Request(env.Ctx(), p.org.ID, p.org.Owner.ID, reports.Params{From: "2027-03-01", To: "2027-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	env.RunDueTasks()
	snap, err := svc.Store.Snapshot(env.Ctx(), p.org.ID, mar.ID)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := svc.Store.Previous(env.Ctx(), p.org.ID, snap)
	if err != nil || prev.ID != feb.ID {
		t.Fatalf("previous of March: %v %v", prev, err)
	}
	page := reports.BuildSnapshotPage("/o/x/reports/programme", snap, prev, nil)
	// Sessions held: March 8 (coaching 6, mentoring 2), February 4.
	for _, h := range page.Headlines {
		if h.Name == "sessions held" && (h.Now.String() != "8" || h.Before.String() != "fewer than 5" || h.Delta() != "") {
			t.Fatalf("sessions held: %+v delta %q", h, h.Delta())
		}
		if h.Name == "people in active relationships" && (h.Now.String() != "7" || h.Before.String() != "7" || h.Delta() != "0") {
			t.Fatalf("active: %+v delta %q", h, h.Delta())
		}
	}
}
