package relationships

import (
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// DraftAgreement is the draft agreement of a new relationship, from the
// rhythm of its kind: coaching meets at regular intervals, supervision
// periodically, mentoring when needed within agreed bounds.
func DraftAgreement(kind Kind) *Agreement {
	a := &Agreement{CadenceDays: 14, SessionMinutes: 60,
		Confidentiality: "What we discuss stays between us, unless someone is at risk of harm."}
	switch kind {
	case Mentoring:
		a.Purpose, a.CadenceDays = "Share experience and guidance as needed, within the bounds we agree.", 28
	case Coaching:
		a.Purpose = "Help you find your own answers and act on them."
	case Supervision:
		a.Purpose, a.CadenceDays, a.SessionMinutes = "Reflect on your practice, case by case.", 42, 90
	}
	return a
}

// FullError says that a practitioner has no free place for another
// relationship.
type FullError struct {
	UserID           uuid.UUID
	Active, Capacity int
}

func (e *FullError) Error() string {
	return fmt.Sprintf("relationships: %s has no free places (%d of %d taken)", e.UserID, e.Active, e.Capacity)
}

// Errors of group membership.
var (
	ErrNotGroup       = errors.New("relationships: not a group relationship")
	ErrAlreadyIn      = fmt.Errorf("relationships: already takes part: %w", db.ErrConflict)
	ErrNotMember      = fmt.Errorf("relationships: not a current member: %w", db.ErrNotFound)
	ErrLastMember     = fmt.Errorf("relationships: the group's last member: %w", db.ErrConflict)
	ErrClosed         = fmt.Errorf("relationships: completed or ended: %w", db.ErrConflict)
	ErrNoPractitioner = errors.New("relationships: a practitioner has no profile")
)

// NoProfileError names a practitioner who has no profile (and so no
// capacity) yet.
type NoProfileError struct{ UserID uuid.UUID }

func (e *NoProfileError) Error() string {
	return fmt.Sprintf("relationships: %s has no practitioner profile", e.UserID)
}

func (e *NoProfileError) Unwrap() error { return ErrNoPractitioner }
