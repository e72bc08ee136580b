package reports

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Nudge stages: both sides after QuietWeeks, the coordinators after twice
// as long, and after ConcludeAfterWeeks a proposal to conclude, a week
// ahead, that concludes the relationship unless someone objects.
const (
	StageSides        = "sides"
	StageCoordinators = "coordinators"
	StageConclude     = "conclude"
)

// stageRank orders the stages: each is sent only after the one before.
var stageRank = map[string]int{StageSides: 1, StageCoordinators: 2, StageConclude: 3}

// ConclusionNotice is how long before concluding a quiet relationship
// both sides and the coordinators are told.
const ConclusionNotice = 7 * 24 * time.Hour

const week = 7 * 24 * time.Hour

// quietWeeks is the organisation's setting, or the default.
func quietWeeks(org *tenancy.Organisation) int { return org.Settings.EffectiveQuietWeeks() }

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
func (q quietState) stage(now time.Time, weeks, concludeWeeks int) string {
	if q.Status != "active" || q.Booked || q.StartedAt == nil {
		return ""
	}
	quiet := now.Sub(q.since())
	switch {
	case quiet >= time.Duration(concludeWeeks)*week:
		return StageConclude
	case quiet >= 2*time.Duration(weeks)*week:
		return StageCoordinators
	case quiet >= time.Duration(weeks)*week:
		return StageSides
	}
	return ""
}

func (q quietState) spell() string { return q.since().UTC().Format(time.RFC3339) }

func quietKey(stage string, relID uuid.UUID, spell string) string {
	return "quiet:" + stage + ":" + relID.String() + ":" + spell
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
		weeks, concludeWeeks := quietWeeks(org), org.Settings.EffectiveConcludeAfterWeeks()
		err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
			states, err := s.Store.quietStates(ctx, tx, orgID, nil, now, now.AddDate(0, 0, -7*weeks))
			if err != nil {
				return err
			}
			sent, err := s.Store.nudgeKeys(ctx, tx, orgID, "quiet:")
			if err != nil {
				return err
			}
			settled, err := s.Store.settledProposals(ctx, tx, orgID)
			if err != nil {
				return err
			}
			for _, q := range states {
				stage := q.stage(now, weeks, concludeWeeks)
				// What was sent, or settled, is not recorded again.
				if stage == "" || sent[quietKey(stage, q.ID, q.spell())] || (stage == StageConclude && settled[q.ID.String()+":"+q.spell()]) {
					continue
				}
				p := workers.QuietNudgePayload{OrgID: orgID, RelationshipID: q.ID, Spell: q.spell(), Stage: stage}
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
// enough for the stage, never before the stages before it, never twice
// (the nudge's unique key is recorded with its e-mails in one
// transaction), and never to someone who opted out of nudges. The
// conclusion stage proposes concluding a week ahead, then concludes
// unless a participant objected.
func (s *Service) HandleQuietNudge(ctx context.Context, p workers.QuietNudgePayload) error {
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	weeks, concludeWeeks := quietWeeks(org), org.Settings.EffectiveConcludeAfterWeeks()
	staff, err := s.staff(ctx, p.OrgID)
	if err != nil {
		return err
	}
	conclude := false
	id := p.RelationshipID
	err = s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		states, err := s.Store.quietStates(ctx, tx, p.OrgID, &id, now, now)
		if err != nil || len(states) != 1 {
			return err // gone, or no longer active
		}
		q := states[0]
		stage := q.stage(now, weeks, concludeWeeks)
		if q.spell() != p.Spell || stage == "" || stageRank[stage] < stageRank[p.Stage] {
			return nil // a session was booked since, or it is too early
		}
		// Each stage only after the one before, even when the silence
		// was found late: the conclusion after the coordinators heard,
		// the coordinators after both sides.
		for _, before := range [][2]string{{StageConclude, StageCoordinators}, {StageCoordinators, StageSides}} {
			if p.Stage != before[0] {
				continue
			}
			told, err := s.Store.hasNudge(ctx, tx, p.OrgID, quietKey(before[1], id, p.Spell))
			if err != nil {
				return err
			}
			if !told {
				p.Stage = before[1]
			}
		}
		link := s.BaseURL + "/o/" + org.Slug + "/relationships/" + id.String()
		if p.Stage == StageConclude {
			conclude, err = s.proposeOrConclude(ctx, tx, org, p, staff, now, concludeWeeks)
			return err
		}
		key := quietKey(p.Stage, id, p.Spell)
		fresh, err := s.Store.recordNudge(ctx, tx, p.OrgID, &id, key, now)
		if err != nil || !fresh {
			return err
		}
		var to []person
		template, w := "quiet_nudge", weeks
		if p.Stage == StageSides {
			if to, err = s.Store.participants(ctx, tx, p.OrgID, id); err != nil {
				return err
			}
		} else {
			template, w, to = "quiet_coordinators", 2*weeks, staffPeople(staff)
		}
		return s.mailEach(ctx, tx, org, TopicNudges, to, template, key, map[string]any{"Org": org.Name, "Weeks": w, "Link": link})
	})
	if err != nil || !conclude {
		return err
	}
	return s.conclude(ctx, p.OrgID, id, concludeWeeks)
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
