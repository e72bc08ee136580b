package hours

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// Relationships is what the logs ask of the relationships domain
// (relationships.Store implements it).
type Relationships interface {
	Get(ctx context.Context, orgID, id uuid.UUID) (*relationships.Relationship, error)
	Side(ctx context.Context, orgID, relationshipID, userID uuid.UUID) (string, error)
}

// Service builds a person's logs.
type Service struct {
	Store *Store
	Rels  Relationships
	Clock clock.Clock
}

// Book is everything of one person's professional record.
type Book struct {
	Coaching, Mentoring *Log
	Supervision         []Item
	Ratio               Ratio
	Settings            Settings
	// Clients are the organisation's clients in the logs, with the
	// practitioner's settings, for the settings form.
	Clients []ClientLine
	// Supervisions are where the person can book their next supervision.
	Supervisions []SupervisionRelationship
	Generated    time.Time
}

// ClientLine is one of the practitioner's clients with its setting.
type ClientLine struct {
	RelationshipID uuid.UUID
	Client         string
	Paid           bool
	Pseudonym      string
}

// Build computes a person's record, as of now.
func (s *Service) Build(ctx context.Context, orgID, userID uuid.UUID) (*Book, error) {
	in := Input{Members: map[uuid.UUID][]Member{},
		Clients: map[uuid.UUID]Client{}, Consents: map[uuid.UUID]map[uuid.UUID]Consent{}}
	var err error
	if in.Sessions, err = s.Store.Led(ctx, orgID, userID); err != nil {
		return nil, err
	}
	var relIDs []uuid.UUID
	seen := map[uuid.UUID]bool{}
	for _, h := range in.Sessions {
		if !seen[h.RelationshipID] {
			seen[h.RelationshipID] = true
			relIDs = append(relIDs, h.RelationshipID)
		}
	}
	if in.Switches, err = s.Store.Switches(ctx, orgID, relIDs); err != nil {
		return nil, err
	}
	members, err := s.Store.Members(ctx, orgID, relIDs)
	if err != nil {
		return nil, err
	}
	for _, m := range members {
		in.Members[m.RelationshipID] = append(in.Members[m.RelationshipID], m)
	}
	clients, err := s.Store.Clients(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	for _, c := range clients {
		in.Clients[c.RelationshipID] = c
	}
	consents, err := s.Store.Consents(ctx, orgID, relIDs)
	if err != nil {
		return nil, err
	}
	for _, c := range consents {
		if in.Consents[c.RelationshipID] == nil {
			in.Consents[c.RelationshipID] = map[uuid.UUID]Consent{}
		}
		in.Consents[c.RelationshipID][c.MemberID] = c
	}
	if in.Entries, err = s.Store.Entries(ctx, orgID, userID); err != nil {
		return nil, err
	}
	b := &Book{Generated: s.Clock.Now()}
	b.Coaching, b.Mentoring = BuildLogs(in)
	seen = map[uuid.UUID]bool{}
	for _, l := range []*Log{b.Coaching, b.Mentoring} {
		for _, r := range l.Rows {
			if r.RelationshipID == nil || seen[*r.RelationshipID] {
				continue
			}
			seen[*r.RelationshipID] = true
			set, ok := in.Clients[*r.RelationshipID]
			b.Clients = append(b.Clients, ClientLine{RelationshipID: *r.RelationshipID, Client: r.Client, Paid: !ok || set.Paid, Pseudonym: set.Pseudonym})
		}
	}
	records, err := s.Store.Records(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	attended, err := s.Store.SupervisionAttended(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	var ids []uuid.UUID
	for _, r := range records {
		if r.SupervisorID != nil {
			ids = append(ids, *r.SupervisorID)
		}
	}
	for _, h := range attended {
		ids = append(ids, h.PractitionerID)
	}
	names, err := s.Store.Names(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	b.Supervision = SupervisionLog(records, attended, names)
	if b.Settings, err = s.Store.Settings(ctx, orgID, userID); err != nil {
		return nil, err
	}
	b.Ratio = ComputeRatio(b.Settings, b.Supervision, b.Coaching.Totals.Minutes+b.Mentoring.Totals.Minutes, b.Generated)
	if b.Supervisions, err = s.Store.Supervisions(ctx, orgID, userID); err != nil {
		return nil, err
	}
	return b, nil
}

// ErrNotYours is returned when a person acts on a relationship from a
// side they are not on (the handlers answer 403).
var ErrNotYours = errors.New("hours: not your client or practitioner")

// onSide checks that the relationship exists in the organisation
// (db.ErrNotFound otherwise) and that the person is on side of it.
func (s *Service) onSide(ctx context.Context, orgID, relID, userID uuid.UUID, side string) (*relationships.Relationship, error) {
	rel, err := s.Rels.Get(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	got, err := s.Rels.Side(ctx, orgID, relID, userID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && got != side) {
		return nil, fmt.Errorf("hours: %s in %s: %w", userID, relID, ErrNotYours)
	}
	return rel, err
}

// SetClient saves a practitioner's setting for one of their clients.
func (s *Service) SetClient(ctx context.Context, orgID, practitionerID, relID uuid.UUID, paid bool, pseudonym string) error {
	if _, err := s.onSide(ctx, orgID, relID, practitionerID, relationships.SidePractitioner); err != nil {
		return err
	}
	return s.Store.SaveClient(ctx, &Client{OrgID: orgID, PractitionerID: practitionerID, RelationshipID: relID, Paid: paid,
		Pseudonym: pseudonym, UpdatedAt: s.Clock.Now()})
}

// ConsentFor loads a member's consent in a relationship they are the
// member of.
func (s *Service) ConsentFor(ctx context.Context, orgID, memberID, relID uuid.UUID) (*relationships.Relationship, Consent, error) {
	rel, err := s.onSide(ctx, orgID, relID, memberID, relationships.SideMember)
	if err != nil {
		return nil, Consent{}, err
	}
	c, err := s.Store.ConsentOf(ctx, orgID, relID, memberID)
	return rel, c, err
}

// SetConsent saves a member's consent.
func (s *Service) SetConsent(ctx context.Context, orgID, memberID, relID uuid.UUID, named, contact bool) error {
	if _, err := s.onSide(ctx, orgID, relID, memberID, relationships.SideMember); err != nil {
		return err
	}
	return s.Store.SaveConsent(ctx, &Consent{OrgID: orgID, RelationshipID: relID, MemberID: memberID, Named: named, Contact: contact,
		UpdatedAt: s.Clock.Now()})
}

// RecordFromSession records supervision from a completed supervision
// session the person attended: its supervisor, format, length and time
// come from the session; themes and link from the person.
func (s *Service) RecordFromSession(ctx context.Context, orgID, userID, sessionID uuid.UUID, themes, link string) (*Record, error) {
	attended, err := s.Store.SupervisionAttended(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	for _, h := range attended {
		if h.ID != sessionID {
			continue
		}
		it := SupervisionLog(nil, []Held{h}, nil)[0]
		r := it.Record
		r.ID, r.OrgID, r.SuperviseeID, r.Themes, r.Link, r.CreatedAt = uuid.Must(uuid.NewV7()), orgID, userID, themes, link, s.Clock.Now()
		if err := s.Store.AddRecord(ctx, &r); err != nil {
			return nil, err
		}
		return &r, nil
	}
	return nil, fmt.Errorf("hours: session %s is no supervision %s attended: %w", sessionID, userID, db.ErrNotFound)
}
