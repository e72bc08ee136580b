// Command toolbox runs Leadership Toolbox.
//
// With no arguments it runs everything in one process on one machine: a
// SQLite file under ./data, an in-process Redis-compatible server, the web
// server, the worker and the scheduler. In production the parts run apart
// against PostgreSQL and Redis:
//
//	toolbox migrate up|down|status   apply or inspect the schema
//	toolbox web                      serve HTTP
//	toolbox worker                   run background tasks and the scheduler
//	toolbox all                      all of it in one process (the default)
//	toolbox notes reseal             re-encrypt private notes with the newest key
//	toolbox library seed             give every organisation the library's starter items it lacks
//	toolbox stripe …                 demo payments with stripe-mock (see docs/billing.md)
//	toolbox operator grant|revoke EMAIL   give or take the platform operator's role
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	// The binary carries its own time-zone database: a minimal container
	// image has none, and every session time depends on it.
	_ "time/tzdata"

	"github.com/leadershiptoolbox/toolbox/app/logctx"
)

const usage = `usage: toolbox [command]

commands:
  all                 web server, worker and scheduler in one process (default)
  web                 the web server
  worker              the background worker and scheduler
  migrate up          apply pending database migrations
  migrate down        roll back the last group of migrations
  migrate status      list migrations and whether each is applied
  notes reseal        re-encrypt private notes with the newest notes key
  notes derived-key   print the notes key derived from the secret key, as
                      id:base64 for TOOLBOX_NOTES_KEYS (before changing the secret)
  library seed        give every organisation the starter library items it
                      does not have yet (edited or hidden ones stay as they are)
  stripe pending --org SLUG
                      list the checkouts waiting for their payment
  stripe simulate-payment --org SLUG --payment ID
  stripe simulate-refund --org SLUG --payment ID
                      demos with stripe-mock: send the running app a signed
                      Stripe event for a payment (docs/billing.md)
  operator grant EMAIL
  operator revoke EMAIL
  operator list       give or take the platform operator's role (the console
                      at /ops), or list who holds it; the account must exist
  help                this text

Configuration comes from TOOLBOX_* environment variables; see README.md.
`

func main() {
	// A web request allocates tens of kilobytes that die at once; with the
	// default GOGC=100 the collector took a quarter of a tenant page's CPU.
	// Let the heap grow further between collections unless the operator
	// chose (GOGC); GOMEMLIMIT still caps it.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main with its inputs and outputs explicit, so that it can be
// tested; it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	cmd := "all"
	if len(args) > 0 {
		cmd = args[0]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var err error
	switch cmd {
	case "all":
		err = runAll(ctx, stderr)
	case "web":
		err = runWeb(ctx, stderr)
	case "worker":
		err = runWorker(ctx, stderr)
	case "migrate":
		sub := ""
		if len(args) > 1 {
			sub = args[1]
		}
		err = runMigrate(ctx, sub, stdout, stderr)
	case "notes":
		sub := ""
		if len(args) > 1 {
			sub = args[1]
		}
		err = runNotes(ctx, sub, stdout, stderr)
	case "library":
		sub := ""
		if len(args) > 1 {
			sub = args[1]
		}
		err = runLibrary(ctx, sub, stdout, stderr)
	case "stripe":
		err = runStripe(ctx, args[1:], stdout, stderr)
	case "operator":
		err = runOperator(ctx, args[1:], stdout, stderr)
	default:
		fmt.Fprintf(stderr, "toolbox: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
	if err != nil {
		// One clear line, no stack trace.
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "toolbox: %s\n\n%s", ue.msg, stripeUsage)
			return 2
		}
		var ce configError
		if errors.As(err, &ce) {
			for _, line := range ce.lines() {
				fmt.Fprintf(stderr, "toolbox: configuration: %s\n", line)
			}
			return 2
		}
		fmt.Fprintf(stderr, "toolbox: %s\n", oneLine(err.Error()))
		return 1
	}
	return 0
}

// configError marks errors in the configuration, printed one per line.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

func (e configError) lines() []string {
	if j, ok := e.err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, err := range j.Unwrap() {
			out = append(out, oneLine(err.Error()))
		}
		return out
	}
	return []string{oneLine(e.err.Error())}
}

// oneLine folds a multi-line driver message into one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func newLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	// Lines logged with a request's or a task's context carry its id and
	// organisation (logctx).
	if format == "json" {
		return slog.New(logctx.NewHandler(slog.NewJSONHandler(w, opts)))
	}
	return slog.New(logctx.NewHandler(slog.NewTextHandler(w, opts)))
}
