package reports

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// The scheduled work of outcomes: one periodic scan finds what is due in
// every organisation (quiet relationships, check-ins, review dates, the
// weekly digest, the monthly summaries) and records an outbox task for
// each thing not sent yet; each task checks again when it runs that it
// is due, that nothing changed, and that the person has not opted out,
// and records its unique key with its e-mails in one transaction, so
// that it is never sent twice, early, or after the relationship changed.

// CheckInFirst and CheckInEvery are the check-in milestones: 30 days
// into a relationship, then every 60 days.
const (
	CheckInFirst = 30
	CheckInEvery = 60
)

// checkInDue is the latest milestone (in days) reached after days, or 0.
func checkInDue(days int) int {
	if days < CheckInFirst {
		return 0
	}
	return CheckInFirst + (days-CheckInFirst)/CheckInEvery*CheckInEvery
}

// previousWeek is the ISO week before the one of now, in loc: its label
// (2027-W13) and bounds.
func previousWeek(now time.Time, loc *time.Location) (string, time.Time, time.Time) {
	l := now.In(loc)
	monday := time.Date(l.Year(), l.Month(), l.Day()-(int(l.Weekday())+6)%7, 0, 0, 0, 0, loc)
	from := monday.AddDate(0, 0, -7)
	y, w := from.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, w), from, monday
}

// weekBounds reads a week label back into its bounds.
func weekBounds(label string, loc *time.Location) (time.Time, time.Time, error) {
	var y, w int
	if _, err := fmt.Sscanf(label, "%d-W%d", &y, &w); err != nil || w < 1 || w > 53 {
		return time.Time{}, time.Time{}, fmt.Errorf("reports: week %q", label)
	}
	// 4 January is always in week 1.
	jan4 := time.Date(y, time.January, 4, 0, 0, 0, 0, loc)
	monday := jan4.AddDate(0, 0, -((int(jan4.Weekday())+6)%7)+7*(w-1))
	return monday, monday.AddDate(0, 0, 7), nil
}

// previousMonth is the month before the one of now, in loc.
func previousMonth(now time.Time, loc *time.Location) (string, time.Time, time.Time) {
	l := now.In(loc)
	to := time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
	from := to.AddDate(0, -1, 0)
	return from.Format("2006-01"), from, to
}

func zoneOf(org *tenancy.Organisation) *time.Location {
	if loc, err := time.LoadLocation(org.TimeZone); err == nil {
		return loc
	}
	return time.UTC
}

// ScanOutcomes is the periodic scan.
func (s *Service) ScanOutcomes(ctx context.Context, _ workers.Periodic) error {
	if err := s.ScanQuiet(ctx, workers.Periodic{}); err != nil {
		return err
	}
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
		staff, err := s.staff(ctx, orgID)
		if err != nil {
			return err
		}
		err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
			return s.scanOrg(ctx, tx, org, staff, now)
		})
		if err != nil {
			return fmt.Errorf("reports: scan %s: %w", orgID, err)
		}
	}
	return nil
}

