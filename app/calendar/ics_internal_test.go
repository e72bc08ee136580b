package calendar

import (
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/google/uuid"
)

// TestICSLineBreaksInNamesStayInTheirValue builds an invitation whose
// names, title and place hold CR/LF meant to add lines of their own, and
// parses it back: one event, the attendees given and no others, and every
// value whole on its line.
func TestICSLineBreaksInNamesStayInTheirValue(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	evil := "Eve\r\nATTENDEE;CN=Mallory:mailto:mallory@evil.example\r\nX-INJECTED:1"
	s := Session{
		ID: uuid.Must(uuid.NewV7()), Kind: "coaching", Title: "Coaching\r\nX-TITLE-INJECTED:1", Place: "Room 1\rX-PLACE:1",
		CancelReason: "Ill\r\nX-REASON:1", StartsAt: now, EndsAt: now.Add(time.Hour), UpdatedAt: now, Status: StatusCancelled,
	}
	out := buildICS("CANCEL", "", []icsEvent{{
		Session:   s,
		Organizer: person{Name: evil, Email: "eve@example.test"},
		Attendees: []person{{Name: `Ann "the boss"` + "\n" + "X-Q:1", Email: "ann@example.test"}},
	}}, now)
	if strings.Count(out, "\r") != strings.Count(out, "\r\n") {
		t.Errorf("a lone carriage return in\n%s", out)
	}
	for _, line := range strings.Split(strings.ReplaceAll(out, "\r\n", "\n"), "\n") {
		if strings.HasPrefix(line, "X-") || strings.HasPrefix(line, "ATTENDEE;CN=Mallory") {
			t.Errorf("injected line %q in\n%s", line, out)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(out))
	if err != nil {
		t.Fatalf("parse back: %v\n%s", err, out)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	e := events[0]
	if n := len(e.Attendees()); n != 1 || e.Attendees()[0].Email() != "ann@example.test" {
		t.Fatalf("attendees %d, want only ann", n)
	}
	if cn := e.GetProperty(ics.ComponentPropertyOrganizer).ICalParameters["CN"]; len(cn) != 1 || !strings.HasPrefix(cn[0], "Eve ") {
		t.Fatalf("organizer CN = %q", cn)
	}
	if got := e.GetProperty(ics.ComponentPropertySummary).Value; got != "Coaching  X-TITLE-INJECTED:1" {
		t.Fatalf("summary = %q", got)
	}
	if desc := e.GetProperty(ics.ComponentPropertyDescription).Value; !strings.Contains(desc, "Ill\nX-REASON:1") {
		t.Fatalf("description = %q: the reason's line break should be kept, escaped", desc)
	}
}
