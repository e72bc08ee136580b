package calendar

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// RelationshipTimeline lists a relationship's sessions for its page: the
// next n coming ones (or under way), soonest first, and the last n that
// are over or were marked, newest first.
func (s *Service) RelationshipTimeline(ctx context.Context, orgID, relID uuid.UUID, now time.Time, n int) (relationships.Timeline, error) {
	var t relationships.Timeline
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		next, past, err := s.Store.WithTx(q).Timeline(ctx, orgID, relID, now, n)
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
	return t, err
}

func timelineSession(s Session) relationships.TimelineSession {
	return relationships.TimelineSession{ID: s.ID, StartsAt: s.StartsAt, EndsAt: s.EndsAt, Place: s.Place, Status: s.Status,
		Title: s.Title, PractitionerID: s.PractitionerID, Group: s.IsGroup()}
}
