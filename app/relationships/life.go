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
	// Kept: the practitioner kept the mode after the session. A switch
	// recorded in a session and not kept reverts at RevertsAt, the
	// session's end; one without RevertsAt (the relationship's own, or
	// recorded before this rule) lasts until the next switch.
	Kept      bool       `bun:"kept"`
	RevertsAt *time.Time `bun:"reverts_at"`
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

// CurrentMode is the kind a relationship works in at now: its primary
// kind, or the last mode it switched to that has not reverted (ModeAt).
func CurrentMode(r *Relationship, switches []ModeSwitch, now time.Time) Kind {
	return ModeAt(r.Kind, switches, now)
}

// ModeAt is the mode at t of a relationship of primary kind primary, with
// its switches oldest first: the last switch made by t, except that a
// switch made in a session and not kept holds only until the session's
// end, after which the mode is again what it was before the session.
func ModeAt(primary Kind, switches []ModeSwitch, t time.Time) Kind {
	mode := primary
	for _, sw := range switches {
		if sw.At.After(t) {
			break
		}
		if sw.Reverted(t) {
			continue
		}
		mode = sw.ToKind
	}
	return mode
}

// Reverted says whether the switch, made in a session and not kept, has
// reverted by t (the session has ended).
func (m ModeSwitch) Reverted(t time.Time) bool {
	return !m.Kept && m.RevertsAt != nil && !t.Before(*m.RevertsAt)
}

// SessionSplit is how a session of the relationship, from start to end,
// divides between kinds of support in minutes: it starts in the mode in
// effect at its start, and each switch recorded in it (sessionID) or made
// during it changes the mode from its moment on. At the end an unkept
// switch reverts, which is the next session's business, not this one's.
func SessionSplit(primary Kind, switches []ModeSwitch, sessionID uuid.UUID, start, end time.Time) map[Kind]int {
	out := map[Kind]int{}
	if !end.After(start) {
		return out
	}
	var before, during []ModeSwitch
	for _, sw := range switches {
		in := sw.SessionID != nil && *sw.SessionID == sessionID
		switch {
		case in || (sw.At.After(start) && sw.At.Before(end)):
			during = append(during, sw)
		case !sw.At.After(start):
			before = append(before, sw)
		}
	}
	mode := ModeAt(primary, before, start)
	at := start
	for _, sw := range during {
		t := sw.At
		if t.Before(at) {
			t = at
		}
		if t.After(end) {
			t = end
		}
		out[mode] += minutesBetween(at, t)
		mode, at = sw.ToKind, t
	}
	out[mode] += minutesBetween(at, end)
	for k, m := range out {
		if m == 0 {
			delete(out, k)
		}
	}
	return out
}

func minutesBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(time.Minute) / time.Minute)
}
