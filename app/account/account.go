// Package account gives a person their own data: a download of
// everything the product holds about them, and the deletion of their
// account. Each domain describes its part in a personaldata.Spec,
// registered in app/services.go.
package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/personaldata"
)

// Eraser removes or anonymises what a domain's Spec cannot say in SQL
// alone (tenancy: the last-owner rule, the audit record of the deletion,
// the memberships), in the deletion's transaction, after every domain's
// erasure steps. An error (such as a rule refusing) rolls the whole
// deletion back. The transaction sees the person's own rows (db.AsUser);
// an eraser that touches tenant-owned tables scopes itself to each
// organisation.
type Eraser interface {
	EraseUser(ctx context.Context, tx bun.Tx, userID uuid.UUID) error
}

// Recorder writes an event in the audit log of each of the person's
// organisations.
type Recorder interface {
	RecordEverywhere(ctx context.Context, userID uuid.UUID, action, ip string)
}

// Service runs exports and deletions.
type Service struct {
	DB    *db.DB
	Clock clock.Clock
	// Domains are every domain's part of personal data (app/services.go).
	Domains []personaldata.Domain
	// Orgs lists the organisations a person belongs to (any status).
	Orgs func(ctx context.Context, userID uuid.UUID) ([]uuid.UUID, error)
	// Erasers run after the domains' erasure steps; the tenancy one,
	// which removes the memberships, is registered last.
	Erasers []Eraser
	Audit   Recorder
}

// Export is the whole download.
type Export struct {
	ExportedAt time.Time
	Parts      []personaldata.Part
}

// Export gathers a person's data from every domain.
func (s *Service) Export(ctx context.Context, userID uuid.UUID) (*Export, error) {
	orgs, err := s.Orgs(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("account: export: %w", err)
	}
	parts, err := personaldata.Export(ctx, s.DB, personaldata.Person{ID: userID, Orgs: orgs, Now: s.Clock.Now()}, s.Domains)
	if err != nil {
		return nil, fmt.Errorf("account: export: %w", err)
	}
	return &Export{ExportedAt: s.Clock.Now(), Parts: parts}, nil
}

// ErrWrongPassword refuses a deletion that was not confirmed with the
// person's password.
var ErrWrongPassword = errors.New("account: wrong password")

// Delete checks the password and deletes the account: every eraser runs,
// then the account itself is anonymised, in one transaction.
func (s *Service) Delete(ctx context.Context, userID uuid.UUID, password string) error {
	u, err := auth.UserByID(ctx, s.DB, userID)
	if err != nil {
		return err
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrongPassword
	}
	orgs, err := s.Orgs(ctx, userID)
	if err != nil {
		return fmt.Errorf("account: delete %s: %w", userID, err)
	}
	who := personaldata.Person{ID: userID, Orgs: orgs, Now: s.Clock.Now()}
	err = s.DB.AsUser(ctx, userID, func(ctx context.Context, tx bun.Tx) error {
		if err := personaldata.Erase(ctx, tx, s.DB.Engine, who, s.Domains); err != nil {
			return err
		}
		for _, e := range s.Erasers {
			if err := e.EraseUser(ctx, tx, userID); err != nil {
				return err
			}
		}
		return auth.Anonymise(ctx, tx, s.Clock.Now(), userID)
	})
	if err != nil {
		return fmt.Errorf("account: delete %s: %w", userID, err)
	}
	return nil
}
