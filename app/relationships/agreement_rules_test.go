package relationships

import (
	"strings"
	"testing"
	"time"
)

func TestBookingRefusal(t *testing.T) {
	loc, _ := time.LoadLocation("Europe/London")
	started := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	accepted := started
	rel := &Relationship{Status: StatusActive, StartedAt: &started}
	a := &Agreement{CadenceDays: 14, EndDate: "2027-06-30", PractitionerAcceptedAt: &accepted, MemberAcceptedAt: &accepted}
	at := func(s string) time.Time {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, tc := range []struct {
		start string
		want  string
	}{
		{"2027-03-15T10:00:00Z", ""},
		{"2027-06-30T22:30:00Z", ""},                      // 23:30 on the end date in London
		{"2027-06-30T23:30:00Z", "The agreement ends on"}, // 00:30 the day after, in London
		{"2027-02-28T10:00:00Z", "The agreement starts on"},
	} {
		if got := BookingRefusal(rel, a, at(tc.start), loc); (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.start, got, tc.want)
		}
	}
	// Edited and accepted again by the practitioner only.
	waiting := *a
	waiting.MemberAcceptedAt = nil
	if got := BookingRefusal(rel, &waiting, at("2027-03-15T10:00:00Z"), loc); !strings.Contains(got, "waiting for the member") {
		t.Errorf("awaiting the member: %q", got)
	}
	if got := BookingRefusal(rel, nil, at("2027-01-01T10:00:00Z"), loc); got != "" {
		t.Errorf("no agreement: %q", got)
	}
	last := time.Date(2027, 3, 10, 10, 0, 0, 0, time.UTC)
	if due := NextSessionDue(rel, a, &last); due == nil || !due.Equal(last.AddDate(0, 0, 14)) {
		t.Errorf("next due %v", due)
	}
	if due := NextSessionDue(rel, a, nil); due == nil || !due.Equal(started.AddDate(0, 0, 14)) {
		t.Errorf("next due without a session %v", due)
	}
}
