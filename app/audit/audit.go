// Package audit keeps each organisation's audit log: who did what, when,
// from where. Domain code records events in the transaction of the change
// they describe; admins read and filter them.
package audit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Actions recorded. Later features add their own.
const (
	ActionSignIn        = "auth.sign_in"
	ActionSignInFailed  = "auth.sign_in_failed"
	ActionOrgCreated    = "org.created"
	ActionOrgSettings   = "org.settings_changed"
	ActionRoleChanged   = "people.role_changed"
	ActionDeactivated   = "people.deactivated"
	ActionReactivated   = "people.reactivated"
	ActionOwnership     = "people.ownership_transferred"
	ActionLineManager   = "people.line_manager_set"
	ActionInvited       = "invitation.sent"
	ActionInviteResent  = "invitation.resent"
	ActionInviteRevoked = "invitation.revoked"
	ActionInviteAccept  = "invitation.accepted"
	ActionDataExported  = "account.data_exported"
	ActionAccountDelete = "account.deleted"
)

// Actions lists every action, for the audit page's filter.
var Actions = []string{
	ActionSignIn, ActionSignInFailed, ActionOrgCreated, ActionOrgSettings, ActionRoleChanged, ActionLineManager,
	ActionDeactivated, ActionReactivated, ActionOwnership, ActionInvited, ActionInviteResent, ActionInviteRevoked,
	ActionInviteAccept, ActionDataExported, ActionAccountDelete,
}

// Event is one line of the audit log.
type Event struct {
	bun.BaseModel `bun:"table:audit_events"`

	ID      uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID   uuid.UUID  `bun:"org_id,type:uuid"`
	ActorID *uuid.UUID `bun:"actor_id,type:uuid"`
	// Actor is the actor's name and e-mail at the time, so that the log
	// still reads after an account is deleted.
	Actor  string    `bun:"actor"`
	Action string    `bun:"action"`
	Target string    `bun:"target"`
	Detail string    `bun:"detail"`
	IP     string    `bun:"ip"`
	At     time.Time `bun:"at"`
}

// Record adds an event in idb, normally the transaction of the change
// (scoped to the event's organisation).
func Record(ctx context.Context, idb bun.IDB, e Event) error {
	if e.OrgID == uuid.Nil {
		return db.ErrNoTenant
	}
	if e.ID == uuid.Nil {
		e.ID = uuid.Must(uuid.NewV7())
	}
	if _, err := idb.NewInsert().Model(&e).Exec(ctx); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

// Filter narrows the log.
type Filter struct {
	Action string
	// Actor matches part of the actor's name or e-mail.
	Actor string
	From  time.Time
	To    time.Time
	// Before pages backwards from an event id.
	Before uuid.UUID
	Limit  int
}

// Store reads the log.
type Store struct {
	DB *db.DB
}

// List returns an organisation's events, newest first: at most Limit, and
// whether older ones follow. It is one query outside a transaction
// (row-level security holds on the scoped connection), and it pages by
// keyset on (at, id), so that a page costs the same however long the log
// is, and events recorded meanwhile neither repeat nor hide older ones.
func (s *Store) List(ctx context.Context, orgID uuid.UUID, f Filter) (events []Event, more bool, err error) {
	limit := f.Limit
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	var out []Event
	err = s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, idb bun.IDB) error {
		q := idb.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if f.Action != "" {
			q = q.Where("action = ?", f.Action)
		}
		if f.Actor != "" {
			q = q.Where("lower(actor) LIKE ?", "%"+strings.ToLower(f.Actor)+"%")
		}
		if !f.From.IsZero() {
			q = q.Where("at >= ?", f.From)
		}
		if !f.To.IsZero() {
			q = q.Where("at < ?", f.To)
		}
		if f.Before != uuid.Nil {
			// The sort order is (at, id): ids alone need not follow the
			// recorded times. An unknown id pages from nothing.
			q = q.Where("(at, id) < (SELECT b.at, b.id FROM audit_events AS b WHERE b.org_id = ? AND b.id = ?)", orgID, f.Before)
		}
		return q.OrderExpr("at DESC, id DESC").Limit(int64(limit + 1)).Scan(ctx)
	})
	if err != nil {
		return nil, false, fmt.Errorf("audit: list: %w", err)
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}
