package calendar_test

import (
	"os"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) {
	// The kill test runs this binary again as an Asynq worker process.
	if os.Getenv(envWorker) != "" {
		os.Exit(runWorker())
	}
	testkit.Main(m)
}
