package relationships

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// DraftAgreement is the draft agreement of a new relationship, from the
// rhythm of its kind: coaching meets at regular intervals, supervision
// periodically, mentoring when needed within agreed bounds.
func DraftAgreement(kind Kind) *Agreement {
	a := &Agreement{CadenceDays: 14, SessionMinutes: 60,
		Confidentiality: "What we discuss stays between us, unless someone is at risk of harm."}
	switch kind {
	case Mentoring:
		a.Purpose, a.CadenceDays = "Share experience and guidance as needed, within the bounds we agree.", 28
	case Coaching:
		a.Purpose = "Help you find your own answers and act on them."
	case Supervision:
		a.Purpose, a.CadenceDays, a.SessionMinutes = "Reflect on your practice, case by case.", 42, 90
	}
	return a
}

// FullError says that a practitioner has no free place for another
// relationship.
type FullError struct {
	UserID           uuid.UUID
	Active, Capacity int
}

func (e *FullError) Error() string {
	return fmt.Sprintf("relationships: %s has no free places (%d of %d taken)", e.UserID, e.Active, e.Capacity)
}

// Errors of group membership.
var (
	ErrNotGroup       = errors.New("relationships: not a group relationship")
	ErrAlreadyIn      = fmt.Errorf("relationships: already takes part: %w", db.ErrConflict)
	ErrNotMember      = fmt.Errorf("relationships: not a current member: %w", db.ErrNotFound)
	ErrLastMember     = fmt.Errorf("relationships: the group's last member: %w", db.ErrConflict)
	ErrClosed         = fmt.Errorf("relationships: completed or ended: %w", db.ErrConflict)
	ErrNoPractitioner = errors.New("relationships: a practitioner has no profile")
)

// NoProfileError names a practitioner who has no profile (and so no
// capacity) yet.
type NoProfileError struct{ UserID uuid.UUID }

func (e *NoProfileError) Error() string {
	return fmt.Sprintf("relationships: %s has no practitioner profile", e.UserID)
}

func (e *NoProfileError) Unwrap() error { return ErrNoPractitioner }

// CreateGroup records a group relationship, active at once, with its
// practitioners, members and draft agreement. Each practitioner's profile
// is locked (in a fixed order, so that two creations cannot deadlock) and
// the group counts once against their capacity.
func (s *Store) CreateGroup(ctx context.Context, orgID uuid.UUID, now time.Time, n New) (*Relationship, error) {
	n.Format, n.Status = Group, StatusActive
	var r *Relationship
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		ids := slices.Clone(n.Practitioners)
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		for _, id := range ids {
			p, err := LockProfileTx(ctx, tx, orgID, id)
			if errors.Is(err, db.ErrNotFound) {
				return &NoProfileError{UserID: id}
			}
			if err != nil {
				return err
			}
			active, err := ActiveCountTx(ctx, tx, orgID, id)
			if err != nil {
				return err
			}
			if active >= p.Capacity {
				return &FullError{UserID: id, Active: active, Capacity: p.Capacity}
			}
		}
		var err error
		r, err = Create(ctx, tx, orgID, now, n)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: create group: %w", err)
	}
	return r, nil
}

// lockGroupTx loads a group relationship that people may still join or
// leave, locking it on Postgres so that membership changes go one at a time.
func lockGroupTx(ctx context.Context, tx bun.IDB, orgID, relID uuid.UUID) (*Relationship, error) {
	r := new(Relationship)
	q := db.ForUpdate(tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, relID))
	if err := q.Scan(ctx); err != nil {
		return nil, db.Classify(err)
	}
	if r.Format != Group {
		return nil, ErrNotGroup
	}
	if r.Status == StatusCompleted || r.Status == StatusEnded {
		return nil, ErrClosed
	}
	return r, nil
}

// AddMember adds a person to a group relationship as a member.
func (s *Store) AddMember(ctx context.Context, orgID, relID, userID uuid.UUID, now time.Time) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockGroupTx(ctx, tx, orgID, relID); err != nil {
			return err
		}
		n, err := tx.NewSelect().Model((*Participant)(nil)).
			Where("org_id = ? AND relationship_id = ? AND user_id = ? AND left_at IS NULL", orgID, relID, userID).Count(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			return ErrAlreadyIn
		}
		p := &Participant{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: relID, UserID: userID, Side: SideMember, JoinedAt: now}
		_, err = tx.NewInsert().Model(p).Exec(ctx)
		return db.Classify(err)
	})
	if err != nil {
		return fmt.Errorf("relationships: add %s to %s: %w", userID, relID, err)
	}
	return nil
}

// RemoveMember records that a member left a group relationship (the row
// stays, with left_at, as history). A coordinator may not remove the
// last member (end the relationship instead); a member leaving by
// themselves (self) always may.
func (s *Store) RemoveMember(ctx context.Context, orgID, relID, userID uuid.UUID, now time.Time, self bool) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := lockGroupTx(ctx, tx, orgID, relID); err != nil {
			return err
		}
		ps, err := ParticipantsTx(ctx, tx, orgID, relID)
		if err != nil {
			return err
		}
		members, found := 0, false
		for _, p := range ps {
			if p.Side == SideMember {
				members++
				found = found || p.UserID == userID
			}
		}
		if !found {
			return ErrNotMember
		}
		if members == 1 && !self {
			return ErrLastMember
		}
		_, err = tx.NewUpdate().Model((*Participant)(nil)).Set("left_at = ?", now).
			Where("org_id = ? AND relationship_id = ? AND user_id = ? AND left_at IS NULL", orgID, relID, userID).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: remove %s from %s: %w", userID, relID, err)
	}
	return nil
}

// ParticipantHistory lists everyone who ever took part in a relationship,
// those who left included, in the order they joined.
func (s *Store) ParticipantHistory(ctx context.Context, orgID, relID uuid.UUID) ([]Participant, error) {
	var out []Participant
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relID).OrderExpr("joined_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: participant history of %s: %w", relID, err)
	}
	return out, nil
}
