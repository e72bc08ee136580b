// Package relationships owns mentoring, coaching and supervision
// relationships: who takes part on which side, their status, and the
// agreement (agreed bounds) that the calendar takes its defaults from.
package relationships

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Kind is the primary kind of support.
type Kind string

const (
	Mentoring   Kind = "mentoring"
	Coaching    Kind = "coaching"
	Supervision Kind = "supervision"
)

// Kinds lists the kinds of support.
var Kinds = []Kind{Mentoring, Coaching, Supervision}

// Format is one-to-one or group.
type Format string

const (
	OneToOne Format = "one_to_one"
	Group    Format = "group"
)

// Status of a relationship.
type Status string

const (
	StatusProposed  Status = "proposed"
	StatusActive    Status = "active"
	StatusPaused    Status = "paused"
	StatusCompleted Status = "completed"
	StatusEnded     Status = "ended"
)

// Sides of a relationship.
const (
	SidePractitioner = "practitioner"
	SideMember       = "member"
)

// Relationship is one mentoring, coaching or supervision relationship.
type Relationship struct {
	bun.BaseModel `bun:"table:relationships"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID  `bun:"org_id,type:uuid"`
	Kind      Kind       `bun:"kind"`
	Format    Format     `bun:"format"`
	Status    Status     `bun:"status"`
	Title     string     `bun:"title"`
	StartedAt *time.Time `bun:"started_at"`
	EndedAt   *time.Time `bun:"ended_at"`
	CreatedAt time.Time  `bun:"created_at"`
	UpdatedAt time.Time  `bun:"updated_at"`
}

// Participant is a person on one side of a relationship.
type Participant struct {
	bun.BaseModel `bun:"table:relationship_participants"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID  `bun:"relationship_id,type:uuid"`
	UserID         uuid.UUID  `bun:"user_id,type:uuid"`
	Side           string     `bun:"side"`
	JoinedAt       time.Time  `bun:"joined_at"`
	LeftAt         *time.Time `bun:"left_at"`
	// NotesFrom, when set, is earlier than JoinedAt: a practitioner shared
	// the notes written before the person joined. Shared notes are read
	// from NotesFrom, or else from JoinedAt.
	NotesFrom *time.Time `bun:"notes_from"`
}

// Agreement is the agreed bounds of a relationship.
type Agreement struct {
	bun.BaseModel `bun:"table:agreements"`

	ID             uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,type:uuid"`
	Purpose        string    `bun:"purpose"`
	CadenceDays    int       `bun:"cadence_days"`
	SessionMinutes int       `bun:"session_minutes"`
	EndDate        string    `bun:"end_date"` // YYYY-MM-DD or empty
	// ReviewDate is when both sides review how it goes (YYYY-MM-DD or
	// empty): both are reminded, and the member is offered the needs
	// assessment again.
	ReviewDate      string `bun:"review_date"`
	Place           string `bun:"place"`
	Confidentiality string `bun:"confidentiality"`
	// Each side accepts; the agreement holds when both have.
	PractitionerAcceptedAt *time.Time `bun:"practitioner_accepted_at"`
	MemberAcceptedAt       *time.Time `bun:"member_accepted_at"`
	CreatedAt              time.Time  `bun:"created_at"`
	UpdatedAt              time.Time  `bun:"updated_at"`
}

// Accepted reports whether both sides accepted the agreement.
func (a *Agreement) Accepted() bool {
	return a.PractitionerAcceptedAt != nil && a.MemberAcceptedAt != nil
}

// Profile is what a practitioner offers in an organisation.
type Profile struct {
	bun.BaseModel `bun:"table:practitioner_profiles"`

	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID           uuid.UUID  `bun:"org_id,type:uuid"`
	UserID          uuid.UUID  `bun:"user_id,type:uuid"`
	Kinds           string     `bun:"kinds"`
	Topics          string     `bun:"topics"`
	Languages       string     `bun:"languages"`
	Capacity        int        `bun:"capacity"`
	Bio             string     `bun:"bio"`
	Accepting       bool       `bun:"accepting"`
	TrainedMentorAt *time.Time `bun:"trained_mentor_at"`
	// MentorStatus is provisional after qualifying mentor training, until
	// a coordinator approves it (approved); "" for a profile that never
	// went that way.
	MentorStatus       string     `bun:"mentor_status"`
	MentorSupervisorID *uuid.UUID `bun:"mentor_supervisor_id,type:uuid"`
	MentorApprovedBy   *uuid.UUID `bun:"mentor_approved_by,type:uuid"`
	MentorApprovedAt   *time.Time `bun:"mentor_approved_at"`
	CreatedAt          time.Time  `bun:"created_at"`
	UpdatedAt          time.Time  `bun:"updated_at"`
}
