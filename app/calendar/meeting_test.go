package calendar_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// icsEvent parses an invitation back and returns its one event.
func icsEvent(t *testing.T, raw string) *ics.VEvent {
	t.Helper()
	c, err := ics.ParseCalendar(strings.NewReader(raw))
	if err != nil {
		t.Fatalf("parse ICS: %v\n%s", err, raw)
	}
	if len(c.Events()) != 1 {
		t.Fatalf("%d events, want 1", len(c.Events()))
	}
	return c.Events()[0]
}

func icsValue(ev *ics.VEvent, p ics.ComponentProperty) string {
	if prop := ev.GetProperty(p); prop != nil {
		return prop.Value
	}
	return ""
}

// A practitioner's choice of meeting link gives each session booked with
// them its link, which its people (and only they) see on the session
// page, in the e-mails and reminders, and in the .ics (LOCATION and URL).
func TestMeetingLinksReachTheSessionsPeopleOnly(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		fx := newFixture(t, env, "")
		org := fx.org
		settings := org.Settings
		settings.MeetingServiceURL = "https://meet.example.org/"
		if err := env.Services.Tenancy.UpdateOrganisation(env.Ctx(), org.ID, tenancy.Actor{UserID: org.Owner.ID}, org.Name, org.TimeZone, settings); err != nil {
			t.Fatal(err)
		}

		coach := env.SignIn(fx.coach.User)
		page := "/o/" + org.Slug + "/calendar/meeting"
		coach.Get(page)
		for _, bad := range []map[string]string{
			{"mode": "room", "room_url": ""},
			{"mode": "room", "room_url": "http://video.example.org/room"},
			{"mode": "room", "room_url": "javascript:alert(1)"},
			{"mode": "anything"},
		} {
			if p := coach.Post(page, bad); p.Status != http.StatusUnprocessableEntity {
				t.Fatalf("meeting settings %v: want 422, got %d", bad, p.Status)
			}
		}
		if p := coach.Post(page, map[string]string{"mode": "generated"}); p.Status != http.StatusOK || !strings.Contains(p.Body, "Meeting link saved") {
			t.Fatalf("save a new room per session: %d", p.Status)
		}

		start := utc("2027-03-04T10:00:00Z")
		s := fx.book(t, env, start)
		other := fx.book(t, env, utc("2027-03-09T10:00:00Z"))
		room := regexp.MustCompile(`^https://meet\.example\.org/LeadershipToolbox-[a-z2-7]{26}$`)
		if !room.MatchString(s.MeetingURL) || s.MeetingURL == other.MeetingURL {
			t.Fatalf("each session gets a fresh unguessable room at the organisation's service: %q and %q", s.MeetingURL, other.MeetingURL)
		}

		session := "/o/" + org.Slug + "/calendar/sessions/" + s.ID.String()
		member := env.SignIn(fx.member.User)
		for who, b := range map[string]*testkit.Browser{"member": member, "coach": coach} {
			p := b.Get(session)
			if got, _ := p.Doc().Find("a.meeting-link").Attr("href"); got != s.MeetingURL {
				t.Errorf("the %s should see the meeting link on the session page, got %q", who, got)
			}
		}
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		outsider := env.NewPerson(org, tenancy.RoleMember)
		for who, b := range map[string]*testkit.Browser{
			"an owner who takes no part": env.SignIn(org.Owner.User), "a coordinator looking on": env.SignIn(coordinator.User),
			"another member": env.SignIn(outsider.User),
		} {
			p := b.Get(session)
			if strings.Contains(p.Body, s.MeetingURL) || strings.Contains(p.Body, "LeadershipToolbox-") {
				t.Errorf("%s must not see the meeting link (status %d)", who, p.Status)
			}
		}

		// The booking e-mail and its invitation.
		booked := emailsWith(env, fx.member.Email, "Session booked")
		if len(booked) != 2 || !strings.Contains(booked[0].TextBody, "Join: "+s.MeetingURL) {
			t.Fatalf("the booking e-mail should carry the link: %d e-mails", len(booked))
		}
		ev := icsEvent(t, booked[0].ICS)
		// The agreement's place ("Video call") stays in front of the link.
		if icsValue(ev, ics.ComponentPropertyLocation) != "Video call, "+s.MeetingURL || icsValue(ev, ics.ComponentPropertyUrl) != s.MeetingURL {
			t.Errorf("the invitation's LOCATION %q and URL %q should carry the meeting link %q",
				icsValue(ev, ics.ComponentPropertyLocation), icsValue(ev, ics.ComponentPropertyUrl), s.MeetingURL)
		}

		// The reminder and its invitation, to both people.
		env.Clock.Set(start.Add(-24 * time.Hour))
		env.RunDueTasks()
		for _, to := range []string{fx.member.Email, fx.coach.Email} {
			rs := emailsWith(env, to, "Reminder")
			if len(rs) != 1 || !strings.Contains(rs[0].TextBody, "Join the video meeting: "+s.MeetingURL) {
				t.Fatalf("the reminder to %s should carry the link (%d reminders)", to, len(rs))
			}
			if ev := icsEvent(t, rs[0].ICS); icsValue(ev, ics.ComponentPropertyUrl) != s.MeetingURL {
				t.Errorf("the reminder's invitation URL = %q", icsValue(ev, ics.ComponentPropertyUrl))
			}
		}

		// The member's calendar subscription carries it too.
		sub := member.Post("/o/"+org.Slug+"/calendar/subscription", nil)
		feedURL, _ := sub.Doc().Find("#feed-url").Attr("value")
		feed := env.Browser().Get(strings.TrimPrefix(feedURL, env.Config.BaseURL))
		fc, err := ics.ParseCalendar(strings.NewReader(feed.Body))
		if err != nil {
			t.Fatalf("parse the feed: %v", err)
		}
		inFeed := false
		for _, ev := range fc.Events() {
			if ev.Id() == calendar.SessionUID(&s) {
				inFeed = icsValue(ev, ics.ComponentPropertyUrl) == s.MeetingURL
			}
		}
		if !inFeed {
			t.Errorf("the member's feed should give the session's meeting link as its URL")
		}

		// Their own room instead: the same link for every session booked
		// from now on; sessions booked before keep theirs.
		if p := coach.Post(page, map[string]string{"mode": "room", "room_url": "https://video.example.org/coach-room"}); p.Status != http.StatusOK {
			t.Fatalf("save their own room: %d", p.Status)
		}
		later := fx.book(t, env, utc("2027-03-11T10:00:00Z"))
		if later.MeetingURL != "https://video.example.org/coach-room" {
			t.Fatalf("a session booked with their own room got %q", later.MeetingURL)
		}
		if got := env.Count("calendar_sessions", "id = ? AND meeting_url = ?", s.ID, s.MeetingURL); got != 1 {
			t.Fatalf("a session booked before keeps its link")
		}
		// No link: sessions get none.
		coach.Post(page, map[string]string{"mode": "none"})
		if none := fx.book(t, env, utc("2027-03-16T10:00:00Z")); none.MeetingURL != "" {
			t.Fatalf("no meeting link chosen, got %q", none.MeetingURL)
		}
	})
}

// NewRoomURL names rooms with 128 random bits, never the same twice.
func TestNewRoomURLIsUnguessable(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		u := calendar.NewRoomURL("https://meet.jit.si/")
		if !strings.HasPrefix(u, "https://meet.jit.si/LeadershipToolbox-") || seen[u] {
			t.Fatalf("room %q (repeated: %v)", u, seen[u])
		}
		seen[u] = true
	}
}
