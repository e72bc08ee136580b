package relationships

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/uptrace/bun"
)

// The SQL of a relationship's life: its status changes, its agreement
// and its mode switches.

// ChangeStatus applies an action (pause, resume, complete, end) by one of
// the participants and records who did it and why. privateFeedback is
// kept for coordinators alone.
func (s *Store) ChangeStatus(ctx context.Context, orgID, relID, by uuid.UUID, now time.Time, action, why, privateFeedback string) (*StatusChange, error) {
	t, ok := transitions[action]
	if !ok {
		return nil, ErrNotNow
	}
	var sc *StatusChange
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		r := new(Relationship)
		q := db.ForUpdate(tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, relID))
		if err := q.Scan(ctx); err != nil {
			return err
		}
		allowed := false
		for _, f := range t.from {
			allowed = allowed || f == r.Status
		}
		if !allowed {
			return ErrNotNow
		}
		sc = &StatusChange{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: relID, ChangedBy: by,
			FromStatus: r.Status, ToStatus: t.to, Why: why, PrivateFeedback: privateFeedback, At: now}
		if _, err := tx.NewInsert().Model(sc).Exec(ctx); err != nil {
			return err
		}
		r.Status, r.UpdatedAt = t.to, now
		if t.to == StatusCompleted || t.to == StatusEnded {
			r.EndedAt = &now
		}
		if t.to == StatusActive && r.StartedAt == nil {
			r.StartedAt = &now
		}
		_, err := tx.NewUpdate().Model(r).Column("status", "updated_at", "ended_at", "started_at").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: %s %s: %w", action, relID, err)
	}
	return sc, nil
}

// StatusChanges lists a relationship's history of status changes.
func (s *Store) StatusChanges(ctx context.Context, orgID, relID uuid.UUID) ([]StatusChange, error) {
	var out []StatusChange
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relID).OrderExpr("at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: status changes of %s: %w", relID, err)
	}
	return out, nil
}

// EditAgreement changes the agreed bounds; any change needs both sides to
// accept again.
func (s *Store) EditAgreement(ctx context.Context, orgID, relID uuid.UUID, now time.Time, in Agreement) (*Agreement, error) {
	var a *Agreement
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if a, err = s.WithTx(tx).AgreementFor(ctx, orgID, relID); err != nil {
			if !errors.Is(err, db.ErrNotFound) {
				return err
			}
			a = new(Agreement)
			a.ID, a.OrgID, a.RelationshipID, a.CreatedAt = uuid.Must(uuid.NewV7()), orgID, relID, now
			a.UpdatedAt = now
			if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
				return err
			}
		}
		a.Purpose, a.CadenceDays, a.SessionMinutes, a.EndDate = in.Purpose, in.CadenceDays, in.SessionMinutes, in.EndDate
		a.ReviewDate = in.ReviewDate
		a.Place, a.Confidentiality, a.UpdatedAt = in.Place, in.Confidentiality, now
		a.PractitionerAcceptedAt, a.MemberAcceptedAt = nil, nil
		_, err = tx.NewUpdate().Model(a).WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: edit agreement of %s: %w", relID, err)
	}
	return a, nil
}

// AcceptAgreement records one side's acceptance of the agreement as it
// stands at version updatedAt (an agreement edited in the meantime is a
// conflict: the person accepted something else).
func (s *Store) AcceptAgreement(ctx context.Context, orgID, relID uuid.UUID, side string, now time.Time, seen time.Time) error {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		a := new(Agreement)
		if err := tx.NewSelect().Model(a).Where("org_id = ? AND relationship_id = ?", orgID, relID).Scan(ctx); err != nil {
			return err
		}
		if !seen.IsZero() && !a.UpdatedAt.Equal(seen) {
			return db.ErrConflict
		}
		col := "member_accepted_at"
		if side == SidePractitioner {
			col = "practitioner_accepted_at"
		}
		_, err := tx.NewUpdate().Model(a).Set("? = ?", bun.Ident(col), now).WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: accept agreement of %s: %w", relID, err)
	}
	return nil
}

// SwitchMode records a change of mode (coaching to mentoring and back) of
// the relationship from now on; it lasts until the next switch.
func (s *Store) SwitchMode(ctx context.Context, orgID, relID, by uuid.UUID, sessionID *uuid.UUID, now time.Time, to Kind, why string) (*ModeSwitch, error) {
	return s.recordSwitch(ctx, orgID, &ModeSwitch{RelationshipID: relID, SessionID: sessionID, ToKind: to, Why: why, SwitchedBy: by, At: now, Kept: true})
}

// InSession is where in a session a switch was made: its moment (At,
// between the session's start and end), the session's end, and whether
// the practitioner keeps the mode after the session.
type InSession struct {
	SessionID uuid.UUID
	At, Ends  time.Time
	Keep      bool
}

// SwitchModeInSession records a switch made during a session. Unless it
// is kept it reverts when the session ends (ModeAt).
func (s *Store) SwitchModeInSession(ctx context.Context, orgID, relID, by uuid.UUID, in InSession, to Kind, why string) (*ModeSwitch, error) {
	m := &ModeSwitch{RelationshipID: relID, SessionID: &in.SessionID, ToKind: to, Why: why, SwitchedBy: by, At: in.At, Kept: in.Keep}
	if !in.Keep {
		ends := in.Ends
		m.RevertsAt = &ends
	}
	return s.recordSwitch(ctx, orgID, m)
}

// recordSwitch fills in m's id, organisation and the mode it switches
// from (the mode at its moment), and stores it.
func (s *Store) recordSwitch(ctx context.Context, orgID uuid.UUID, m *ModeSwitch) (*ModeSwitch, error) {
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		r := new(Relationship)
		if err := tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, m.RelationshipID).Scan(ctx); err != nil {
			return err
		}
		var prev []ModeSwitch
		if err := tx.NewSelect().Model(&prev).Where("org_id = ? AND relationship_id = ?", orgID, m.RelationshipID).OrderExpr("at, id").Scan(ctx); err != nil {
			return err
		}
		from := ModeAt(r.Kind, prev, m.At)
		if from == m.ToKind {
			return ErrNotNow
		}
		m.ID, m.OrgID, m.FromKind = uuid.Must(uuid.NewV7()), orgID, from
		_, err := tx.NewInsert().Model(m).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: switch mode of %s: %w", m.RelationshipID, err)
	}
	return m, nil
}

// ModeSwitches lists a relationship's mode switches, oldest first.
func (s *Store) ModeSwitches(ctx context.Context, orgID, relID uuid.UUID) ([]ModeSwitch, error) {
	var out []ModeSwitch
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND relationship_id = ?", orgID, relID).OrderExpr("at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: mode switches of %s: %w", relID, err)
	}
	return out, nil
}

// List lists an organisation's relationships, optionally of one status.
func (s *Store) List(ctx context.Context, orgID uuid.UUID, status Status) ([]Relationship, error) {
	var out []Relationship
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if status != "" {
			q = q.Where("status = ?", status)
		}
		return q.OrderExpr("created_at DESC").Limit(500).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: list: %w", err)
	}
	return out, nil
}
