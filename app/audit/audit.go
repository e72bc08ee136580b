// Package audit keeps each organisation's audit log: who did what, when,
// from where. Domain code records events in the transaction of the change
// they describe; admins read and filter them.
package audit

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
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
