package relationships

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/feedback"
)

var hubNow = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

func hubSession(days int, status string) TimelineSession {
	start := hubNow.AddDate(0, 0, days)
	return TimelineSession{ID: uuid.New(), StartsAt: start, EndsAt: start.Add(time.Hour), Status: status, Place: "https://meet.example.test/abc"}
}

// TestHubShowsEachSideItsOwnActions: the member books and rates, the
// practitioner schedules and marks attendance, staff looking on neither;
// both sides may move the next session and read its agenda.
func TestHubShowsEachSideItsOwnActions(t *testing.T) {
	rel := &Relationship{ID: uuid.New(), Status: StatusActive, Format: OneToOne}
	next := hubSession(2, "scheduled")
	unmarked, held := hubSession(-3, "scheduled"), hubSession(-17, "completed")
	ask := feedback.Ask{ID: uuid.New(), Session: &held.StartsAt, Relation: rel.ID}
	in := hubInput{Base: "/o/acme", Rel: rel, Accepted: true, Cadence: 14, Now: hubNow,
		Timeline: Timeline{Next: []TimelineSession{next, hubSession(16, "scheduled")}, Past: []TimelineSession{unmarked, held}}, Asks: []feedback.Ask{ask}}

	in.Side = SideMember
	m := newHub(in)
	if m.BookHref != "/o/acme/calendar/book/"+rel.ID.String() || m.BookLabel != "Book another session" {
		t.Errorf("member's booking: %q %q", m.BookHref, m.BookLabel)
	}
	if m.Next == nil || m.Next.ID != next.ID || m.Later != 1 || m.Next.JoinURL == "" || m.Next.MoveHref == "" || m.Next.AgendaHref == "" {
		t.Fatalf("member's next session: %+v (later %d)", m.Next, m.Later)
	}
	if m.Past[0].MarkHref != "" || m.Past[1].RateHref != "/o/acme/feedback/"+ask.ID.String() || m.Past[0].RateHref != "" {
		t.Errorf("member's past sessions: %+v", m.Past)
	}

	in.Side = SidePractitioner
	p := newHub(in)
	if p.BookHref != "/o/acme/calendar/new?relationship="+rel.ID.String() {
		t.Errorf("practitioner's scheduling: %q", p.BookHref)
	}
	if !p.Past[0].Unmarked || p.Past[0].MarkHref == "" || p.Past[1].MarkHref != "" || p.Past[1].RateHref != "" {
		t.Errorf("practitioner's past sessions: %+v", p.Past)
	}

	in.Side = ""
	s := newHub(in)
	if s.BookHref != "" || s.Next.MoveHref != "" || s.Past[0].MarkHref != "" || s.Past[1].RateHref != "" {
		t.Errorf("staff looking on are offered actions: %+v", s)
	}

	in.Side, in.Accepted = SideMember, false
	if w := newHub(in); w.BookHref != "" || !w.AcceptFirst {
		t.Errorf("booking offered before the agreement is accepted: %+v", w)
	}
	in.Accepted, rel.Status = true, StatusPaused
	if w := newHub(in); w.BookHref != "" {
		t.Error("booking offered in a paused relationship")
	}
}

// TestRhythmKeptAgainstAgreed compares the sessions held with the cadence.
func TestRhythmKeptAgainstAgreed(t *testing.T) {
	cases := []struct {
		name    string
		past    []TimelineSession
		keeping bool
		text    string
	}{
		{"none yet", nil, false, "Agreed: every 14 days. No session has taken place yet."},
		{"one, recent", []TimelineSession{hubSession(-5, "completed")}, true, "One session so far, 5 days ago."},
		{"on rhythm", []TimelineSession{hubSession(-3, "completed"), hubSession(-17, "completed"), hubSession(-31, "completed")}, true,
			"Kept: every 14 days on average over the last 3 sessions; the last 3 days ago."},
		{"cancellations do not count", []TimelineSession{hubSession(-3, "cancelled"), hubSession(-40, "completed"), hubSession(-54, "completed")}, false,
			"the last 40 days ago."},
		{"too far apart", []TimelineSession{hubSession(-2, "completed"), hubSession(-32, "completed")}, false, "every 30 days on average"},
	}
	for _, c := range cases {
		r := rhythm(c.past, 14, hubNow)
		if r.Keeping != c.keeping || !strings.Contains(r.Text, c.text) {
			t.Errorf("%s: keeping %v, %q", c.name, r.Keeping, r.Text)
		}
	}
}
