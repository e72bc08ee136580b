package relationships

import (
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

func TestRelationshipPageOfAGroup(t *testing.T) {
	coach, ann, bob, carl, left := uuid.New(), uuid.New(), uuid.New(), uuid.New(), uuid.New()
	when := time.Date(2027, time.March, 1, 9, 0, 0, 0, time.UTC)
	rel := &Relationship{ID: uuid.New(), Kind: Coaching, Format: Group, Status: StatusActive}
	current := []Participant{{UserID: coach, Side: SidePractitioner}, {UserID: ann, Side: SideMember}, {UserID: bob, Side: SideMember}}
	v := relationshipView{
		Rel: rel, Side: SideMember, Viewer: ann, Participants: current,
		History:   append(copyOf(current), Participant{UserID: left, Side: SideMember, LeftAt: &when}),
		Goals:     []Goal{{Description: "Ann's", OwnerID: ann}, {Description: "Bob's", OwnerID: bob}},
		Agreement: &Agreement{CadenceDays: 7, MemberAcceptedAt: &when},
		People: []tenancy.Person{{UserID: coach, Name: "Cora Coach", Status: tenancy.StatusActive}, {UserID: ann, Name: "Ann", Status: tenancy.StatusActive},
			{UserID: bob, Name: "Bob", Status: tenancy.StatusActive}, {UserID: carl, Name: "Carl", Status: tenancy.StatusActive}},
	}
	p := newRelationshipPage(v, newForms())
	if len(p.Goals) != 1 || p.Goals[0].Description != "Ann's" {
		t.Errorf("a group member sees goals %+v, want only their own", p.Goals)
	}
	if len(v.Goals) != 2 {
		t.Errorf("building the page changed the goals loaded")
	}
	if !p.IAccepted || !p.IsGroup || p.Agreement.CadenceDays != 7 {
		t.Errorf("accepted %v, group %v, cadence %d; want true, true, 7", p.IAccepted, p.IsGroup, p.Agreement.CadenceDays)
	}
	if len(p.Former) != 1 || p.Former[0].UserID != left {
		t.Errorf("former participants = %+v, want the one who left", p.Former)
	}
	if p.Names[coach] != "Cora Coach" {
		t.Errorf("names = %v", p.Names)
	}
	if p.Joinable != nil {
		t.Errorf("a member is offered people to add: %+v", p.Joinable)
	}

	// The practitioner sees every goal; staff looking on see none, and may
	// add the active people not in the group.
	v.Side, v.Viewer = SidePractitioner, coach
	if p := newRelationshipPage(v, newForms()); len(p.Goals) != 2 || p.IAccepted {
		t.Errorf("the practitioner sees %d goals, accepted %v; want 2, false", len(p.Goals), p.IAccepted)
	}
	v.Side, v.Viewer, v.IsStaff, v.Notes, v.Goals = "", uuid.New(), true, nil, nil
	p = newRelationshipPage(v, newForms())
	if p.Goals != nil || len(p.Joinable) != 1 || p.Joinable[0].UserID != carl {
		t.Errorf("staff looking on: goals %+v, joinable %+v; want none and Carl", p.Goals, p.Joinable)
	}
}

func TestRelationshipPageNamesOnlyItsPeople(t *testing.T) {
	coach, member, author, changer := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	v := relationshipView{
		Rel:          &Relationship{Format: OneToOne, Status: StatusActive},
		Participants: []Participant{{UserID: coach}, {UserID: member}},
		History:      []Participant{{UserID: coach}, {UserID: member}},
		Changes:      []StatusChange{{ChangedBy: changer}},
		Notes:        []Note{{AuthorID: author}, {AuthorID: coach}},
	}
	got := v.namesNeeded()
	want := []uuid.UUID{coach, member, changer, author}
	if len(got) != len(want) {
		t.Fatalf("names needed = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("names needed = %v, want %v", got, want)
		}
	}
	if p := newRelationshipPage(v, newForms()); p.Agreement == nil || p.Agreement.CadenceDays != 14 || p.Agreement.SessionMinutes != 60 {
		t.Errorf("without an agreement the page proposes %+v, want every 14 days, 60 minutes", p.Agreement)
	}
}

func copyOf(ps []Participant) []Participant { return append([]Participant(nil), ps...) }

// TestMemberIsOfferedTheAssessmentAtReviewAndConclusion: the member (not
// the practitioner) is offered the needs assessment again from the
// review date on, and once the relationship has concluded.
func TestMemberIsOfferedTheAssessmentAtReviewAndConclusion(t *testing.T) {
	rel := &Relationship{ID: uuid.New(), Kind: Coaching, Format: OneToOne, Status: StatusActive}
	v := relationshipView{Rel: rel, Side: SideMember, Agreement: &Agreement{CadenceDays: 14, ReviewDate: "2027-03-10"}, Today: "2027-03-09"}
	if newRelationshipPage(v, newForms()).Reassess {
		t.Error("offered the day before the review")
	}
	v.Today = "2027-03-10"
	if !newRelationshipPage(v, newForms()).Reassess {
		t.Error("not offered on the review date")
	}
	v.Side = SidePractitioner
	if newRelationshipPage(v, newForms()).Reassess {
		t.Error("the practitioner is offered the member's assessment")
	}
	v.Side, v.Today, v.Agreement.ReviewDate = SideMember, "2027-01-01", ""
	for _, st := range []Status{StatusActive, StatusPaused, StatusCompleted, StatusEnded} {
		rel.Status = st
		if got, want := newRelationshipPage(v, newForms()).Reassess, st == StatusCompleted || st == StatusEnded; got != want {
			t.Errorf("status %s: offered %v, want %v", st, got, want)
		}
	}
}
