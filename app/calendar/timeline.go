package calendar

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// RelationshipTimeline lists a relationship's sessions for its page: the
// next n coming ones (or under way), soonest first, and the last n that
// are over or were marked, newest first (two indexed reads on org_id, relationship_id, starts_at).
func (s *Service) RelationshipTimeline(ctx context.Context, orgID, relID uuid.UUID, now time.Time, n int) (relationships.Timeline, error) {
	var t relationships.Timeline
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var next, past []Session
		err := q.NewSelect().Model(&next).Where("org_id = ? AND relationship_id = ? AND ends_at > ? AND status = ?", orgID, relID, now.UTC(), StatusScheduled).
			OrderExpr("starts_at, id").Limit(int64(n)).Scan(ctx)
		if err != nil {
			return err
		}
		err = q.NewSelect().Model(&past).Where("org_id = ? AND relationship_id = ? AND starts_at < ? AND (ends_at <= ? OR status <> ?)", orgID, relID, now.UTC(), now.UTC(), StatusScheduled).
			OrderExpr("starts_at DESC, id DESC").Limit(int64(n)).Scan(ctx)
		if err != nil {
			return err
		}
		for _, x := range next {
			t.Next = append(t.Next, timelineSession(x))
		}
		for _, x := range past {
			t.Past = append(t.Past, timelineSession(x))
		}
		return nil
	})
	if err != nil {
		return t, fmt.Errorf("calendar: timeline of relationship %s: %w", relID, err)
	}
	return t, nil
}

func timelineSession(s Session) relationships.TimelineSession {
	return relationships.TimelineSession{ID: s.ID, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Place: s.Place, Status: s.Status,
		Title: s.Title, PractitionerID: s.PractitionerID, Group: s.IsGroup()}
}
