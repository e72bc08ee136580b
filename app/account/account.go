// Package account gives a person their own data: a download of
// everything the product holds about them, and the deletion of their
// account. Each domain adds its part through the Exporter and Eraser
// interfaces, registered in app/services.go.
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
)

// Exporter contributes one named part of a person's data export.
type Exporter interface {
	ExportUser(ctx context.Context, userID uuid.UUID) (name string, data any, err error)
}

// Eraser removes or anonymises a domain's records of a person whose
// account is being deleted, in the deletion's transaction: private things
// the person authored are deleted, shared records are anonymised. An
// error (such as a rule refusing) rolls the whole deletion back. The
// transaction sees the person's own rows (db.AsUser); an eraser that
// touches tenant-owned tables scopes itself to each organisation.
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
	DB        *db.DB
	Clock     clock.Clock
	Exporters []Exporter
	// Erasers run in order; the tenancy one, which removes the
	// memberships, is registered last.
	Erasers []Eraser
	Audit   Recorder
}

// Export is the whole download.
type Export struct {
	ExportedAt time.Time      `json:"exported_at"`
	Format     string         `json:"format"`
	Parts      map[string]any `json:"data"`
}

// Export gathers a person's data from every domain.
func (s *Service) Export(ctx context.Context, userID uuid.UUID) (*Export, error) {
	out := &Export{ExportedAt: s.Clock.Now(), Format: "leadership-toolbox-export/1", Parts: map[string]any{}}
	for _, e := range s.Exporters {
		name, data, err := e.ExportUser(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("account: export %s: %w", name, err)
		}
		out.Parts[name] = data
	}
	return out, nil
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
	err = s.DB.AsUser(ctx, userID, func(ctx context.Context, tx bun.Tx) error {
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

// AccountExporter exports the account itself.
type AccountExporter struct{ DB *db.DB }

// ExportUser implements Exporter.
func (a AccountExporter) ExportUser(ctx context.Context, userID uuid.UUID) (string, any, error) {
	u, err := auth.UserByID(ctx, a.DB, userID)
	if err != nil {
		return "account", nil, err
	}
	return "account", map[string]any{
		"id": u.ID, "email": u.Email, "name": u.Name, "time_zone": u.TimeZone,
		"verified_at": u.VerifiedAt, "created_at": u.CreatedAt,
	}, nil
}
