package matching

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// OpenRematch opens a rematch request for a relationship (feedback's "not
// a good fit" does).
func (s *Service) OpenRematch(ctx context.Context, orgID, memberID, relationshipID uuid.UUID, reason string) error {
	_, err := s.RequestRematch(ctx, orgID, memberID, &relationshipID, reason)
	return err
}

// RequestRematch records a member's wish to be matched again and tells
// the coordinators; the reason is for them alone.
func (s *Service) RequestRematch(ctx context.Context, orgID, memberID uuid.UUID, relID *uuid.UUID, reason string) (*Rematch, error) {
	pp, err := s.loadPeople(ctx, orgID, memberID)
	if err != nil {
		return nil, err
	}
	r := &Rematch{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, MemberID: memberID, RelationshipID: relID, Reason: reason, Status: "open", CreatedAt: s.Clock.Now()}
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if err := s.store().WithTx(tx).InsertRematch(ctx, r); err != nil {
			return err
		}
		for _, person := range pp.byID {
			if !slices.Contains(tenancy.Staff, person.Role) || person.UserID == memberID {
				continue
			}
			_, err := s.Mail.Queue(ctx, tx, mail.Message{
				OrgID: orgID, To: person.Email, Template: "rematch_requested", DedupeKey: "rematch:" + r.ID.String() + ":" + person.UserID.String(),
				Data: map[string]any{"Name": person.Name, "Member": pp.member.Name, "Org": pp.org.Name,
					"Link": s.BaseURL + "/o/" + pp.org.Slug + "/pipeline"},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("matching: rematch for %s: %w", memberID, err)
	}
	return r, nil
}

// Rematches lists open rematch requests (for coordinators).
func (s *Service) Rematches(ctx context.Context, orgID uuid.UUID) ([]Rematch, error) {
	return s.store().OpenRematches(ctx, orgID)
}

// Errors of handling rematch requests and withdrawing proposals.
var (
	ErrHandled   = fmt.Errorf("matching: the rematch request was handled already: %w", db.ErrConflict)
	ErrNoBasis   = errors.New("matching: the rematch request names no relationship to start from")
	ErrWithdrawn = fmt.Errorf("matching: the proposal was withdrawn: %w", db.ErrConflict)
)

// Rematch loads one rematch request.
func (s *Service) Rematch(ctx context.Context, orgID, id uuid.UUID) (*Rematch, error) {
	return s.store().Rematch(ctx, orgID, id)
}

// lockOpenRematch loads an open rematch request for handling, locked so
// that two coordinators cannot both handle it.
func lockOpenRematch(ctx context.Context, st *Store, orgID, id uuid.UUID) (*Rematch, error) {
	r, err := st.LockRematch(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if r.Status != RematchOpen {
		return nil, ErrHandled
	}
	return r, nil
}

func handleRematch(ctx context.Context, st *Store, r *Rematch, by uuid.UUID, now time.Time, note string, requestID *uuid.UUID) error {
	r.Status, r.HandledBy, r.HandledAt, r.HandledNote, r.RequestID = RematchHandled, &by, &now, note, requestID
	return st.HandleRematch(ctx, r)
}

// CloseRematch closes an open rematch request with the coordinator's note
// (say, after a conversation that settled it).
func (s *Service) CloseRematch(ctx context.Context, orgID, id, by uuid.UUID, note string) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.store().WithTx(tx)
		r, err := lockOpenRematch(ctx, st, orgID, id)
		if err != nil {
			return err
		}
		return handleRematch(ctx, st, r, by, s.Clock.Now(), note, nil)
	})
	if err != nil {
		return fmt.Errorf("matching: close rematch %s: %w", id, err)
	}
	return nil
}

// RequestFromRematch opens a new support request for the member of an
// open rematch request, like the one that led to their relationship (or,
// failing that, of the relationship's kind and format); matching then
// leaves out the relationship's practitioners. The relationship itself
// carries on until someone pauses or ends it.
func (s *Service) RequestFromRematch(ctx context.Context, orgID, id, by uuid.UUID, note string) (*assessment.Request, error) {
	var req *assessment.Request
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		st := s.store().WithTx(tx)
		r, err := lockOpenRematch(ctx, st, orgID, id)
		if err != nil {
			return err
		}
		if r.RelationshipID == nil {
			return ErrNoBasis
		}
		rel, err := s.Rels.WithTx(tx).Get(ctx, orgID, *r.RelationshipID)
		if err != nil {
			return err
		}
		d := assessment.Decision{Kind: string(rel.Kind), Format: string(rel.Format), Duration: assessment.KeyOngoing, Languages: []string{"en"}}
		accepted, err := st.ProposalOfRelationship(ctx, orgID, rel.ID)
		switch {
		case err == nil:
			prev, err := s.Assess.WithTx(tx).Request(ctx, orgID, accepted.RequestID)
			if err != nil {
				return err
			}
			d.Duration, d.Topics, d.Languages = prev.Duration, relationships.SplitList(prev.Topics), relationships.SplitList(prev.Languages)
		case !errors.Is(err, db.ErrNotFound):
			return err
		}
		d.Reason = "Rematch requested by the member."
		if note != "" {
			d.Reason += " " + note
		}
		if req, err = s.Assess.WithTx(tx).OpenRequest(ctx, orgID, r.MemberID, by, now, d, &rel.ID); err != nil {
			return err
		}
		return handleRematch(ctx, st, r, by, now, note, &req.ID)
	})
	if err != nil {
		return nil, fmt.Errorf("matching: request from rematch %s: %w", id, err)
	}
	return req, nil
}
