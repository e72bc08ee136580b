// Package supervision makes a supervision group a community of practice:
// a fixed cohort with a supervisor (a relationship of kind supervision,
// format group), recurring group sessions (the calendar's), roles per
// session in rotation (presenter, reflector, observer), and case reviews
// whose text is de-identified before it is stored: identifiers are found
// and masked on entry and the practitioner confirms what remains. A case
// is read by the group's current members and supervisor alone; no
// report, admin page or export of the organisation reads these tables.
package supervision

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// RoleOverride is a role a supervisor set for one person in one session,
// replacing the rotation's.
type RoleOverride struct {
	bun.BaseModel `bun:"table:supervision_roles"`

	OrgID     uuid.UUID  `bun:"org_id,pk,type:uuid"`
	SessionID uuid.UUID  `bun:"session_id,pk,type:uuid"`
	UserID    uuid.UUID  `bun:"user_id,pk,type:uuid"`
	Role      string     `bun:"role"`
	SetBy     *uuid.UUID `bun:"set_by,type:uuid"`
	SetAt     time.Time  `bun:"set_at"`
}

// Case is a case brought to a group, de-identified.
type Case struct {
	bun.BaseModel `bun:"table:supervision_cases"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID  `bun:"relationship_id,type:uuid"`
	SessionID      *uuid.UUID `bun:"session_id,type:uuid"`
	PresenterID    uuid.UUID  `bun:"presenter_id,type:uuid"`
	Title          string     `bun:"title"`
	Context        string     `bun:"context"`
	Question       string     `bun:"question"`
	Tried          string     `bun:"tried"`
	// Masked counts the identifiers masked when it was brought.
	Masked      int        `bun:"masked"`
	FromNote    bool       `bun:"from_note"`
	Learning    string     `bun:"learning"`
	LearningAt  *time.Time `bun:"learning_at"`
	ConfirmedAt time.Time  `bun:"confirmed_at"`
	CreatedAt   time.Time  `bun:"created_at"`
	UpdatedAt   time.Time  `bun:"updated_at"`
}

// Reflection is a group member's or the supervisor's reflection on a case.
type Reflection struct {
	bun.BaseModel `bun:"table:case_reflections"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	CaseID    uuid.UUID `bun:"case_id,type:uuid"`
	AuthorID  uuid.UUID `bun:"author_id,type:uuid"`
	Body      string    `bun:"body"`
	CreatedAt time.Time `bun:"created_at"`
}
