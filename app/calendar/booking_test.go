package calendar_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// notActive is what a member is told who books in a relationship that is
// no longer active.
const notActive = "This relationship is not active, so sessions cannot be booked."

// TestABookingReadsTheStatusItWrites: the booking service checks the
// relationship's status in the transaction that writes the session, not
// from what the page showed. A relationship ended between the member
// reading the booking page and posting it refuses the booking with the
// same message as before, and stores nothing; a status change that comes
// while a booking is between its checks and its writes waits for the
// booking to commit (PostgreSQL: the booking's share lock on the
// relationship; SQLite: the booking's write lock).
func TestABookingReadsTheStatusItWrites(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		t.Run("ended after the page was read", func(t *testing.T) {
			fx := newFixture(t, env, "")
			member := env.SignIn(fx.member.User)
			path := "/o/" + fx.org.Slug + "/calendar/book/" + fx.rel.ID.String()
			if p := member.Get(path + "?day=2027-03-02"); p.Status != http.StatusOK || !strings.Contains(p.Body, `value="2027-03-02T09:00:00Z"`) {
				t.Fatalf("booking page = %d, want 200 offering 09:00 on 2 March", p.Status)
			}
			if _, err := env.Services.Relationships.ChangeStatus(env.Ctx(), fx.org.ID, fx.rel.ID, fx.coach.ID, env.Clock.Now(), relationships.ActionEnd, "", ""); err != nil {
				t.Fatal(err)
			}
			p := member.Post(path, map[string]string{"start": "2027-03-02T09:00:00Z"})
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text("[role=alert]"), notActive) {
				t.Fatalf("booking an ended relationship = %d, alert %q; want 422 saying %q", p.Status, p.Text("[role=alert]"), notActive)
			}
			if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 0 {
				t.Errorf("%d sessions stored, want none", n)
			}
		})

		t.Run("a status change waits for the booking", func(t *testing.T) {
			fx := newFixture(t, env, "")
			cal := env.Services.Calendar
			var fired atomic.Bool
			ended := make(chan error, 1)
			var endedBeforeCommit atomic.Bool
			calendar.SetBeforeWrite(cal, func(context.Context) {
				if !fired.CompareAndSwap(false, true) {
					return
				}
				// Another request ends the relationship while the booking
				// is between its checks and its writes.
				go func() {
					_, err := env.Services.Relationships.ChangeStatus(env.Ctx(), fx.org.ID, fx.rel.ID, fx.coach.ID, env.Clock.Now(), relationships.ActionEnd, "", "")
					ended <- err
				}()
				select {
				case err := <-ended:
					endedBeforeCommit.Store(true)
					ended <- err
				case <-time.After(300 * time.Millisecond):
				}
			})
			t.Cleanup(func() { calendar.SetBeforeWrite(cal, nil) })

			p := env.SignIn(fx.member.User).Post("/o/"+fx.org.Slug+"/calendar/book/"+fx.rel.ID.String(), map[string]string{"start": "2027-03-02T09:00:00Z"})
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "Your session is booked") {
				t.Fatalf("booking = %d, want it booked: %s", p.Status, p.Text("main"))
			}
			select {
			case err := <-ended:
				if err != nil {
					t.Fatalf("ending the relationship: %v", err)
				}
			case <-time.After(15 * time.Second):
				t.Fatal("ending the relationship did not finish after the booking committed")
			}
			if endedBeforeCommit.Load() {
				t.Error("the relationship ended while the booking that checked it active had not yet written: the check is not held until the write")
			}
			if n := env.Count("calendar_sessions", "relationship_id = ?", fx.rel.ID); n != 1 {
				t.Errorf("%d sessions stored, want 1", n)
			}
			if n := env.Count("relationships", "id = ? AND status = ?", fx.rel.ID, relationships.StatusEnded); n != 1 {
				t.Errorf("the relationship is not ended after the booking")
			}
		})
	})
}
