package dashboard

import (
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

var (
	now    = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)
	london = func() *time.Location { l, _ := time.LoadLocation("Europe/London"); return l }()
	org    = web.OrgRef{Slug: "acme", Name: "Acme"}
)

func keys(as []Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key)
	}
	return out
}

// TestMemberActionsFollowTheirState walks a member from joining to their
// first rated session: each step's action appears when it is theirs to
// take and goes once it is done.
func TestMemberActionsFollowTheirState(t *testing.T) {
	rel := Relationship{ID: uuid.New(), Kind: "coaching", Side: "member", Other: "Cora Coach"}
	req := Request{ID: uuid.New(), Kind: "coaching", Status: "open"}
	session := Session{ID: uuid.New(), RelationshipID: rel.ID, StartsAt: now.Add(26 * time.Hour)}
	steps := []struct {
		name string
		f    Facts
		want []string
	}{
		{"just joined", Facts{IsMember: true}, []string{"assess"}},
		{"half way through the assessment", Facts{IsMember: true, Assessment: "in_progress"}, []string{"assess"}},
		{"assessed, waiting for a coordinator", Facts{IsMember: true, Assessment: "submitted"}, []string{"wait"}},
		{"signposted, choosing themselves", Facts{IsMember: true, Assessment: "confirmed", Requests: []Request{req}, SelfSelection: true}, []string{"choose"}},
		{"signposted, a coordinator matches", Facts{IsMember: true, Assessment: "confirmed", Requests: []Request{req}}, []string{"wait"}},
		{"matched, nothing booked", Facts{IsMember: true, Assessment: "confirmed", Relationships: []Relationship{rel}}, []string{"book"}},
		{"booked", Facts{IsMember: true, Assessment: "confirmed", Relationships: []Relationship{rel}, Upcoming: []Session{session}}, []string{"next"}},
		{"met, asked to rate", Facts{IsMember: true, Assessment: "confirmed", Relationships: []Relationship{rel},
			Asks: []Ask{{ID: uuid.New(), SessionAt: now.Add(-time.Hour)}}}, []string{"book", "rate"}},
	}
	for _, s := range steps {
		s.f.Org, s.f.Now, s.f.Zone = org, now, london
		p := newPage(s.f)
		if got := keys(p.Next); !slices.Equal(got, s.want) {
			t.Errorf("%s: actions %v, want %v", s.name, got, s.want)
		}
	}
	f := Facts{Org: org, Now: now, Zone: london, IsMember: true, Relationships: []Relationship{rel}}
	book := newPage(f).Next[0]
	if book.Href != "/o/acme/calendar/book/"+rel.ID.String() || book.Text != "Book your next session: coaching with Cora Coach." {
		t.Errorf("the booking action = %+v", book)
	}
	f.Upcoming = []Session{session}
	if next := newPage(f).Next[0]; next.Text != "Next session: coaching with Cora Coach, tomorrow at 11:00." || next.Href != "/o/acme/relationships/"+rel.ID.String() {
		t.Errorf("the next-session action = %+v (times in the viewer's zone)", next)
	}
}

// TestPractitionerActions: proposals to answer, today's sessions (not
// tomorrow's) and attendance to mark.
func TestPractitionerActions(t *testing.T) {
	today := Session{ID: uuid.New(), Title: "Coaching with Mel", StartsAt: now.Add(5 * time.Hour)}
	tomorrow := Session{ID: uuid.New(), Title: "Coaching with Max", StartsAt: now.Add(24 * time.Hour)}
	past := Session{ID: uuid.New(), Title: "Mentoring with Ann", StartsAt: now.Add(-48 * time.Hour)}
	f := Facts{Org: org, Now: now, Zone: london, IsPractitioner: true,
		Proposals: []Proposal{{ID: uuid.New(), Kind: "coaching", Member: "Mel", ExpiresAt: now.Add(30 * time.Hour)}},
		Upcoming:  []Session{today, tomorrow}, ToMark: []Session{past}}
	p := newPage(f)
	if got, want := keys(p.Next), []string{"proposal", "today", "attendance"}; !slices.Equal(got, want) {
		t.Fatalf("actions %v, want %v", got, want)
	}
	if p.Next[1].Text != "Today at 14:00: Coaching with Mel." {
		t.Errorf("today's session reads %q", p.Next[1].Text)
	}
	if p.Next[2].Href != "/o/acme/calendar/sessions/"+past.ID.String() {
		t.Errorf("attendance links to %q", p.Next[2].Href)
	}
	if p := newPage(Facts{Org: org, Now: now, Zone: london, IsPractitioner: true}); len(p.Next) != 0 {
		t.Errorf("a practitioner with nothing to do is given %v", keys(p.Next))
	}
}

