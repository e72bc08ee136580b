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

// Store holds all of the relationships' SQL, split by table: this file
// (relationships, participants, groups), store_agreements.go (status
// changes, agreements, mode switches), store_goals.go, store_notes.go and
// store_profiles.go. A method runs in a tenant transaction of its own, or,
// on the store WithTx returns, in the caller's transaction; driver errors
// are mapped in one place (in), so "no row" is always db.ErrNotFound.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx, which must be scoped to
// the organisation the methods are given.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

// in runs fn in the caller's transaction, or else in a transaction of
// the organisation, and says what was being done when it fails.
func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error, format string, args ...any) error {
	if err := db.In(ctx, s.DB, s.tx, orgID, fn); err != nil {
		return fmt.Errorf("relationships: "+format+": %w", append(args, err)...)
	}
	return nil
}

// Get loads one relationship of an organisation.
func (s *Store) Get(ctx context.Context, orgID, id uuid.UUID) (*Relationship, error) {
	r := new(Relationship)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	}, "get %s", id)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Lock loads one relationship and, on PostgreSQL, holds a share lock on
// it until the transaction ends: its status and participants (changed
// under FOR UPDATE of this row) stay as read while the caller writes what
// depends on them. Use it on the store WithTx returns.
func (s *Store) Lock(ctx context.Context, orgID, id uuid.UUID) (*Relationship, error) {
	r := new(Relationship)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return db.ForShare(q.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id)).Scan(ctx)
	}, "lock %s", id)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Participants lists the current participants of a relationship.
func (s *Store) Participants(ctx context.Context, orgID, relationshipID uuid.UUID) ([]Participant, error) {
	var out []Participant
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ? AND left_at IS NULL", orgID, relationshipID).
			OrderExpr("side DESC, joined_at").Scan(ctx)
	}, "participants of %s", relationshipID)
	return out, err
}

// New describes a relationship to create.
type New struct {
	Kind          Kind
	Format        Format
	Status        Status
	Title         string
	Practitioners []uuid.UUID
	Members       []uuid.UUID
	// Agreement, if set, is recorded with the relationship.
	Agreement *Agreement
}

// Create records a relationship with its participants (and agreement) in
// tx, which must be scoped to orgID.
func Create(ctx context.Context, tx bun.IDB, orgID uuid.UUID, now time.Time, n New) (*Relationship, error) {
	r := &Relationship{
		ID: uuid.Must(uuid.NewV7()), OrgID: orgID, Kind: n.Kind, Format: n.Format, Status: n.Status, Title: n.Title,
		CreatedAt: now, UpdatedAt: now,
	}
	if r.Status == StatusActive {
		r.StartedAt = &now
	}
	if _, err := tx.NewInsert().Model(r).Exec(ctx); err != nil {
		return nil, fmt.Errorf("relationships: create: %w", err)
	}
	var ps []Participant
	for _, id := range n.Practitioners {
		ps = append(ps, Participant{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: r.ID, UserID: id, Side: SidePractitioner, JoinedAt: now})
	}
	for _, id := range n.Members {
		ps = append(ps, Participant{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: r.ID, UserID: id, Side: SideMember, JoinedAt: now})
	}
	if len(ps) > 0 {
		if _, err := tx.NewInsert().Model(&ps).Exec(ctx); err != nil {
			return nil, db.Wrap(err, "relationships", "add participants")
		}
	}
	if a := n.Agreement; a != nil {
		a.ID, a.OrgID, a.RelationshipID, a.CreatedAt, a.UpdatedAt = uuid.Must(uuid.NewV7()), orgID, r.ID, now, now
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return nil, fmt.Errorf("relationships: record agreement: %w", err)
		}
	}
	return r, nil
}

// Side returns the side a person takes in a relationship, or
// db.ErrNotFound when they take no part in it.
func (s *Store) Side(ctx context.Context, orgID, relationshipID, userID uuid.UUID) (string, error) {
	p := new(Participant)
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(p).
			Where("org_id = ? AND relationship_id = ? AND user_id = ? AND left_at IS NULL", orgID, relationshipID, userID).Scan(ctx)
	})
	if err != nil {
		return "", fmt.Errorf("relationships: side of %s in %s: %w", userID, relationshipID, err)
	}
	return p.Side, nil
}

// ForUser lists the relationships a person takes part in.
func (s *Store) ForUser(ctx context.Context, orgID, userID uuid.UUID) ([]Relationship, error) {
	var out []Relationship
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		// bun aliases the model's table as "relationship".
		return tx.NewSelect().Model(&out).
			Where("relationship.org_id = ?", orgID).
			Where("EXISTS (SELECT 1 FROM relationship_participants AS p WHERE p.org_id = relationship.org_id AND p.relationship_id = relationship.id AND p.user_id = ? AND p.left_at IS NULL)", userID).
			OrderExpr("relationship.created_at DESC").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: of %s: %w", userID, err)
	}
	return out, nil
}

// AgreementFor loads the agreement of a relationship.
func (s *Store) AgreementFor(ctx context.Context, orgID, relationshipID uuid.UUID) (*Agreement, error) {
	a := new(Agreement)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(a).Where("org_id = ? AND relationship_id = ?", orgID, relationshipID).Scan(ctx)
	}, "agreement of %s", relationshipID)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// CreateGroup records a group relationship, active at once, with its
// practitioners, members and draft agreement. Each practitioner's profile
// is locked (in a fixed order, so that two creations cannot deadlock) and
// the group counts once against their capacity.
func (s *Store) CreateGroup(ctx context.Context, orgID uuid.UUID, now time.Time, n New) (*Relationship, error) {
	n.Format, n.Status = Group, StatusActive
	var r *Relationship
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		ids := slices.Clone(n.Practitioners)
		slices.SortFunc(ids, func(a, b uuid.UUID) int { return bytes.Compare(a[:], b[:]) })
		for _, id := range ids {
			p, err := s.WithTx(tx).LockProfile(ctx, orgID, id)
			if errors.Is(err, db.ErrNotFound) {
				return &NoProfileError{UserID: id}
			}
			if err != nil {
				return err
			}
			active, err := s.WithTx(tx).ActiveCount(ctx, orgID, id)
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

// lockGroup loads a group relationship that people may still join or
// leave, locking it on Postgres so that membership changes go one at a
// time. Use it on the store WithTx returns.
func (s *Store) lockGroup(ctx context.Context, orgID, relID uuid.UUID) (*Relationship, error) {
	r := new(Relationship)
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return db.ForUpdate(q.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, relID)).Scan(ctx)
	}, "lock group %s", relID)
	if err != nil {
		return nil, err
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
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := s.WithTx(tx).lockGroup(ctx, orgID, relID); err != nil {
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
		return err
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
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := s.WithTx(tx).lockGroup(ctx, orgID, relID); err != nil {
			return err
		}
		ps, err := s.WithTx(tx).Participants(ctx, orgID, relID)
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
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relID).OrderExpr("joined_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: participant history of %s: %w", relID, err)
	}
	return out, nil
}
