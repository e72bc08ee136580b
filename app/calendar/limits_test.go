package calendar_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestAvailabilityRulesAreCapped: 50 weekly windows per practitioner, and
// the 51st is refused beside the form with a message that says why.
func TestAvailabilityRulesAreCapped(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "")
	for i := range 48 { // the fixture has 2
		if err := env.Services.Calendar.AddRule(env.Ctx(), fx.org.ID, fx.coach.ID, time.Weekday(i%7), i*10, i*10+5); err != nil {
			t.Fatalf("rule %d: %v", i+3, err)
		}
	}
	b := env.SignIn(fx.coach.User)
	p := b.Post("/o/"+fx.org.Slug+"/calendar/availability/rules", map[string]string{"weekday": "3", "start": "20:00", "end": "21:00"})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Text(".field-error"), "50 weekly windows") {
		t.Fatalf("51st window = %d (%q), want 422 with a message", p.Status, p.Text(".field-error"))
	}
	if n := env.Count("availability_rules", "practitioner_id = ?", fx.coach.ID); n != 50 {
		t.Fatalf("%d rules stored, want 50", n)
	}
}
