package relationships

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds the relationships' SQL.
type Store struct {
	DB *db.DB
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
			return nil, fmt.Errorf("relationships: add participants: %w", db.Classify(err))
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

// Get loads one relationship of an organisation.
func (s *Store) Get(ctx context.Context, orgID, id uuid.UUID) (*Relationship, error) {
	r := new(Relationship)
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: get %s: %w", id, db.Classify(err))
	}
	return r, nil
}

// GetTx loads one relationship in the caller's tenant transaction.
func GetTx(ctx context.Context, tx bun.IDB, orgID, id uuid.UUID) (*Relationship, error) {
	r := new(Relationship)
	if err := tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("relationships: get %s: %w", id, db.Classify(err))
	}
	return r, nil
}

// Participants lists the current participants of a relationship.
func (s *Store) Participants(ctx context.Context, orgID, relationshipID uuid.UUID) ([]Participant, error) {
	var out []Participant
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = ParticipantsTx(ctx, tx, orgID, relationshipID)
		return err
	})
	return out, err
}

// ParticipantsTx is Participants inside the caller's tenant transaction.
func ParticipantsTx(ctx context.Context, tx bun.IDB, orgID, relationshipID uuid.UUID) ([]Participant, error) {
	var out []Participant
	err := tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ? AND left_at IS NULL", orgID, relationshipID).
		OrderExpr("side DESC, joined_at").Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("relationships: participants of %s: %w", relationshipID, err)
	}
	return out, nil
}

// Side returns the side a person takes in a relationship, or
// db.ErrNotFound when they take no part in it.
func (s *Store) Side(ctx context.Context, orgID, relationshipID, userID uuid.UUID) (string, error) {
	p := new(Participant)
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(p).
			Where("org_id = ? AND relationship_id = ? AND user_id = ? AND left_at IS NULL", orgID, relationshipID, userID).Scan(ctx)
	})
	if err != nil {
		return "", fmt.Errorf("relationships: side of %s in %s: %w", userID, relationshipID, db.Classify(err))
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
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(a).Where("org_id = ? AND relationship_id = ?", orgID, relationshipID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: agreement of %s: %w", relationshipID, db.Classify(err))
	}
	return a, nil
}