func (s *Service) scanOrg(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, staff []tenancy.Person, now time.Time) error {
	loc, st := zoneOf(org), s.Store
	var tasks []workers.Task
	// Check-ins and review dates of active relationships.
	active, err := st.relationshipsBetween(ctx, tx, org.ID, nil, now, now)
	if err != nil {
		return err
	}
	asked, err := st.checkIns(ctx, tx, org.ID)
	if err != nil {
		return err
	}
	reviewed, err := st.nudgeKeys(ctx, tx, org.ID, "review:")
	if err != nil {
		return err
	}
	today, oldest := now.In(loc).Format(time.DateOnly), now.In(loc).AddDate(0, 0, -14).Format(time.DateOnly)
	for _, r := range active {
		if r.Status != string(relationships.StatusActive) {
			continue
		}
		if days := checkInDue(int(now.Sub(*r.StartedAt) / (24 * time.Hour))); days > 0 && !asked[r.ID.String()+":"+CheckInName(days)] {
			tasks = append(tasks, workers.NewCheckInTask(workers.CheckInPayload{OrgID: org.ID, RelationshipID: r.ID, Started: r.StartedAt.UTC().Format(time.RFC3339), Days: days}))
		}
		if d := r.ReviewDate; d != "" && d <= today && d >= oldest && !reviewed[reviewKey(r.ID, d)] {
			tasks = append(tasks, workers.NewReviewDueTask(workers.ReviewDuePayload{OrgID: org.ID, RelationshipID: r.ID, Date: d}))
		}
	}
	// The weekly digest of last week, to staff who have not opted out.
	week, _, _ := previousWeek(now, loc)
	sent, err := st.nudgeKeys(ctx, tx, org.ID, "digest:"+week+":")
	if err != nil {
		return err
	}
	out, err := st.optedOut(ctx, tx, org.ID, TopicDigest)
	if err != nil {
		return err
	}
	for _, p := range staff {
		if !out[p.UserID] && !sent[digestKey(week, p.UserID)] {
			tasks = append(tasks, workers.NewWeeklyDigestTask(workers.WeeklyDigestPayload{OrgID: org.ID, UserID: p.UserID, Week: week}))
		}
	}
	// Last month's summary, to each participant of a relationship under
	// way in it.
	month, from, to := previousMonth(now, loc)
	under, err := st.relationshipsBetween(ctx, tx, org.ID, nil, from, to)
	if err != nil {
		return err
	}
	if len(under) > 0 {
		people, err := st.participantsOf(ctx, tx, org.ID)
		if err != nil {
			return err
		}
		if sent, err = st.nudgeKeys(ctx, tx, org.ID, "summary:"+month+":"); err != nil {
			return err
		}
		if out, err = st.optedOut(ctx, tx, org.ID, TopicSummary); err != nil {
			return err
		}
		for _, r := range under {
			for _, p := range people[r.ID] {
				if !out[p.UserID] && !sent[summaryKey(month, r.ID, p.UserID)] {
					tasks = append(tasks, workers.NewMonthlySummaryTask(workers.MonthlySummaryPayload{OrgID: org.ID, RelationshipID: r.ID, UserID: p.UserID, Month: month}))
				}
			}
		}
	}
	for _, t := range tasks {
		if err := outbox.Add(ctx, tx, now, t); err != nil {
			return err
		}
	}
	return nil
}

// CheckInName names the check-in at a milestone: 30d, 90d …
func CheckInName(days int) string { return strconv.Itoa(days) + "d" }

func reviewKey(relID uuid.UUID, date string) string { return "review:" + relID.String() + ":" + date }
func digestKey(week string, userID uuid.UUID) string {
	return "digest:" + week + ":" + userID.String()
}
func summaryKey(month string, relID, userID uuid.UUID) string {
	return "summary:" + month + ":" + relID.String() + ":" + userID.String()
}

func staffPeople(staff []tenancy.Person) []person {
	out := make([]person, 0, len(staff))
	for _, p := range staff {
		out = append(out, person{UserID: p.UserID, Name: p.Name, Email: p.Email})
	}
	return out
}

// mailEach queues one e-mail to each person who has not opted out of
// topic, under key (each e-mail's own key adds the person).
func (s *Service) mailEach(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, topic string, to []person, template, key string, data map[string]any) error {
	out, err := s.Store.optedOut(ctx, tx, org.ID, topic)
	if err != nil {
		return err
	}
	for _, p := range to {
		if out[p.UserID] {
			continue
		}
		d := maps.Clone(data)
		d["Name"], d["Org"], d["Preferences"] = p.Name, org.Name, s.BaseURL+"/o/"+org.Slug+"/email-preferences"
		if _, err := s.Mail.Queue(ctx, tx, mail.Message{OrgID: org.ID, To: p.Email, Template: template, DedupeKey: key + ":" + p.UserID.String(), Data: d}); err != nil {
			return err
		}
	}
	return nil
}

