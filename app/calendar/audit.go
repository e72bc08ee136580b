package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
)

// Audit log actions of the calendar: what overrides the organisation's
// rules is recorded, in the transaction of the change.
const (
	// ActionCancelOverride: a practitioner or admin cancelled a session
	// inside the organisation's minimum notice.
	ActionCancelOverride = "calendar.cancel_notice_overridden"
	// ActionMoveOverride: likewise, moved it.
	ActionMoveOverride = "calendar.move_notice_overridden"
	// ActionScheduledDirectly: a practitioner or admin scheduled sessions
	// directly, outside the booking rules (open hours, notice, window).
	ActionScheduledDirectly = "calendar.scheduled_directly"
)

// AuditActions lists the calendar's audit actions.
var AuditActions = []string{ActionCancelOverride, ActionMoveOverride, ActionScheduledDirectly}

// sessionTarget names a session in the audit log so that it still reads
// once the session has changed.
func sessionTarget(s *Session) string {
	return fmt.Sprintf("%s, %s (session %s)", s.Title, s.StartsAt.UTC().Format("2006-01-02 15:04 UTC"), s.ID)
}

// recordAudit adds an event by actorID to the log, in tx.
func recordAudit(ctx context.Context, tx bun.IDB, orgID, actorID uuid.UUID, ip, action, target, detail string, at time.Time) error {
	u, err := auth.UserByID(ctx, tx, actorID)
	if err != nil {
		return err
	}
	return audit.Record(ctx, tx, audit.Event{
		OrgID: orgID, ActorID: &actorID, Actor: u.Name + " <" + u.Email + ">", Action: action,
		Target: target, Detail: detail, IP: ip, At: at,
	})
}
