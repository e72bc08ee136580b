package matching

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Proposal statuses.
const (
	ProposalPending   = "pending"
	ProposalAccepted  = "accepted"
	ProposalDeclined  = "declined"
	ProposalExpired   = "expired"
	ProposalWithdrawn = "withdrawn"
)

// Proposal asks a practitioner to take a member on.
type Proposal struct {
	bun.BaseModel `bun:"table:proposals"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	RequestID      uuid.UUID  `bun:"request_id,type:uuid"`
	PractitionerID uuid.UUID  `bun:"practitioner_id,type:uuid"`
	Score          int        `bun:"score"`
	Explanation    []Reason   `bun:"explanation"`
	Status         string     `bun:"status"`
	Rank           int        `bun:"rank"`
	ProposedBy     *uuid.UUID `bun:"proposed_by,type:uuid"`
	ExpiresAt      time.Time  `bun:"expires_at"`
	AnsweredAt     *time.Time `bun:"answered_at"`
	Reason         string     `bun:"reason"`
	RelationshipID *uuid.UUID `bun:"relationship_id,type:uuid"`
	CreatedAt      time.Time  `bun:"created_at"`
}

// Rematch is a member's request to be matched again, with a reason only
// coordinators read.
type Rematch struct {
	bun.BaseModel `bun:"table:rematch_requests"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	MemberID       uuid.UUID  `bun:"member_id,type:uuid"`
	RelationshipID *uuid.UUID `bun:"relationship_id,type:uuid"`
	Reason         string     `bun:"reason"`
	Status         string     `bun:"status"`
	CreatedAt      time.Time  `bun:"created_at"`
	// A coordinator handles it: closes it with a note, or opens a new
	// support request (RequestID) from it.
	HandledBy   *uuid.UUID `bun:"handled_by,type:uuid"`
	HandledAt   *time.Time `bun:"handled_at"`
	HandledNote string     `bun:"handled_note"`
	RequestID   *uuid.UUID `bun:"request_id,type:uuid"`
}

// Rematch statuses.
const (
	RematchOpen    = "open"
	RematchHandled = "handled"
)
