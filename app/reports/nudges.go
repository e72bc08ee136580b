package reports

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// DefaultQuietWeeks is how long an active relationship may go without a
// session before both sides are nudged, where the organisation has not
// set its own.
const DefaultQuietWeeks = 3

// Nudge stages: both sides after QuietWeeks, the coordinators after twice
// as long.
const (
	StageSides        = "sides"
	StageCoordinators = "coordinators"
)

// quietWeeks is the organisation's setting, or the default.
func quietWeeks(org *tenancy.Organisation) int {
	if org.Settings.QuietWeeks > 0 {
		return org.Settings.QuietWeeks
	}
	return DefaultQuietWeeks
}

// quietState is a relationship's silence as of now: since when (the last
// session that was not cancelled, or the start) and whether a session is
// booked ahead.
type quietState struct {
	ID          uuid.UUID  `bun:"id"`
	Status      string     `bun:"status"`
	StartedAt   *time.Time `bun:"started_at"`
	LastSession *time.Time `bun:"last_session"`
	Booked      bool       `bun:"booked"`
}

func (q quietState) since() time.Time {
	if q.LastSession != nil && (q.StartedAt == nil || q.LastSession.After(*q.StartedAt)) {
		return *q.LastSession
	}
	if q.StartedAt != nil {
		return *q.StartedAt
	}
	return time.Time{}
}

// stage is the nudge due now, or "".
func (q quietState) stage(now time.Time, weeks int) string {
	if q.Status != "active" || q.Booked || q.StartedAt == nil {
		return ""
	}
	quiet := now.Sub(q.since())
	switch {
	case quiet >= 2*time.Duration(weeks)*7*24*time.Hour:
		return StageCoordinators
	case quiet >= time.Duration(weeks)*7*24*time.Hour:
		return StageSides
	}
	return ""
}

// ScanQuiet records a nudge task for every quiet relationship of every
// organisation (the daily periodic task). Nudges already sent are not
// sent again: the nudge task checks its unique key.
func (s *Service) ScanQuiet(ctx context.Context, _ workers.Periodic) error {
	ids, err := tenancy.OrgIDs(ctx, s.DB)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	for _, orgID := range ids {
		org, err := s.Orgs.OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		weeks := quietWeeks(org)
		err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
			states, err := s.Store.quietStates(ctx, tx, orgID, nil, now, now.AddDate(0, 0, -7*weeks))
			if err != nil {
				return err
			}
			for _, q := range states {
				stage := q.stage(now, weeks)
				if stage == "" {
					continue
				}
				p := workers.QuietNudgePayload{OrgID: orgID, RelationshipID: q.ID, Spell: q.since().UTC().Format(time.RFC3339), Stage: stage}
				if err := outbox.Add(ctx, tx, now, workers.NewQuietNudgeTask(p)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reports: scan %s for quiet relationships: %w", orgID, err)
		}
	}
	return nil
}

// HandleQuietNudge sends one nudge, once: only if the relationship is
// still active and in the same quiet spell, only once that spell is long
// enough for the stage, and never twice (the nudge's unique key is
// recorded with its e-mails in one transaction).
func (s *Service) HandleQuietNudge(ctx context.Context, p workers.QuietNudgePayload) error {
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	weeks := quietWeeks(org)
	staff, err := s.staff(ctx, p.OrgID)
	if err != nil {
		return err
	}
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		id := p.RelationshipID
		states, err := s.Store.quietStates(ctx, tx, p.OrgID, &id, now, now)
		if err != nil || len(states) != 1 {
			return err // gone, or no longer active
		}
		q := states[0]
		stage := q.stage(now, weeks)
		if q.since().UTC().Format(time.RFC3339) != p.Spell || stage == "" || (p.Stage == StageCoordinators && stage != StageCoordinators) {
			return nil // a session was booked since, or it is too early
		}
		if p.Stage == StageCoordinators {
			// Both sides hear first, even when the silence was found late.
			told, err := s.Store.hasNudge(ctx, tx, p.OrgID, "quiet:"+StageSides+":"+id.String()+":"+p.Spell)
			if err != nil {
				return err
			}
			if !told {
				p.Stage = StageSides
			}
		}
		key := "quiet:" + p.Stage + ":" + id.String() + ":" + p.Spell
		fresh, err := s.Store.recordNudge(ctx, tx, p.OrgID, &id, key, now)
		if err != nil || !fresh {
			return err
		}
		var to []mail.Message
		link := s.BaseURL + "/o/" + org.Slug + "/relationships/" + id.String()
		if p.Stage == StageSides {
			people, err := s.Store.participants(ctx, tx, p.OrgID, id)
			if err != nil {
				return err
			}
			for _, person := range people {
				to = append(to, mail.Message{OrgID: p.OrgID, To: person.Email, Template: "quiet_nudge", DedupeKey: key + ":" + person.UserID.String(),
					Data: map[string]any{"Name": person.Name, "Org": org.Name, "Weeks": weeks, "Link": link}})
			}
		} else {
			for _, person := range staff {
				to = append(to, mail.Message{OrgID: p.OrgID, To: person.Email, Template: "quiet_coordinators", DedupeKey: key + ":" + person.UserID.String(),
					Data: map[string]any{"Name": person.Name, "Org": org.Name, "Weeks": 2 * weeks, "Link": link}})
			}
		}
		for _, m := range to {
			if _, err := s.Mail.Queue(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

// staff lists an organisation's active owners, admins and coordinators.
func (s *Service) staff(ctx context.Context, orgID uuid.UUID) ([]tenancy.Person, error) {
	all, err := s.Orgs.People(ctx, orgID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return nil, err
	}
	var out []tenancy.Person
	for _, person := range all {
		if slices.Contains(tenancy.Staff, person.Role) {
			out = append(out, person)
		}
	}
	return out, nil
}
