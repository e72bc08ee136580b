package relationships

import (
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// StatusChange records who moved a relationship from one status to
// another, and why.
type StatusChange struct {
	bun.BaseModel `bun:"table:status_changes"`

	ID              uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID           uuid.UUID `bun:"org_id,type:uuid"`
	RelationshipID  uuid.UUID `bun:"relationship_id,type:uuid"`
	ChangedBy       uuid.UUID `bun:"changed_by,type:uuid"`
	FromStatus      Status    `bun:"from_status"`
	ToStatus        Status    `bun:"to_status"`
	Why             string    `bun:"why"`
	PrivateFeedback string    `bun:"private_feedback"`
	At              time.Time `bun:"at"`
}

// ModeSwitch records that a relationship (or one of its sessions) changed
// mode for a while, say from coaching to mentoring, and why.
type ModeSwitch struct {
	bun.BaseModel `bun:"table:mode_switches"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID  `bun:"relationship_id,type:uuid"`
	SessionID      *uuid.UUID `bun:"session_id,type:uuid"`
	FromKind       Kind       `bun:"from_kind"`
	ToKind         Kind       `bun:"to_kind"`
	Why            string     `bun:"why"`
	SwitchedBy     uuid.UUID  `bun:"switched_by,type:uuid"`
	At             time.Time  `bun:"at"`
}

// Actions on a relationship's status.
const (
	ActionPause    = "pause"
	ActionResume   = "resume"
	ActionComplete = "complete"
	ActionEnd      = "end"
)

// transitions says which status an action leads to from which statuses.
var transitions = map[string]struct {
	to   Status
	from []Status
}{
	ActionPause:    {StatusPaused, []Status{StatusActive}},
	ActionResume:   {StatusActive, []Status{StatusPaused}},
	ActionComplete: {StatusCompleted, []Status{StatusActive, StatusPaused}},
	ActionEnd:      {StatusEnded, []Status{StatusProposed, StatusActive, StatusPaused}},
}

// ErrNotNow is returned for an action the relationship's status does not allow.
var ErrNotNow = errors.New("relationships: not possible in the relationship's current status")

// Allowed lists the actions possible from a status.
func Allowed(s Status) []string {
	var out []string
	for _, a := range []string{ActionPause, ActionResume, ActionComplete, ActionEnd} {
		for _, f := range transitions[a].from {
			if f == s {
				out = append(out, a)
			}
		}
	}
	return out
}

// CurrentMode is the kind a relationship works in now: its primary kind,
// or the last mode it switched to.
func CurrentMode(r *Relationship, switches []ModeSwitch) Kind {
	if len(switches) == 0 {
		return r.Kind
	}
	return switches[len(switches)-1].ToKind
}
