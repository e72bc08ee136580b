package supervision

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// Errors of the supervision rules.
var (
	// ErrNotInGroup: the person is not a current member or supervisor of
	// the group (admins included: a case is the group's alone).
	ErrNotInGroup = errors.New("supervision: not in this group")
	// ErrNotSupervisor: only the group's supervisor does that.
	ErrNotSupervisor = errors.New("supervision: only the group's supervisor does that")
	// ErrNotPresenter: only the practitioner who brought the case does that.
	ErrNotPresenter = errors.New("supervision: only the case's presenter does that")
	// ErrNotCohort: only the group's cohort (not its supervisor) brings cases.
	ErrNotCohort = errors.New("supervision: only a member of the cohort brings a case")
	// ErrNotGroupSession: the session is not one of the group's.
	ErrNotGroupSession = errors.New("supervision: not a session of this group")
)

// Sessions are the calendar's sessions of a relationship.
type Sessions interface {
	HeldSessions(ctx context.Context, orgID, relationshipID uuid.UUID) ([]calendar.Session, error)
}

// People names the organisation's people.
type People interface {
	RosterNames(ctx context.Context, orgID uuid.UUID) ([]string, error)
	People(ctx context.Context, orgID uuid.UUID, f tenancy.PeopleFilter) ([]tenancy.Person, error)
}

// Service holds supervision's rules.
type Service struct {
	DB       *db.DB
	Store    *Store
	Rels     *relationships.Store
	Keys     *relationships.Keyring
	Sessions Sessions
	People   People
	Clock    clock.Clock
}

// Group is a supervision group as one of its people sees it.
type Group struct {
	Rel *relationships.Relationship
	// Side is the viewer's: practitioner (the supervisor) or member.
	Side        string
	Supervisors []uuid.UUID
	// Cohort is the members in the rotation's order (by joining).
	Cohort []uuid.UUID
	Names  map[uuid.UUID]string
	// Coming are the next sessions (and one still running) with their roles.
	Coming []SessionRoles
}

// IsSupervisor reports whether the viewer supervises the group.
func (g *Group) IsSupervisor() bool { return g.Side == relationships.SidePractitioner }

// Name is a person's name in the group.
func (g *Group) Name(id uuid.UUID) string { return g.Names[id] }

// SessionRoles is one session and who takes which role in it.
type SessionRoles struct {
	Session calendar.Session
	// Number counts the group's sessions from 1.
	Number  int
	Roles   map[uuid.UUID]string
	Swapped bool
}

