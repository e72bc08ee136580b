// Package ops is the platform operator's side of the service: operators
// (a platform role apart from every organisation's roles, granted from
// the command line), their audit log, the console at /ops (organisations
// with their totals, suspension, the outbox, failed e-mail, unresolved
// Stripe events), support access to one organisation (explicit, for a
// reason, time-limited, recorded in the organisation's own audit log),
// and the gate in front of the queue console and the profiler.
//
// Operators never see private notes or case material: nothing here reads
// them, and they stay sealed with the notes keys.
package ops

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Operator is a person holding the platform role.
type Operator struct {
	bun.BaseModel `bun:"table:operators"`

	UserID    uuid.UUID `bun:"user_id,pk,type:uuid"`
	GrantedBy string    `bun:"granted_by"`
	GrantedAt time.Time `bun:"granted_at"`
}

// Event is one line of the platform audit log.
type Event struct {
	bun.BaseModel `bun:"table:platform_audit"`

	ID      uuid.UUID  `bun:"id,pk,type:uuid"`
	ActorID *uuid.UUID `bun:"actor_id,type:uuid"`
	Actor   string     `bun:"actor"`
	Action  string     `bun:"action"`
	OrgID   *uuid.UUID `bun:"org_id,type:uuid"`
	Target  string     `bun:"target"`
	Detail  string     `bun:"detail"`
	IP      string     `bun:"ip"`
	At      time.Time  `bun:"at"`
}

// Platform audit actions.
const (
	ActionGranted         = "operator.granted"
	ActionRevoked         = "operator.revoked"
	ActionSuspended       = "org.suspended"
	ActionResumed         = "org.resumed"
	ActionSupportStarted  = "support.started"
	ActionSupportEnded    = "support.ended"
	ActionOutboxRetried   = "outbox.retried"
	ActionQueuesChanged   = "queues.changed"
	ActionProfiled        = "pprof.read"
	ActionConsoleOpened   = "console.opened"
	ActionSupportReadPage = "support.read"
)

// Actions recorded in an organisation's own audit log (its owners read
// them there).
const (
	OrgActionSupportStarted = "support.access_started"
	OrgActionSupportEnded   = "support.access_ended"
	OrgActionSuspended      = "org.suspended"
	OrgActionResumed        = "org.resumed"
)

// OrgActions lists them for the organisation's audit page filter.
var OrgActions = []string{OrgActionSupportStarted, OrgActionSupportEnded, OrgActionSuspended, OrgActionResumed}

// SupportAccess is an operator's time-limited access to read inside one
// organisation.
type SupportAccess struct {
	bun.BaseModel `bun:"table:support_access"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID      uuid.UUID  `bun:"org_id,type:uuid"`
	OperatorID uuid.UUID  `bun:"operator_id,type:uuid"`
	Operator   string     `bun:"operator"`
	Reason     string     `bun:"reason"`
	StartsAt   time.Time  `bun:"starts_at"`
	Until      time.Time  `bun:"until"`
	EndedAt    *time.Time `bun:"ended_at"`
}

// ActiveAt reports whether the access is open at now.
func (a *SupportAccess) ActiveAt(now time.Time) bool {
	return a.EndedAt == nil && now.Before(a.Until)
}

// OrgSummary is an organisation as the console lists it: who owns it,
// when it signed up, and a few totals (counts only: nothing of its
// people's content).
type OrgSummary struct {
	ID                  uuid.UUID  `bun:"id,type:uuid"`
	Slug                string     `bun:"slug"`
	Name                string     `bun:"name"`
	CreatedAt           time.Time  `bun:"created_at"`
	SuspendedAt         *time.Time `bun:"suspended_at"`
	SuspendedReason     string     `bun:"suspended_reason"`
	Owners              string     `bun:"owners"`
	People              int        `bun:"people"`
	ActiveRelationships int        `bun:"active_relationships"`
	SessionsThisMonth   int        `bun:"sessions_this_month"`
	CourseSales         int        `bun:"course_sales"`
	LastActivity        *time.Time `bun:"last_activity"`
}

// OrgSort orders the organisation list.
type OrgSort string

// Orders of the organisation list.
const (
	SortName         OrgSort = "name"
	SortNewest       OrgSort = "newest"
	SortPeople       OrgSort = "people"
	SortRelations    OrgSort = "relationships"
	SortSessions     OrgSort = "sessions"
	SortSales        OrgSort = "sales"
	SortLastActivity OrgSort = "activity"
)

// Sorts lists the orders, for the page.
var Sorts = []OrgSort{SortName, SortNewest, SortPeople, SortRelations, SortSessions, SortSales, SortLastActivity}

// OrgFilter narrows and orders the organisation list.
type OrgFilter struct {
	// Query matches part of the name, the slug or an owner's address.
	Query string
	Sort  OrgSort
	// Page counts from 0; PageSize organisations a page.
	Page int
}

// PageSize is how many organisations a page lists.
const PageSize = 50
