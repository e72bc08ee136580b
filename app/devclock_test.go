package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestTimeTravelMovesTheApplicationsClockOnlyWhereSwitchedOn: /dev/clock
// exists only with TOOLBOX_TIME_TRAVEL, answers bad input with 422 and
// the clock unmoved, and moves the clock every part of the application
// reads (here: the time a session is created at).
func TestTimeTravelMovesTheApplicationsClockOnlyWhereSwitchedOn(t *testing.T) {
	t.Run("off", func(t *testing.T) {
		env := testkit.New(t, testkit.OnEngine(db.SQLite))
		if p := env.Browser().Get("/dev/clock"); p.Status != http.StatusNotFound {
			t.Fatalf("/dev/clock without time travel = %d, want 404", p.Status)
		}
	})
	t.Run("on", func(t *testing.T) {
		env := testkit.New(t, testkit.OnEngine(db.SQLite), testkit.WithConfig(func(c *config.Config) { c.TimeTravel = true }))
		b := env.Browser()
		p := b.Get("/dev/clock")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, testkit.Epoch.UTC().Format("2006-01-02 15:04")) {
			t.Fatalf("/dev/clock = %d, want 200 with the time %s:\n%s", p.Status, testkit.Epoch, p.Body)
		}
		for _, bad := range []string{"", "0", "-3", "1.5", "367", "a fortnight"} {
			if p := b.PostValues("/dev/clock", url.Values{"days": {bad}}); p.Status != http.StatusUnprocessableEntity || (bad != "" && !strings.Contains(p.Body, "whole number of days")) {
				t.Errorf("days=%q: status %d, want 422 with the rule", bad, p.Status)
			}
		}
		if p := b.PostValues("/dev/clock", url.Values{"days": {"22"}}); p.Status != http.StatusOK || !strings.Contains(p.Body, "moved forward 22 days") {
			t.Fatalf("moving 22 days: status %d", p.Status)
		}
		want := testkit.Epoch.Add(22 * 24 * time.Hour).UTC().Format("2006-01-02 15:04")
		if p := b.Get("/dev/clock"); !strings.Contains(p.Body, want) || !strings.Contains(p.Body, "22 days") {
			t.Fatalf("after moving 22 days the page does not say %s, 22 days ahead:\n%s", want, p.Body)
		}
		if now := env.Services.Clock.Now(); !now.Equal(testkit.Epoch.Add(22 * 24 * time.Hour)) {
			t.Fatalf("the application's clock reads %s, want %s", now, testkit.Epoch.Add(22*24*time.Hour))
		}
	})
}
