package app

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The library reads other domains through these adapters; each asks the
// owning package through its exported methods.

// libraryRelationships answers who takes part in which relationship.
type libraryRelationships struct {
	rels    *relationships.Store
	tenancy *tenancy.Store
}

// Side: db.ErrNotFound when the organisation has no such relationship,
// "" when the person takes no part in it.
func (l libraryRelationships) Side(ctx context.Context, orgID, relID, userID uuid.UUID) (string, error) {
	if _, err := l.rels.Get(ctx, orgID, relID); err != nil {
		return "", err
	}
	side, err := l.rels.Side(ctx, orgID, relID, userID)
	if errors.Is(err, db.ErrNotFound) {
		return "", nil
	}
	return side, err
}

// Led lists the active relationships the person supports, named by the
// people on the other side.
func (l libraryRelationships) Led(ctx context.Context, orgID, userID uuid.UUID) ([]library.RelationshipRef, error) {
	rs, err := l.rels.ForUser(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	type led struct {
		rel    relationships.Relationship
		others []uuid.UUID
	}
	var leds []led
	var ids []uuid.UUID
	for _, r := range rs {
		if r.Status != relationships.StatusActive {
			continue
		}
		ps, err := l.rels.Participants(ctx, orgID, r.ID)
		if err != nil {
			return nil, err
		}
		leads := false
		var others []uuid.UUID
		for _, p := range ps {
			switch {
			case p.UserID == userID:
				leads = p.Side == relationships.SidePractitioner
			case p.Side == relationships.SideMember:
				others = append(others, p.UserID)
			}
		}
		if leads {
			leds = append(leds, led{r, others})
			ids = append(ids, others...)
		}
	}
	// The names shown, read by id: not the whole roster.
	names, err := l.tenancy.Names(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	var out []library.RelationshipRef
	for _, x := range leds {
		label := x.rel.Title
		if label == "" {
			var who []string
			for _, o := range x.others {
				who = append(who, names[o])
			}
			kind := string(x.rel.Kind)
			label = strings.ToUpper(kind[:1]) + kind[1:] + " with " + strings.Join(who, ", ")
		}
		out = append(out, library.RelationshipRef{ID: x.rel.ID, Label: label})
	}
	return out, nil
}

// libraryNeeds reads the needs assessment and relationship goals.
type libraryNeeds struct {
	assess *assessment.Store
	rels   *relationships.Store
}

func (l libraryNeeds) assessed(ctx context.Context, orgID, userID uuid.UUID, n *library.Needs) error {
	a, err := l.assess.Latest(ctx, orgID, userID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.SubmittedAt == nil {
		return nil
	}
	for _, t := range strings.Split(a.Topics, ",") {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(n.Topics, t) {
			n.Topics = append(n.Topics, t)
		}
	}
	if n.Kind == "" {
		n.Kind = a.RecKind
	}
	return nil
}

func (l libraryNeeds) PersonNeeds(ctx context.Context, orgID, userID uuid.UUID) (library.Needs, error) {
	var n library.Needs
	if err := l.assessed(ctx, orgID, userID, &n); err != nil {
		return n, err
	}
	goals, err := l.rels.GoalsOfMember(ctx, orgID, userID)
	if err != nil {
		return n, err
	}
	for _, g := range goals {
		n.Goals = append(n.Goals, g.Description)
	}
	return n, nil
}

func (l libraryNeeds) RelationshipNeeds(ctx context.Context, orgID, relID uuid.UUID) (library.Needs, error) {
	var n library.Needs
	goals, err := l.rels.Goals(ctx, orgID, relID)
	if err != nil {
		return n, err
	}
	for _, g := range goals {
		n.Goals = append(n.Goals, g.Description)
	}
	ps, err := l.rels.Participants(ctx, orgID, relID)
	if err != nil {
		return n, err
	}
	for _, p := range ps {
		if p.Side == relationships.SideMember {
			if err := l.assessed(ctx, orgID, p.UserID, &n); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// librarySessions tells the agenda page about a calendar session.
type librarySessions struct{ calendar *calendar.Service }

func (l librarySessions) SessionFor(ctx context.Context, orgID, sessionID, userID uuid.UUID) (library.SessionRef, error) {
	sv, err := l.calendar.SessionDetail(ctx, orgID, sessionID)
	if err != nil {
		return library.SessionRef{}, err
	}
	side, err := l.calendar.Participates(ctx, sv, userID)
	if err != nil {
		return library.SessionRef{}, err
	}
	if side == "" {
		return library.SessionRef{}, db.ErrNotFound
	}
	return library.SessionRef{ID: sv.ID, Title: sv.Title, StartsAt: sv.StartsAt, Leads: side == relationships.SidePractitioner}, nil
}

// libraryGoals creates a goal for a relationship's member.
type libraryGoals struct {
	rels  *relationships.Store
	clock clock.Clock
}

func (l libraryGoals) CreateGoal(ctx context.Context, orgID, relID, ownerID uuid.UUID, description, measure, target string) error {
	side, err := l.rels.Side(ctx, orgID, relID, ownerID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if side != relationships.SideMember {
		return web.ErrForbidden
	}
	return l.rels.CreateGoal(ctx, orgID, l.clock.Now(), &relationships.Goal{RelationshipID: relID, OwnerID: ownerID,
		Description: description, SuccessMeasure: measure, TargetDate: target})
}
