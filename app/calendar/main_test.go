package calendar_test

import (
	"context"
	"os"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// envBlockAt names a file a worker process creates, then hangs, inside a
// reminder's transaction (the kill test).
const envBlockAt = "CALENDAR_TEST_BLOCK_AT"

func TestMain(m *testing.M) {
	// The kill test runs this binary again as an Asynq worker process.
	testkit.RunWorkerIfAsked(func(a *app.App) {
		if marker := os.Getenv(envBlockAt); marker != "" {
			a.Calendar.ReminderHook = func(context.Context) {
				_ = os.WriteFile(marker, []byte("in the transaction"), 0o600)
				select {} // until killed
			}
		}
	})
	testkit.Main(m)
}