// TestCoordinatorLists: who waits and for how long, with a count of those
// not listed; expiring proposals; the report's relationships at risk.
func TestCoordinatorLists(t *testing.T) {
	var waiting []Waiting
	for i := range shown {
		waiting = append(waiting, Waiting{ID: uuid.New(), Member: "M", Kind: "mentoring", Since: now.Add(-time.Duration(i+1) * 25 * time.Hour)})
	}
	waiting[0].Since = now.Add(-3 * time.Hour)
	waiting[2].Stage = "assessment"
	rel := uuid.New()
	f := Facts{Org: org, Now: now, Zone: london, IsStaff: true, Waiting: waiting, WaitingCount: 12,
		Expiring: []Expiring{{RequestID: uuid.New(), Member: "Mel", Practitioner: "Cora", Kind: "coaching", ExpiresAt: now.Add(2 * time.Hour)}},
		AtRisk:   []Risk{{RelationshipID: rel, Name: "Ann and Bo", Score: 30, Reasons: []string{"no session for 60 days"}}}, AtRiskAsOf: now}
	p := newPage(f)
	if len(p.Waiting) != shown || p.WaitingMore != 12-shown || p.WaitingCount != 12 {
		t.Errorf("waiting: %d listed, %d more, %d in all", len(p.Waiting), p.WaitingMore, p.WaitingCount)
	}
	if p.Waiting[0].Detail != "signposted, waiting 3 hours for a match" || p.Waiting[1].Detail != "signposted, waiting 2 days for a match" {
		t.Errorf("how long they wait: %q, %q", p.Waiting[0].Detail, p.Waiting[1].Detail)
	}
	if w := p.Waiting[2]; w.Label != "Review and signpost" || w.Href != "/o/acme/assessments/"+waiting[2].ID.String() || w.Detail != "assessed, waiting 3 days to be signposted" {
		t.Errorf("an assessment waiting: %+v", w)
	}
	if p.Expiring[0].Detail != "unanswered, expires today at 11:00" {
		t.Errorf("expiring: %q", p.Expiring[0].Detail)
	}
	if p.AtRisk[0].Href != "/o/acme/relationships/"+rel.String() || p.AtRisk[0].Detail != "health 30/100: no session for 60 days" || p.AtRiskAsOf != "10 Mar 2026" {
		t.Errorf("at risk: %+v as of %q", p.AtRisk[0], p.AtRiskAsOf)
	}
	if p := newPage(Facts{Org: org, Now: now, IsMember: true, Waiting: waiting}); p.Waiting != nil {
		t.Error("a member is shown who waits to be matched")
	}
}

// TestGettingStartedTicksFromTheOrganisation: each step is done when the
// organisation's state says so, and the list is Ready when all are.
func TestGettingStartedTicksFromTheOrganisation(t *testing.T) {
	done := func(p Page) []bool {
		var out []bool
		for _, s := range p.Steps {
			out = append(out, s.Done)
		}
		return out
	}
	f := Facts{Org: org, Now: now, IsAdmin: true}
	if got := done(newPage(f)); !slices.Equal(got, []bool{false, false, false, false, false, false}) {
		t.Errorf("a new organisation: %v", got)
	}
	f.Verified, f.Setup.InvitedPractitioners, f.Members = true, true, 3
	if got := done(newPage(f)); !slices.Equal(got, []bool{true, true, true, false, false, false}) {
		t.Errorf("after inviting: %v", got)
	}
	f.Setup.Assessed, f.Setup.Matched = true, true
	if p := newPage(f); p.Ready || !slices.Equal(done(p), []bool{true, true, true, true, true, false}) {
		t.Errorf("after the first match: %v, ready %v", done(p), p.Ready)
	}
	f.Setup.Met = true
	if p := newPage(f); !p.Ready {
		t.Error("every step done, and the list is not ready")
	}
	if p := newPage(Facts{Org: org, Now: now, IsStaff: true}); p.Steps != nil {
		t.Error("a coordinator is shown the admins' getting-started steps")
	}
}