// proposeOrConclude is the conclusion stage of a quiet spell: the first
// time, a proposal a week ahead told to both sides and the coordinators;
// once that week has passed with no objection, the proposal carried out
// (it reports true: the caller concludes the relationship).
func (s *Service) proposeOrConclude(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, p workers.QuietNudgePayload, staff []tenancy.Person, now time.Time, weeks int) (bool, error) {
	st := s.Store
	prop, err := st.proposal(ctx, tx, org.ID, p.RelationshipID, p.Spell)
	if err != nil {
		return false, err
	}
	people, err := st.participants(ctx, tx, org.ID, p.RelationshipID)
	if err != nil {
		return false, err
	}
	progress := s.BaseURL + "/o/" + org.Slug + "/relationships/" + p.RelationshipID.String() + "/progress"
	if prop == nil {
		prop = &Proposal{ID: uuid.Must(uuid.NewV7()), OrgID: org.ID, RelationshipID: p.RelationshipID, Spell: p.Spell, ProposedAt: now, ConcludeAt: now.Add(ConclusionNotice)}
		fresh, err := st.addProposal(ctx, tx, prop)
		if err != nil || !fresh {
			return false, err
		}
		// The participants keep it going from its progress page; the
		// coordinators read it on its own page.
		key := "conclude:" + p.RelationshipID.String() + ":" + p.Spell
		data := map[string]any{"Weeks": weeks, "Date": prop.ConcludeAt.In(zoneOf(org)).Format("Monday 2 January 2006"), "Link": progress}
		if err := s.mailEach(ctx, tx, org, TopicNudges, people, "conclusion_proposed", key, data); err != nil {
			return false, err
		}
		data["Link"] = s.BaseURL + "/o/" + org.Slug + "/relationships/" + p.RelationshipID.String()
		return false, s.mailEach(ctx, tx, org, TopicNudges, staffPeople(staff), "conclusion_proposed", key, data)
	}
	switch {
	case prop.ObjectedAt != nil:
		return false, nil
	case prop.ConcludedAt != nil:
		return true, nil // carried out, but the relationship is still active: conclude it again
	case now.Before(prop.ConcludeAt):
		return false, nil
	}
	if err := st.markConcluded(ctx, tx, prop, now); err != nil {
		return false, err
	}
	data := map[string]any{"Weeks": weeks, "Link": progress, "Assessment": s.BaseURL + "/o/" + org.Slug + "/assessment?again=1"}
	return true, s.mailEach(ctx, tx, org, TopicNudges, people, "relationship_concluded", "concluded:"+p.RelationshipID.String()+":"+p.Spell, data)
}

// conclude completes a relationship whose proposal to conclude was
// carried out (by no one: the status change's author is the nil id).
func (s *Service) conclude(ctx context.Context, orgID, relID uuid.UUID, weeks int) error {
	why := fmt.Sprintf("Concluded after %d weeks without a session; no one asked to keep it going.", weeks)
	_, err := s.Rels.ChangeStatus(ctx, orgID, relID, uuid.Nil, s.Clock.Now(), relationships.ActionComplete, why, "")
	if errors.Is(err, relationships.ErrNotNow) {
		return nil
	}
	return err
}

// HandleReviewDue reminds both sides of a review date, once, on or after
// it, while the relationship is active and the date unchanged.
func (s *Service) HandleReviewDue(ctx context.Context, p workers.ReviewDuePayload) error {
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if now.In(zoneOf(org)).Format(time.DateOnly) < p.Date {
		return nil
	}
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		id := p.RelationshipID
		rs, err := s.Store.relationshipsBetween(ctx, tx, p.OrgID, &id, now, now)
		if err != nil || len(rs) != 1 || rs[0].Status != string(relationships.StatusActive) || rs[0].ReviewDate != p.Date {
			return err
		}
		key := reviewKey(id, p.Date)
		if fresh, err := s.Store.recordNudge(ctx, tx, p.OrgID, &id, key, now); err != nil || !fresh {
			return err
		}
		people, err := s.Store.participants(ctx, tx, p.OrgID, id)
		if err != nil {
			return err
		}
		data := map[string]any{"Date": p.Date, "Link": s.BaseURL + "/o/" + org.Slug + "/relationships/" + id.String()}
		return s.mailEach(ctx, tx, org, TopicNudges, people, "review_due", key, data)
	})
}

