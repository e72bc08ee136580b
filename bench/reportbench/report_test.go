package reportbench

import (
	"os"

	"strconv"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// sizeFromEnv is the generated organisation's size: small by default (the
// short form CI runs); REPORT_BENCH_PEOPLE and REPORT_BENCH_SESSIONS make
// it large (20000 and 1000000 for the figures in the README).
func sizeFromEnv() Size {
	s := Size{People: 2000, Sessions: 50_000}
	if n, err := strconv.Atoi(os.Getenv("REPORT_BENCH_PEOPLE")); err == nil && n > 0 {
		s.People = n
	}
	if n, err := strconv.Atoi(os.Getenv("REPORT_BENCH_SESSIONS")); err == nil && n > 0 {
		s.Sessions = n
	}
	return s
}

// BenchmarkProgrammeReport compiles the programme report over the whole
// generated programme (every session), as the worker does.
func BenchmarkProgrammeReport(b *testing.B) {
	env := testkit.New(b)
	org := env.NewOrg()
	size := sizeFromEnv()
	if err := Generate(env.Ctx(), env.OwnerDB, org.ID, org.Slug, size); err != nil {
		b.Fatal(err)
	}
	env.Clock.Set(Start.AddDate(2, 0, 0))
	params := reports.Params{From: "2025-01-01", To: "2027-03-31"}
	f, err := env.Services.Reports.Compile(env.Ctx(), org.ID, params, nil)
	if err != nil {
		b.Fatal(err)
	}
	// The generator's figures, checked once: every session was counted.
	held := 0
	for _, m := range f.Sessions {
		held += int(m.Sessions.Value)
	}
	if want := size.Sessions - size.Sessions/20 - size.Sessions/33 + size.Sessions/660; held < want-2 || held > want+2 {
		b.Fatalf("sessions held %d, generated about %d", held, want)
	}
	if testing.Verbose() {
		last := time.Now()
		_, _ = env.Services.Reports.Compile(env.Ctx(), org.ID, params, func(percent int) {
			b.Logf("step to %d%%: %v", percent, time.Since(last))
			last = time.Now()
		})
	}
	b.ReportMetric(float64(size.Sessions), "sessions")
	b.ResetTimer()
	for range b.N {
		if _, err := env.Services.Reports.Compile(env.Ctx(), org.ID, params, nil); err != nil {
			b.Fatal(err)
		}
	}
}
