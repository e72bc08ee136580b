package reports_test

import (
	"context"
	"os"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// envBlockAt names a file a worker process creates, then hangs, after
// compiling a report and before storing it (the kill test).
const envBlockAt = "REPORTS_TEST_BLOCK_AT"

func TestMain(m *testing.M) {
	testkit.RunWorkerIfAsked(func(s *app.App) {
		if marker := os.Getenv(envBlockAt); marker != "" {
			s.Reports.CompileHook = func(context.Context) {
				_ = os.WriteFile(marker, []byte("compiled, not stored"), 0o600)
				select {} // until killed
			}
		}
	})
	testkit.Main(m)
}