// shownCount is a count for the digest: below MinPeople, not the number.
func shownCount(n int) string {
	if n > 0 && n < MinPeople {
		return fmt.Sprintf("fewer than %d", MinPeople)
	}
	return strconv.Itoa(n)
}

// HandleWeeklyDigest e-mails one person of the staff the digest of a
// week, once, after the week, unless they opted out or left the staff.
func (s *Service) HandleWeeklyDigest(ctx context.Context, p workers.WeeklyDigestPayload) error {
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	loc, now := zoneOf(org), s.Clock.Now()
	from, to, err := weekBounds(p.Week, loc)
	if err != nil || now.Before(to) {
		return err
	}
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store
		if ok, err := st.isStaff(ctx, tx, p.OrgID, p.UserID); err != nil || !ok {
			return err
		}
		if out, err := st.optedOut(ctx, tx, p.OrgID, TopicDigest); err != nil || out[p.UserID] {
			return err
		}
		key := digestKey(p.Week, p.UserID)
		if fresh, err := st.recordNudge(ctx, tx, p.OrgID, nil, key, now); err != nil || !fresh {
			return err
		}
		u, err := auth.UserByID(ctx, tx, p.UserID)
		if err != nil {
			return err
		}
		figures, err := st.weekFigures(ctx, tx, p.OrgID, from, to)
		if err != nil {
			return err
		}
		shown := map[string]string{}
		for k, n := range figures {
			shown[k] = shownCount(n)
		}
		data := map[string]any{"Week": from.Format("2 Jan") + " – " + to.AddDate(0, 0, -1).Format("2 Jan 2006"), "Figures": shown, "MinPeople": MinPeople,
			"Link": s.BaseURL + "/o/" + org.Slug + "/reports/programme"}
		return s.mailEach(ctx, tx, org, TopicDigest, []person{{UserID: u.ID, Name: u.Name, Email: u.Email}}, "weekly_digest", key, data)
	})
}

// HandleMonthlySummary e-mails one participant the summary of their own
// relationship's month, once, after the month, unless they opted out or
// no longer take part.
func (s *Service) HandleMonthlySummary(ctx context.Context, p workers.MonthlySummaryPayload) error {
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	loc, now := zoneOf(org), s.Clock.Now()
	from, err := time.ParseInLocation("2006-01", p.Month, loc)
	if err != nil {
		return fmt.Errorf("reports: month %q: %v: %w", p.Month, err, asynq.SkipRetry)
	}
	to := from.AddDate(0, 1, 0)
	if now.Before(to) {
		return nil
	}
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		st, id := s.Store, p.RelationshipID
		if rs, err := st.relationshipsBetween(ctx, tx, p.OrgID, &id, from, to); err != nil || len(rs) != 1 {
			return err
		}
		people, err := st.participants(ctx, tx, p.OrgID, id)
		if err != nil {
			return err
		}
		var me []person
		for _, q := range people {
			if q.UserID == p.UserID {
				me = append(me, q)
			}
		}
		if len(me) == 0 {
			return nil
		}
		if out, err := st.optedOut(ctx, tx, p.OrgID, TopicSummary); err != nil || out[p.UserID] {
			return err
		}
		key := summaryKey(p.Month, id, p.UserID)
		if fresh, err := st.recordNudge(ctx, tx, p.OrgID, &id, key, now); err != nil || !fresh {
			return err
		}
		m, err := st.relationshipMonth(ctx, tx, p.OrgID, id, from, to, now)
		if err != nil {
			return err
		}
		next := "none booked yet"
		if m.NextBooked != nil {
			next = m.NextBooked.In(loc).Format("Monday 2 January 2006, 15:04 MST")
		}
		data := map[string]any{"Month": from.Format("January 2006"), "Held": m.Held, "Hours": fmt.Sprintf("%.1f", m.Minutes/60), "Missed": m.Missed,
			"Next": next, "Goals": m.Goals, "Progress": int(m.AvgProgress + 0.5),
			"Link": s.BaseURL + "/o/" + org.Slug + "/relationships/" + id.String() + "/progress"}
		return s.mailEach(ctx, tx, org, TopicSummary, me, "monthly_summary", key, data)
	})
}
