package matching

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of matching's SQL: proposals and rematch requests. Each
// method runs in a tenant transaction of its own, or, on the store WithTx
// returns, in the caller's transaction; driver errors are mapped in one
// place (in), so "no row" is always db.ErrNotFound.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

// in runs fn in the caller's transaction, or else in a transaction of
// the organisation, and says what was being done when it fails.
func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error, format string, args ...any) error {
	if err := db.In(ctx, s.DB, s.tx, orgID, fn); err != nil {
		return fmt.Errorf("matching: "+format+": %w", append(args, err)...)
	}
	return nil
}

// Proposal loads one proposal.
func (s *Store) Proposal(ctx context.Context, orgID, id uuid.UUID) (*Proposal, error) {
	p := new(Proposal)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	}, "proposal %s", id)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// LockProposal loads a proposal for change, locked until the end of the
// transaction (db.ForUpdate).
func (s *Store) LockProposal(ctx context.Context, orgID, id uuid.UUID) (*Proposal, error) {
	p := new(Proposal)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model(p).Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx)
	}, "lock proposal %s", id)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Proposals lists a request's proposals, in the order they were made.
func (s *Store) Proposals(ctx context.Context, orgID, requestID uuid.UUID) ([]Proposal, error) {
	var out []Proposal
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND request_id = ?", orgID, requestID).OrderExpr("rank").Scan(ctx)
	}, "proposals of %s", requestID)
	return out, err
}

// CountProposals counts a request's proposals.
func (s *Store) CountProposals(ctx context.Context, orgID, requestID uuid.UUID) (int, error) {
	var n int64
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		n, err = q.NewSelect().Model((*Proposal)(nil)).Where("org_id = ? AND request_id = ?", orgID, requestID).Count(ctx)
		return err
	}, "count proposals of %s", requestID)
	return int(n), err
}

// PendingProposalsFor lists a practitioner's proposals waiting for an
// answer, the soonest to expire first.
func (s *Store) PendingProposalsFor(ctx context.Context, orgID, practitionerID uuid.UUID) ([]Proposal, error) {
	var out []Proposal
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ? AND status = ?", orgID, practitionerID, ProposalPending).
			OrderExpr("expires_at").Scan(ctx)
	}, "proposals for %s", practitionerID)
	return out, err
}

// ProposalOfRelationship finds the accepted proposal a relationship came
// from; a relationship made otherwise is db.ErrNotFound.
func (s *Store) ProposalOfRelationship(ctx context.Context, orgID, relID uuid.UUID) (*Proposal, error) {
	p := new(Proposal)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(p).Where("org_id = ? AND relationship_id = ?", orgID, relID).Limit(1).Scan(ctx)
	}, "proposal of relationship %s", relID)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// InsertProposal records a proposal.
func (s *Store) InsertProposal(ctx context.Context, p *Proposal) error {
	return s.in(ctx, p.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(p).Exec(ctx)
		return err
	}, "record proposal")
}

// AnswerProposal saves a proposal's answer: its status, when, why, and
// the relationship it led to.
func (s *Store) AnswerProposal(ctx context.Context, p *Proposal) error {
	return s.in(ctx, p.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model(p).Column("status", "answered_at", "reason", "relationship_id").
			Where("org_id = ? AND id = ?", p.OrgID, p.ID).Exec(ctx)
		return err
	}, "answer proposal %s", p.ID)
}

// InsertRematch records a rematch request.
func (s *Store) InsertRematch(ctx context.Context, r *Rematch) error {
	return s.in(ctx, r.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(r).Exec(ctx)
		return err
	}, "record rematch")
}

// Rematch loads one rematch request.
func (s *Store) Rematch(ctx context.Context, orgID, id uuid.UUID) (*Rematch, error) {
	r := new(Rematch)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	}, "rematch %s", id)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// LockRematch loads a rematch request for change, locked until the end
// of the transaction (db.ForUpdate).
func (s *Store) LockRematch(ctx context.Context, orgID, id uuid.UUID) (*Rematch, error) {
	r := new(Rematch)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx)
	}, "lock rematch %s", id)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// OpenRematches lists open rematch requests, newest first.
func (s *Store) OpenRematches(ctx context.Context, orgID uuid.UUID) ([]Rematch, error) {
	var out []Rematch
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND status = ?", orgID, RematchOpen).OrderExpr("created_at DESC").Scan(ctx)
	}, "rematches")
	return out, err
}

// HandleRematch saves how a rematch request was handled.
func (s *Store) HandleRematch(ctx context.Context, r *Rematch) error {
	return s.in(ctx, r.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewUpdate().Model(r).Column("status", "handled_by", "handled_at", "handled_note", "request_id").
			Where("org_id = ? AND id = ?", r.OrgID, r.ID).Exec(ctx)
		return err
	}, "handle rematch %s", r.ID)
}
