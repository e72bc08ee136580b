package relationships

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// relationshipView is what the relationship page is built from: the
// relationship and what was loaded about it for one viewer.
type relationshipView struct {
	Org          *web.OrgRef
	Rel          *Relationship
	Side         string // the viewer's; "" for staff looking on
	Viewer       uuid.UUID
	IsStaff      bool
	Participants []Participant
	History      []Participant // everyone who ever took part
	Agreement    *Agreement    // nil: none recorded yet
	Switches     []ModeSwitch
	Changes      []StatusChange
	NoteCounts   map[string]int
	Notes        []Note // loaded for participants only
	Goals        []Goal // loaded for participants only
	People       []tenancy.Person
	Today        string
	Now          time.Time
}

// relationshipPage is what pages/relationships/show.html shows.
type relationshipPage struct {
	Org                  *web.OrgRef
	Rel                  *Relationship
	Side                 string
	Participants, Former []Participant
	Names                map[uuid.UUID]string
	// Name is the relationship as the viewer sees it: "Coaching with Mel
	// Member", or a group's title.
	Name             string
	Agreement        *Agreement
	Switches         []ModeSwitch
	Changes          []StatusChange
	NoteCounts       map[string]int
	Forms            *forms
	Mode             Kind
	Actions          []string
	Kinds            []Kind
	IsStaff, IsGroup bool
	Today            string
	// Reassess offers the member the needs assessment again: at the
	// review date, or once the relationship has concluded.
	Reassess bool
	Notes    []Note
	Goals    []Goal
	// GoalProgress is each goal's progress (percent), for staff looking on.
	GoalProgress []int
	IAccepted    bool
	// CanEditAgreement: docs/group-permissions.md says who changes it.
	CanEditAgreement bool
	Joinable         []tenancy.Person // staff of a group: who may be added
	Library          *library.Panel   // what the library offers its participants
}

// namesNeeded lists the people the page names: participants past and
// present, who changed the status, who wrote the notes shown.
func (v *relationshipView) namesNeeded() []uuid.UUID {
	var ids []uuid.UUID
	add := func(id uuid.UUID) {
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	for _, p := range v.Participants {
		add(p.UserID)
	}
	for _, p := range v.History {
		add(p.UserID)
	}
	for _, c := range v.Changes {
		add(c.ChangedBy)
	}
	for _, n := range v.Notes {
		add(n.AuthorID)
	}
	return ids
}

// newRelationshipPage builds the relationship page; f are its forms
// (filled from the agreement unless they come back with errors).
func newRelationshipPage(v relationshipView, f *forms) relationshipPage {
	agreement := v.Agreement
	if agreement == nil {
		agreement = &Agreement{CadenceDays: 14, SessionMinutes: 60}
	}
	p := relationshipPage{
		Org: v.Org, Rel: v.Rel, Side: v.Side, Participants: v.Participants, Names: map[uuid.UUID]string{},
		Agreement: agreement, Switches: v.Switches, Changes: v.Changes, NoteCounts: v.NoteCounts, Forms: f,
		Mode: CurrentMode(v.Rel, v.Switches, v.Now), Actions: Allowed(v.Rel.Status), Kinds: Kinds, IsStaff: v.IsStaff,
		IsGroup: v.Rel.Format == Group, Today: v.Today,
	}
	for _, person := range v.People {
		p.Names[person.UserID] = person.Name
	}
	naming := Naming{Kind: v.Rel.Kind, Format: v.Rel.Format, Title: v.Rel.Title}
	for _, pt := range v.Participants {
		naming.People = append(naming.People, Named{RelationshipID: v.Rel.ID, UserID: pt.UserID, Side: pt.Side, Name: p.Names[pt.UserID]})
	}
	p.Name = naming.NameFor(v.Viewer)
	p.CanEditAgreement = mayEditAgreement(&access{Rel: v.Rel, Side: v.Side}, v.IsStaff)
	current := map[uuid.UUID]bool{}
	for _, pt := range v.Participants {
		current[pt.UserID] = true
	}
	for _, pt := range v.History {
		if pt.LeftAt != nil {
			p.Former = append(p.Former, pt)
		}
	}
	if v.Side != "" {
		p.Notes, p.Goals = v.Notes, v.Goals
		if p.IsGroup && v.Side == SideMember {
			// In a group, a member's goals are their own business and
			// their practitioners'; the other members do not see them.
			p.Goals = slices.DeleteFunc(slices.Clone(v.Goals), func(g Goal) bool { return g.OwnerID != v.Viewer })
		}
		mine := agreement.MemberAcceptedAt
		if v.Side == SidePractitioner {
			mine = agreement.PractitionerAcceptedAt
		}
		p.IAccepted = mine != nil
	}
	if v.Side == "" && v.IsStaff {
		// Staff looking on follow how far each goal has come, not what
		// it says: the goal's words are the relationship's business.
		for _, g := range v.Goals {
			p.GoalProgress = append(p.GoalProgress, g.Progress)
		}
	}
	concluded := v.Rel.Status == StatusCompleted || v.Rel.Status == StatusEnded
	p.Reassess = v.Side == SideMember && (concluded || (agreement.ReviewDate != "" && agreement.ReviewDate <= v.Today))
	if v.IsStaff && p.IsGroup {
		for _, person := range v.People {
			if !current[person.UserID] && person.Status == tenancy.StatusActive && person.UserID != v.Viewer {
				p.Joinable = append(p.Joinable, person)
			}
		}
	}
	return p
}