// Holder is whoever takes a role in the session.
func (s SessionRoles) Holder(role string) []uuid.UUID {
	var out []uuid.UUID
	for id, r := range s.Roles {
		if r == role {
			out = append(out, id)
		}
	}
	slices.SortFunc(out, func(a, b uuid.UUID) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// LoadGroup loads a supervision group for one of its people; anyone else
// (an admin too) gets ErrNotInGroup, and a relationship that is not a
// supervision group db.ErrNotFound.
func (s *Service) LoadGroup(ctx context.Context, orgID, relID, viewer uuid.UUID) (*Group, error) {
	r, err := s.Rels.Get(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	if r.Kind != relationships.Supervision {
		return nil, fmt.Errorf("supervision: %s is not a supervision group: %w", relID, db.ErrNotFound)
	}
	ps, err := s.Rels.Participants(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	g := &Group{Rel: r, Names: map[uuid.UUID]string{}}
	var ids []uuid.UUID
	for _, p := range ps {
		ids = append(ids, p.UserID)
		if p.UserID == viewer {
			g.Side = p.Side
		}
		if p.Side == relationships.SidePractitioner {
			g.Supervisors = append(g.Supervisors, p.UserID)
		} else {
			g.Cohort = append(g.Cohort, p.UserID)
		}
	}
	if g.Side == "" {
		return nil, ErrNotInGroup
	}
	people, err := s.People.People(ctx, orgID, tenancy.PeopleFilter{UserIDs: ids})
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		g.Names[p.UserID] = p.Name
	}
	all, err := s.roles(ctx, orgID, g)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	for _, sr := range all {
		if sr.Session.EndsAt.After(now) && len(g.Coming) < 6 {
			g.Coming = append(g.Coming, sr)
		}
	}
	return g, nil
}

// roles gives every held session of the group its roles: the rotation's,
// or the ones its supervisor set.
func (s *Service) roles(ctx context.Context, orgID uuid.UUID, g *Group) ([]SessionRoles, error) {
	sessions, err := s.Sessions.HeldSessions(ctx, orgID, g.Rel.ID)
	if err != nil {
		return nil, err
	}
	ids := make([]uuid.UUID, 0, len(sessions))
	for _, x := range sessions {
		ids = append(ids, x.ID)
	}
	set, err := s.Store.Overrides(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make([]SessionRoles, 0, len(sessions))
	for i, x := range sessions {
		sr := SessionRoles{Session: x, Number: i + 1, Roles: Rotate(g.Cohort, i)}
		if o := set[x.ID]; len(o) > 0 {
			sr.Swapped = true
			for id := range sr.Roles {
				if r, ok := o[id]; ok {
					sr.Roles[id] = r
				}
			}
		}
		out = append(out, sr)
	}
	return out, nil
}

// SwapRoles exchanges two cohort members' roles in one of the group's
// sessions; only its supervisor may.
func (s *Service) SwapRoles(ctx context.Context, orgID, relID, by, sessionID, a, b uuid.UUID) error {
	g, err := s.LoadGroup(ctx, orgID, relID, by)
	if err != nil {
		return err
	}
	if !g.IsSupervisor() {
		return ErrNotSupervisor
	}
	all, err := s.roles(ctx, orgID, g)
	if err != nil {
		return err
	}
	for _, sr := range all {
		if sr.Session.ID != sessionID {
			continue
		}
		if !Swap(sr.Roles, a, b) {
			return fmt.Errorf("supervision: swap roles: %w", ErrNotCohort)
		}
		return s.Store.SetRoles(ctx, orgID, sessionID, by, s.Clock.Now(), sr.Roles)
	}
	return ErrNotGroupSession
}

// Draft is a case as the practitioner writes it, before it is checked.
type Draft struct {
	Title, Context, Question, Tried string
	SessionID                       *uuid.UUID
	FromNote                        bool
}

// Check is a draft with its identifiers masked, for the practitioner to
// confirm: the masked fields and what was found in each.
type Check struct {
	Masked Draft
	Found  []Finding
}

// Detector finds the identifiers of an organisation: its roster's names
// and the patterns.
func (s *Service) Detector(ctx context.Context, orgID uuid.UUID) (*Detector, error) {
	names, err := s.People.RosterNames(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return NewDetector(names), nil
}

// CheckDraft masks a draft's identifiers.
func CheckDraft(d *Detector, in Draft) Check {
	out := Check{Masked: in}
	for _, f := range []*string{&out.Masked.Title, &out.Masked.Context, &out.Masked.Question, &out.Masked.Tried} {
		var found []Finding
		*f, found = d.Mask(*f)
		out.Found = append(out.Found, found...)
	}
	return out
}

// BringCase stores a confirmed case in a group: the text is masked again
// as it is stored, so that only de-identified text is ever written, and a
// text that still held identifiers (the practitioner typed more at the
// confirmation) comes back as a Check to confirm instead.
func (s *Service) BringCase(ctx context.Context, orgID, relID, presenter uuid.UUID, in Draft) (*Case, *Check, error) {
	g, err := s.LoadGroup(ctx, orgID, relID, presenter)
	if err != nil {
		return nil, nil, err
	}
	if g.Side != relationships.SideMember {
		return nil, nil, ErrNotCohort
	}
	if in.SessionID != nil {
		all, err := s.Sessions.HeldSessions(ctx, orgID, relID)
		if err != nil {
			return nil, nil, err
		}
		if !slices.ContainsFunc(all, func(x calendar.Session) bool { return x.ID == *in.SessionID }) {
			return nil, nil, ErrNotGroupSession
		}
	}
	d, err := s.Detector(ctx, orgID)
	if err != nil {
		return nil, nil, err
	}
	chk := CheckDraft(d, in)
	if len(chk.Found) > 0 {
		return nil, &chk, nil
	}
	now := s.Clock.Now()
	c := &Case{
		ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: relID, SessionID: in.SessionID, PresenterID: presenter,
		Title: in.Title, Context: in.Context, Question: in.Question, Tried: in.Tried,
		Masked: countMarks(in.Title + in.Context + in.Question + in.Tried), FromNote: in.FromNote,
		ConfirmedAt: now, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.Store.AddCase(ctx, c); err != nil {
		return nil, nil, err
	}
	return c, nil, nil
}

// CaseView is a case with its group and reflections, for one of the group.
type CaseView struct {
	Case        *Case
	Group       *Group
	Reflections []Reflection
}

// IsPresenter reports whether the viewer brought the case.
func (v *CaseView) IsPresenter(viewer uuid.UUID) bool { return v.Case.PresenterID == viewer }

// LoadCase loads a case for one of its group's people (ErrNotInGroup for
// anyone else, admins included).
func (s *Service) LoadCase(ctx context.Context, orgID, caseID, viewer uuid.UUID) (*CaseView, error) {
	c, err := s.Store.Case(ctx, orgID, caseID)
	if err != nil {
		return nil, err
	}
	g, err := s.LoadGroup(ctx, orgID, c.RelationshipID, viewer)
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.Reflections(ctx, orgID, caseID)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if _, ok := g.Names[r.AuthorID]; !ok {
			g.Names[r.AuthorID] = "A former member"
		}
	}
	if _, ok := g.Names[c.PresenterID]; !ok {
		g.Names[c.PresenterID] = "A former member"
	}
	return &CaseView{Case: c, Group: g, Reflections: rs}, nil
}

// Reflect attaches a reflection to a case, its identifiers masked; it
// says how many were.
func (s *Service) Reflect(ctx context.Context, orgID, caseID, author uuid.UUID, text string) (int, error) {
	if _, err := s.LoadCase(ctx, orgID, caseID, author); err != nil {
		return 0, err
	}
	d, err := s.Detector(ctx, orgID)
	if err != nil {
		return 0, err
	}
	masked, found := d.Mask(text)
	r := &Reflection{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, CaseID: caseID, AuthorID: author, Body: masked, CreatedAt: s.Clock.Now()}
	return len(found), s.Store.AddReflection(ctx, r)
}

// RecordLearning keeps the presenter's learning note, its identifiers
// masked; it says how many were.
func (s *Service) RecordLearning(ctx context.Context, orgID, caseID, presenter uuid.UUID, text string) (int, error) {
	v, err := s.LoadCase(ctx, orgID, caseID, presenter)
	if err != nil {
		return 0, err
	}
	if !v.IsPresenter(presenter) {
		return 0, ErrNotPresenter
	}
	d, err := s.Detector(ctx, orgID)
	if err != nil {
		return 0, err
	}
	masked, found := d.Mask(text)
	return len(found), s.Store.RecordLearning(ctx, orgID, caseID, s.Clock.Now(), masked)
}

// MyGroups lists the supervision groups a person takes part in.
func (s *Service) MyGroups(ctx context.Context, orgID, userID uuid.UUID) ([]relationships.Relationship, error) {
	rs, err := s.Rels.ForUser(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(rs, func(r relationships.Relationship) bool {
		return r.Kind != relationships.Supervision || r.Status == relationships.StatusEnded
	}), nil
}

// OwnNote is one of the person's private notes, offered to turn into a case.
type OwnNote struct {
	ID      uuid.UUID
	Written time.Time
	Body    string
}

// OwnNotes lists a person's private notes (newest first).
func (s *Service) OwnNotes(ctx context.Context, orgID, userID uuid.UUID) ([]OwnNote, error) {
	ns, err := s.Rels.PrivateNotesOf(ctx, s.Keys, orgID, userID, 30)
	if err != nil {
		return nil, err
	}
	out := make([]OwnNote, 0, len(ns))
	for _, n := range ns {
		out = append(out, OwnNote{ID: n.ID, Written: n.CreatedAt, Body: n.Body})
	}
	return out, nil
}

// Cases lists a group's cases for one of its people.
func (s *Service) Cases(ctx context.Context, orgID uuid.UUID, g *Group) ([]Case, error) {
	return s.Store.Cases(ctx, orgID, g.Rel.ID)
}

// countMarks counts the identifiers masked in a text.
func countMarks(text string) int {
	n := 0
	for _, k := range []string{FoundName, FoundEmail, FoundPhone, FoundPostcode, FoundDate, FoundID} {
		n += strings.Count(text, Mark(k))
	}
	return n
}
