package calendar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Service holds the calendar's rules: availability, booking without
// double booking, series, group seats, cancellation and rescheduling
// with notice, attendance, subscriptions and reminders.
type Service struct {
	DB            *db.DB
	Clock         clock.Clock
	Mail          *mail.Service
	Relationships *relationships.Store
	Tenancy       *tenancy.Store
	Log           *slog.Logger
	BaseURL       string
	// ReminderHook, when set, runs inside a reminder's transaction after
	// its e-mails are queued and before it commits (tests use it to kill
	// a worker mid-way).
	ReminderHook func(ctx context.Context)
}

// relInfo is what booking needs to know about a relationship; it is read
// before the booking transaction (the relationships store runs its own).
type relInfo struct {
	Rel           *relationships.Relationship
	Agreement     *relationships.Agreement
	Practitioners []uuid.UUID
	Members       []uuid.UUID
	Org           *tenancy.Organisation
}

// PractitionerID is the relationship's (first) practitioner.
func (r *relInfo) PractitionerID() uuid.UUID {
	if len(r.Practitioners) == 0 {
		return uuid.Nil
	}
	return r.Practitioners[0]
}

func (s *Service) relationship(ctx context.Context, orgID, relationshipID uuid.UUID) (*relInfo, error) {
	rel, err := s.Relationships.Get(ctx, orgID, relationshipID)
	if err != nil {
		return nil, err
	}
	info := &relInfo{Rel: rel}
	if a, err := s.Relationships.AgreementFor(ctx, orgID, relationshipID); err == nil {
		info.Agreement = a
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	ps, err := s.Relationships.Participants(ctx, orgID, relationshipID)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		if p.Side == relationships.SidePractitioner {
			info.Practitioners = append(info.Practitioners, p.UserID)
		} else {
			info.Members = append(info.Members, p.UserID)
		}
	}
	if info.Org, err = s.Tenancy.OrgByID(ctx, orgID); err != nil {
		return nil, err
	}
	return info, nil
}

// Side says how a person takes part in a relationship: practitioner,
// member, or "" for not at all.
func (r *relInfo) Side(userID uuid.UUID) string {
	switch {
	case slices.Contains(r.Practitioners, userID):
		return relationships.SidePractitioner
	case slices.Contains(r.Members, userID):
		return relationships.SideMember
	}
	return ""
}

// loadZone is a zone by name, or nil.
func loadZone(name string) *time.Location {
	if name == "" || name == "Local" {
		return nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	return loc
}

// personZone is a practitioner's zone: their profile's, else their
// account's, else the organisation's, else UTC.
func personZone(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, userID uuid.UUID) (*time.Location, error) {
	z, err := relationships.ProfileTimeZone(ctx, tx, org.ID, userID)
	if err != nil {
		return nil, err
	}
	if loc := loadZone(z); loc != nil {
		return loc, nil
	}
	u, err := auth.UserByID(ctx, tx, userID)
	if err != nil {
		return nil, err
	}
	if loc := loadZone(u.TimeZone); loc != nil {
		return loc, nil
	}
	if loc := loadZone(org.TimeZone); loc != nil {
		return loc, nil
	}
	return time.UTC, nil
}

// sessionLength is the agreement's length, else the organisation's
// session type for the kind, else an hour; and likewise the place.
func sessionLength(ctx context.Context, tx bun.IDB, info *relInfo) (time.Duration, string, error) {
	minutes, place := 0, ""
	if a := info.Agreement; a != nil {
		minutes, place = a.SessionMinutes, a.Place
	}
	if minutes <= 0 || place == "" {
		st, err := loadSessionType(ctx, tx, info.Rel.OrgID, string(info.Rel.Kind))
		if err != nil {
			return 0, "", err
		}
		if st != nil {
			if minutes <= 0 {
				minutes = st.Minutes
			}
			if place == "" {
				place = st.Place
			}
		}
	}
	if minutes <= 0 {
		minutes = 60
	}
	return time.Duration(minutes) * time.Minute, place, nil
}

// slotQuery assembles the practitioner's availability for [from, to).
func (s *Service) slotQuery(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, practitionerID uuid.UUID, length time.Duration, from, to time.Time) (SlotQuery, error) {
	zone, err := personZone(ctx, tx, org, practitionerID)
	if err != nil {
		return SlotQuery{}, err
	}
	rules, err := loadRules(ctx, tx, org.ID, practitionerID)
	if err != nil {
		return SlotQuery{}, err
	}
	overrides, err := loadOverrides(ctx, tx, org.ID, practitionerID, from.In(zone).AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return SlotQuery{}, err
	}
	bs, err := loadBookingSettings(ctx, tx, org.ID, practitionerID)
	if err != nil {
		return SlotQuery{}, err
	}
	// Sessions of the whole weeks around the span count toward limits.
	busy, err := busyBetween(ctx, tx, org.ID, practitionerID, from.AddDate(0, 0, -8), to.AddDate(0, 0, 8))
	if err != nil {
		return SlotQuery{}, err
	}
	q := SlotQuery{
		Zone: zone, Length: length,
		BufferBefore: minutes(bs.BufferBeforeMin), BufferAfter: minutes(bs.BufferAfterMin), MinNotice: minutes(bs.MinNoticeMin),
		WindowDays: bs.WindowDays, MaxPerDay: bs.MaxPerDay, MaxPerWeek: bs.MaxPerWeek,
		Now: s.Clock.Now(), From: from, To: to,
	}
	for _, r := range rules {
		q.Rules = append(q.Rules, WeeklyRule{Weekday: time.Weekday(r.Weekday), StartMinute: r.StartMinute, EndMinute: r.EndMinute, Zone: loadZone(r.TimeZone)})
	}
	for _, o := range overrides {
		q.Overrides = append(q.Overrides, DateOverride{Day: o.Day, DayOff: o.DayOff, StartMinute: o.StartMinute, EndMinute: o.EndMinute})
	}
	for _, b := range busy {
		q.Busy = append(q.Busy, Interval{From: b.BusyFrom, To: b.BusyTo})
		q.Starts = append(q.Starts, b.StartsAt)
	}
	return q, nil
}

func minutes(n int) time.Duration { return time.Duration(n) * time.Minute }

// BookingView is what a booking page shows.
type BookingView struct {
	Relationship *relationships.Relationship
	Practitioner *auth.User
	Zone         *time.Location // the practitioner's
	Length       time.Duration
	Place        string
	Slots        []Slot
	Upcoming     []Session
}

// BookingPage loads the open slots of a relationship's practitioner for
// the next days, for a participant.
func (s *Service) BookingPage(ctx context.Context, orgID, relationshipID, viewerID uuid.UUID, days int) (*BookingView, error) {
	info, err := s.relationship(ctx, orgID, relationshipID)
	if err != nil {
		return nil, err
	}
	if info.Side(viewerID) == "" || info.PractitionerID() == uuid.Nil {
		return nil, fmt.Errorf("calendar: %s takes no part in %s: %w", viewerID, relationshipID, db.ErrNotFound)
	}
	v := &BookingView{Relationship: info.Rel}
	now := s.Clock.Now()
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if v.Length, v.Place, err = sessionLength(ctx, tx, info); err != nil {
			return err
		}
		if v.Practitioner, err = auth.UserByID(ctx, tx, info.PractitionerID()); err != nil {
			return err
		}
		q, err := s.slotQuery(ctx, tx, info.Org, info.PractitionerID(), v.Length, now, now.AddDate(0, 0, days))
		if err != nil {
			return err
		}
		v.Zone = q.Zone
		if info.Rel.Status == relationships.StatusActive {
			v.Slots = Slots(q)
		}
		v.Upcoming, err = relationshipSessions(ctx, tx, orgID, relationshipID, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// BookInput asks for a session, or a series of them.
type BookInput struct {
	RelationshipID uuid.UUID
	ActorID        uuid.UUID
	Start          time.Time
	// Direct is a practitioner (or admin) scheduling outside the booking
	// rules; double booking is refused all the same.
	Direct bool
	// Minutes overrides the agreement's length (direct scheduling only).
	Minutes int
	// IntervalDays > 0 makes a series: Count occurrences, or until the
	// local date Until (inclusive).
	IntervalDays int
	Count        int
	Until        string
	// Skip lists occurrence indexes to leave out (after a clash report).
	Skip []int
	// Capacity above 1 makes a group session with seats.
	Capacity int
	// IP is where the request came from (the audit log keeps it).
	IP string
}

// maxOccurrences bounds a series.
const maxOccurrences = 52

// occurrences plans the starts of a booking, keeping the wall-clock time
// in the practitioner's zone across daylight-saving changes.
func occurrences(in BookInput, zone *time.Location, length time.Duration) ([]Occurrence, error) {
	if in.IntervalDays <= 0 {
		return []Occurrence{{Index: 0, Start: in.Start.UTC(), End: in.Start.Add(length).UTC()}}, nil
	}
	var until time.Time
	if in.Until != "" {
		d, err := time.ParseInLocation(time.DateOnly, in.Until, zone)
		if err != nil {
			return nil, fmt.Errorf("calendar: until %q: %w", in.Until, err)
		}
		until = d.AddDate(0, 0, 1)
	}
	local := in.Start.In(zone)
	var out []Occurrence
	for i := 0; i < maxOccurrences; i++ {
		if in.Count > 0 && i >= in.Count {
			break
		}
		st := local.AddDate(0, 0, i*in.IntervalDays)
		if !until.IsZero() && !st.Before(until) {
			break
		}
		if in.Count <= 0 && until.IsZero() && i > 0 {
			break
		}
		out = append(out, Occurrence{Index: i, Start: st.UTC(), End: st.Add(length).UTC()})
	}
	return out, nil
}

// Book creates a session, or a series, for a relationship. Every
// occurrence is checked first; if any clashes (and is not in Skip) the
// whole booking is refused with a *ClashError naming them. Two bookings
// of the same time at once: one gets ErrSlotTaken, by the database's
// exclusion constraint (Postgres) or the check inside the write-locked
// transaction (SQLite).
func (s *Service) Book(ctx context.Context, orgID uuid.UUID, in BookInput) ([]Session, error) {
	info, err := s.relationship(ctx, orgID, in.RelationshipID)
	if err != nil {
		return nil, err
	}
	if info.Rel.Status != relationships.StatusActive {
		return nil, ErrInactive
	}
	practitionerID := info.PractitionerID()
	if practitionerID == uuid.Nil {
		return nil, fmt.Errorf("calendar: relationship %s has no practitioner: %w", in.RelationshipID, db.ErrNotFound)
	}
	now := s.Clock.Now()
	var created []Session
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		length, place, err := sessionLength(ctx, tx, info)
		if err != nil {
			return err
		}
		if in.Direct && in.Minutes > 0 {
			length = minutes(in.Minutes)
		}
		zone, err := personZone(ctx, tx, info.Org, practitionerID)
		if err != nil {
			return err
		}
		bs, err := loadBookingSettings(ctx, tx, orgID, practitionerID)
		if err != nil {
			return err
		}
		occ, err := occurrences(in, zone, length)
		if err != nil {
			return err
		}
		clash := false
		for i := range occ {
			o := &occ[i]
			if slices.Contains(in.Skip, o.Index) {
				continue
			}
			o.Problem, err = s.problem(ctx, tx, info, practitionerID, length, bs, o, in.Direct, now)
			if err != nil {
				return err
			}
			clash = clash || o.Problem != ""
		}
		if clash {
			if len(occ) == 1 {
				if occ[0].Problem == problemBusy {
					return ErrSlotTaken
				}
				return ErrNotOffered
			}
			return &ClashError{Occurrences: occ}
		}
		var series *Series
		if len(occ) > 1 || in.IntervalDays > 0 {
			series = &Series{
				ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: in.RelationshipID, PractitionerID: practitionerID,
				IntervalDays: in.IntervalDays, Count: in.Count, Until: in.Until, FirstStart: occ[0].Start, CreatedAt: now,
			}
			if err := insertSeries(ctx, tx, series); err != nil {
				return err
			}
		}
		capacity := max(in.Capacity, 1)
		for _, o := range occ {
			if slices.Contains(in.Skip, o.Index) {
				continue
			}
			sess := &Session{
				ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: in.RelationshipID, PractitionerID: practitionerID,
				Kind: string(info.Rel.Kind), Title: sessionTitle(info), StartsAt: o.Start, EndsAt: o.End,
				BusyFrom: o.Start.Add(-minutes(bs.BufferBeforeMin)), BusyTo: o.End.Add(minutes(bs.BufferAfterMin)),
				TimeZone: zone.String(), Place: place, Status: StatusScheduled, Version: 1, SeriesIndex: o.Index,
				Capacity: capacity, CreatedBy: &in.ActorID, CreatedAt: now, UpdatedAt: now,
			}
			if series != nil {
				sess.SeriesID = &series.ID
			}
			if err := insertSession(ctx, tx, sess); err != nil {
				if errors.Is(err, db.ErrConflict) {
					return ErrSlotTaken
				}
				return err
			}
			var as []Attendee
			if !sess.IsGroup() {
				for _, m := range info.Members {
					as = append(as, Attendee{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, SessionID: sess.ID, UserID: m, Status: AttendeeBooked, CreatedAt: now, UpdatedAt: now})
				}
			} else if side := info.Side(in.ActorID); side == relationships.SideMember {
				// A member booking a group session takes the first seat.
				as = append(as, Attendee{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, SessionID: sess.ID, UserID: in.ActorID, Status: AttendeeBooked, CreatedAt: now, UpdatedAt: now})
			}
			if err := insertAttendees(ctx, tx, as); err != nil {
				return err
			}
			if err := s.scheduleReminders(ctx, tx, info.Org, sess, now); err != nil {
				return err
			}
			created = append(created, *sess)
		}
		if in.Direct {
			detail := fmt.Sprintf("%d session(s) of relationship %s, scheduled outside the booking rules", len(created), in.RelationshipID)
			if err := recordAudit(ctx, tx, orgID, in.ActorID, in.IP, ActionScheduledDirectly, sessionTarget(&created[0]), detail, now); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, info.Org, created, "session_booked", "", nil)
	})
	if err != nil {
		if errors.Is(err, db.ErrConflict) {
			return nil, ErrSlotTaken
		}
		return nil, err
	}
	return created, nil
}

// Occurrence problems.
const (
	problemBusy      = "clashes with another session"
	problemNotOpen   = "outside the practitioner's open hours"
	problemTooSoon   = "too soon (minimum notice)"
	problemInThePast = "in the past"
	// problemBeyondWindow: past the practitioner's booking window (days).
	problemBeyondWindow = "beyond the booking window (%d days ahead)"
)

// problem says why one occurrence cannot be booked, or "".
func (s *Service) problem(ctx context.Context, tx bun.IDB, info *relInfo, practitionerID uuid.UUID, length time.Duration, bs BookingSettings, o *Occurrence, direct bool, now time.Time, except ...uuid.UUID) (string, error) {
	if !o.Start.After(now) {
		return problemInThePast, nil
	}
	busy, err := busyBetween(ctx, tx, info.Org.ID, practitionerID, o.Start.Add(-minutes(bs.BufferBeforeMin)), o.End.Add(minutes(bs.BufferAfterMin)), except...)
	if err != nil {
		return "", err
	}
	if len(busy) > 0 {
		return problemBusy, nil
	}
	if direct {
		return "", nil
	}
	if o.Start.Before(now.Add(minutes(bs.MinNoticeMin))) {
		return problemTooSoon, nil
	}
	// The booking window holds for every occurrence of a series, not
	// only the first: a member cannot reach past it by repeating.
	if bs.WindowDays > 0 && !o.Start.Before(now.Add(time.Duration(bs.WindowDays)*24*time.Hour)) {
		return fmt.Sprintf(problemBeyondWindow, bs.WindowDays), nil
	}
	// The occurrence must be one of the open slots of its own day.
	q, err := s.slotQuery(ctx, tx, info.Org, practitionerID, length, o.Start.Add(-time.Minute), o.Start.Add(time.Minute))
	if err != nil {
		return "", err
	}
	q.Step = time.Minute
	// Clashes were checked above (and the database checks them again);
	// here only the open hours, notice, window and limits count, so that
	// a booking that lost a race is told "taken", not "not open".
	q.Busy = nil
	if len(except) > 0 {
		// The sessions being moved do not count toward the limits.
		q.Starts = nil
		others, err := busyBetween(ctx, tx, info.Org.ID, practitionerID, o.Start.AddDate(0, 0, -8), o.End.AddDate(0, 0, 8), except...)
		if err != nil {
			return "", err
		}
		for _, b := range others {
			q.Starts = append(q.Starts, b.StartsAt)
		}
	}
	for _, sl := range Slots(q) {
		if sl.Start.Equal(o.Start) {
			return "", nil
		}
	}
	return problemNotOpen, nil
}

func sessionTitle(info *relInfo) string {
	if info.Rel.Title != "" {
		return info.Rel.Title
	}
	switch info.Rel.Kind {
	case relationships.Coaching:
		return "Coaching session"
	case relationships.Supervision:
		return "Supervision session"
	}
	return "Mentoring session"
}

// offsets are the organisation's reminder offsets, in minutes.
func offsets(org *tenancy.Organisation) []int {
	if len(org.Settings.ReminderOffsetsMinutes) > 0 {
		return org.Settings.ReminderOffsetsMinutes
	}
	return tenancy.DefaultSettings().ReminderOffsetsMinutes
}

// scheduleReminders records a reminder task per offset for the session's
// current version. An offset already past (a session booked two hours
// ahead has no use for its 24-hour reminder) is not scheduled at all.
func (s *Service) scheduleReminders(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, sess *Session, now time.Time) error {
	for _, off := range offsets(org) {
		if off <= 0 {
			continue
		}
		due := sess.StartsAt.Add(-minutes(off))
		if due.Before(now) {
			continue
		}
		p := workers.SessionReminderPayload{OrgID: org.ID, SessionID: sess.ID, Version: sess.Version, OffsetMinutes: off}
		if err := outbox.Add(ctx, tx, now, workers.NewSessionReminderTask(p, due)); err != nil {
			return err
		}
	}
	return nil
}

// ChangeInput asks to cancel or move a session.
type ChangeInput struct {
	SessionID uuid.UUID
	ActorID   uuid.UUID
	// Privileged: the session's practitioner side, or an admin.
	Privileged bool
	// OverrideNotice: a privileged person overrides the minimum notice.
	OverrideNotice bool
	Reason         string
	// Following applies the change to this and the following sessions of
	// the series.
	Following bool
	// NewStart is the new time (reschedule only).
	NewStart time.Time
	// IP is where the request came from (the audit log keeps it).
	IP string
}

// noticeCheck applies the organisation's minimum notice to a change of a
// session starting at start; it reports whether the notice was overridden.
func noticeCheck(org *tenancy.Organisation, in ChangeInput, start, now time.Time) (bool, error) {
	notice := time.Duration(org.Settings.MinCancelNoticeHours) * time.Hour
	if !start.Before(now.Add(notice)) {
		return false, nil
	}
	if in.Privileged && in.OverrideNotice {
		return true, nil
	}
	return false, ErrTooLate
}

// targets loads the session and, for "this and following", the later
// scheduled sessions of its series.
func (s *Service) targets(ctx context.Context, tx bun.IDB, orgID uuid.UUID, in ChangeInput) ([]Session, error) {
	sess, err := lockSession(ctx, tx, s.DB.Engine, orgID, in.SessionID)
	if err != nil {
		return nil, err
	}
	if sess.Status != StatusScheduled {
		return nil, ErrNotChangeable
	}
	if !in.Following || sess.SeriesID == nil {
		return []Session{*sess}, nil
	}
	return seriesFrom(ctx, tx, orgID, *sess.SeriesID, sess.SeriesIndex)
}

// Cancel cancels a session (or it and the following ones of its series),
// keeping the reason, and tells everyone affected with a METHOD:CANCEL
// invitation. The version rises, so its reminders do nothing.
func (s *Service) Cancel(ctx context.Context, orgID uuid.UUID, in ChangeInput) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sessions, err := s.targets(ctx, tx, orgID, in)
		if err != nil {
			return err
		}
		var changed []Session
		for _, sess := range sessions {
			overridden, err := noticeCheck(org, in, sess.StartsAt, now)
			if err != nil {
				return err
			}
			sess.Status, sess.CancelReason, sess.CancelledBy, sess.CancelledAt = StatusCancelled, in.Reason, &in.ActorID, &now
			sess.OverrideNotice = sess.OverrideNotice || overridden
			sess.Version++
			sess.UpdatedAt = now
			if err := updateSession(ctx, tx, &sess, "status", "cancel_reason", "cancelled_by", "cancelled_at", "override_notice", "version", "updated_at"); err != nil {
				return err
			}
			if overridden {
				detail := fmt.Sprintf("inside the %d-hour minimum notice; reason: %s", org.Settings.MinCancelNoticeHours, in.Reason)
				if err := recordAudit(ctx, tx, orgID, in.ActorID, in.IP, ActionCancelOverride, sessionTarget(&sess), detail, now); err != nil {
					return err
				}
			}
			changed = append(changed, sess)
		}
		return s.notify(ctx, tx, org, changed, "session_cancelled", in.Reason, nil)
	})
}

// Reschedule moves a session (or it and the following ones, by the same
// amount) to a new time, within the notice policy and never onto a busy
// time. The version rises: old reminders do nothing, new ones are
// scheduled, and calendar apps update the event (ICS SEQUENCE).
func (s *Service) Reschedule(ctx context.Context, orgID uuid.UUID, in ChangeInput) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if !in.NewStart.After(now) {
		return ErrNotOffered
	}
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sessions, err := s.targets(ctx, tx, orgID, in)
		if err != nil {
			return err
		}
		first := sessions[0]
		zone := loadZone(first.TimeZone)
		if zone == nil {
			zone = time.UTC
		}
		bs, err := loadBookingSettings(ctx, tx, orgID, first.PractitionerID)
		if err != nil {
			return err
		}
		// Following sessions keep their distance in days and their wall-
		// clock time in the practitioner's zone.
		oldLocal, newLocal := first.StartsAt.In(zone), in.NewStart.In(zone)
		dayShift := int(dateOf(newLocal).Sub(dateOf(oldLocal)).Hours() / 24)
		shift := time.Duration(newLocal.Hour()-oldLocal.Hour())*time.Hour + time.Duration(newLocal.Minute()-oldLocal.Minute())*time.Minute
		var ids []uuid.UUID
		for _, sess := range sessions {
			ids = append(ids, sess.ID)
		}
		var changed []Session
		for i, sess := range sessions {
			overridden, err := noticeCheck(org, in, sess.StartsAt, now)
			if err != nil {
				return err
			}
			target := sessionTarget(&sess) // at its old time
			length := sess.EndsAt.Sub(sess.StartsAt)
			start := in.NewStart.UTC()
			if i > 0 {
				l := sess.StartsAt.In(zone).AddDate(0, 0, dayShift)
				start = time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), 0, 0, zone).Add(shift).UTC()
			}
			if !in.Privileged {
				// A member moves a session only to an open time, with notice.
				if _, err := noticeCheck(org, in, start, now); err != nil {
					return err
				}
				o := &Occurrence{Index: 0, Start: start, End: start.Add(length)}
				p, err := s.problem(ctx, tx, &relInfo{Org: org}, sess.PractitionerID, length, bs, o, false, now, ids...)
				if err != nil {
					return err
				}
				if p == problemBusy {
					return ErrSlotTaken
				}
				if p != "" {
					return ErrNotOffered
				}
			}
			sess.StartsAt, sess.EndsAt = start, start.Add(length)
			sess.BusyFrom, sess.BusyTo = start.Add(-minutes(bs.BufferBeforeMin)), start.Add(length+minutes(bs.BufferAfterMin))
			busy, err := busyBetween(ctx, tx, orgID, sess.PractitionerID, sess.BusyFrom, sess.BusyTo, ids...)
			if err != nil {
				return err
			}
			if len(busy) > 0 {
				return ErrSlotTaken
			}
			if overridden {
				detail := fmt.Sprintf("inside the %d-hour minimum notice; moved to %s", org.Settings.MinCancelNoticeHours, start.Format("2006-01-02 15:04 UTC"))
				if in.Reason != "" {
					detail += "; reason: " + in.Reason
				}
				if err := recordAudit(ctx, tx, orgID, in.ActorID, in.IP, ActionMoveOverride, target, detail, now); err != nil {
					return err
				}
			}
			sess.OverrideNotice = sess.OverrideNotice || overridden
			sess.Version++
			sess.UpdatedAt = now
			changed = append(changed, sess)
		}
		// Park them all outside the no-overlap rule, then place them, so
		// that a series moving into its own old times never meets itself
		// half-way.
		if err := parkSessions(ctx, tx, orgID, ids); err != nil {
			return err
		}
		for i := range changed {
			if err := updateSession(ctx, tx, &changed[i], "status", "starts_at", "ends_at", "busy_from", "busy_to", "override_notice", "version", "updated_at"); err != nil {
				if errors.Is(err, db.ErrConflict) {
					return ErrSlotTaken
				}
				return err
			}
			if err := s.scheduleReminders(ctx, tx, org, &changed[i], now); err != nil {
				return err
			}
		}
		return s.notify(ctx, tx, org, changed, "session_moved", in.Reason, nil)
	})
	if errors.Is(err, db.ErrConflict) {
		return ErrSlotTaken
	}
	return err
}

func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Join gives a member of the relationship a seat in a group session, or
// a place on its waitlist when every seat is taken.
func (s *Service) Join(ctx context.Context, orgID, sessionID, userID uuid.UUID) (string, error) {
	now := s.Clock.Now()
	status := ""
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := lockSession(ctx, tx, s.DB.Engine, orgID, sessionID)
		if err != nil {
			return err
		}
		if sess.Status != StatusScheduled || !sess.StartsAt.After(now) {
			return ErrNotChangeable
		}
		as, err := loadAttendees(ctx, tx, orgID, sessionID)
		if err != nil {
			return err
		}
		booked, lastPos := 0, 0
		var mine *Attendee
		for i := range as {
			a := &as[i]
			if a.UserID == userID {
				mine = a
			}
			if a.Status == AttendeeBooked {
				booked++
			}
			lastPos = max(lastPos, a.WaitlistPosition)
		}
		if mine != nil && mine.Status != AttendeeCancelled {
			status = mine.Status
			return nil
		}
		status = AttendeeBooked
		pos := 0
		if booked >= sess.Capacity {
			status, pos = AttendeeWaitlisted, lastPos+1
		}
		if mine != nil {
			mine.Status, mine.WaitlistPosition, mine.UpdatedAt = status, pos, now
			return updateAttendee(ctx, tx, mine)
		}
		return insertAttendees(ctx, tx, []Attendee{{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, SessionID: sessionID, UserID: userID, Status: status, WaitlistPosition: pos, CreatedAt: now, UpdatedAt: now}})
	})
	return status, err
}

// Leave gives up a seat (or a waitlist place); a freed seat goes to the
// first person on the waitlist, who is told by e-mail.
func (s *Service) Leave(ctx context.Context, orgID, sessionID, userID uuid.UUID) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := lockSession(ctx, tx, s.DB.Engine, orgID, sessionID)
		if err != nil {
			return err
		}
		as, err := loadAttendees(ctx, tx, orgID, sessionID)
		if err != nil {
			return err
		}
		var mine, next *Attendee
		for i := range as {
			a := &as[i]
			if a.UserID == userID {
				mine = a
			}
			if a.Status == AttendeeWaitlisted && a.UserID != userID && (next == nil || a.WaitlistPosition < next.WaitlistPosition) {
				next = a
			}
		}
		if mine == nil || mine.Status == AttendeeCancelled {
			return nil
		}
		freed := mine.Status == AttendeeBooked
		mine.Status, mine.WaitlistPosition, mine.UpdatedAt = AttendeeCancelled, 0, now
		if err := updateAttendee(ctx, tx, mine); err != nil {
			return err
		}
		if !freed || next == nil || sess.Status != StatusScheduled {
			return nil
		}
		next.Status, next.WaitlistPosition, next.UpdatedAt = AttendeeBooked, 0, now
		if err := updateAttendee(ctx, tx, next); err != nil {
			return err
		}
		return s.notify(ctx, tx, org, []Session{*sess}, "session_seat", "", []uuid.UUID{next.UserID})
	})
}

// Outcomes a practitioner marks after a session.
var Outcomes = []string{StatusCompleted, StatusNoShow, StatusCancelledLate}

// MarkAttendance records the outcome of a session that has started and,
// for group sessions, each attendee's own attendance (userID → attended
// or no_show). Completed sessions count toward hours.
func (s *Service) MarkAttendance(ctx context.Context, orgID, sessionID uuid.UUID, outcome string, each map[uuid.UUID]string) error {
	if !slices.Contains(Outcomes, outcome) {
		return fmt.Errorf("calendar: outcome %q: %w", outcome, ErrNotChangeable)
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := lockSession(ctx, tx, s.DB.Engine, orgID, sessionID)
		if err != nil {
			return err
		}
		if sess.Status == StatusCancelled {
			return ErrNotChangeable
		}
		if sess.StartsAt.After(now) {
			return ErrNotYet
		}
		sess.Status, sess.UpdatedAt = outcome, now
		if err := updateSession(ctx, tx, sess, "status", "updated_at"); err != nil {
			return err
		}
		as, err := loadAttendees(ctx, tx, orgID, sessionID)
		if err != nil {
			return err
		}
		for i := range as {
			a := &as[i]
			if a.Status == AttendeeCancelled || a.Status == AttendeeWaitlisted {
				continue
			}
			st, ok := each[a.UserID]
			if !ok || (st != AttendeeAttended && st != AttendeeNoShow) {
				st = AttendeeAttended
				if outcome != StatusCompleted {
					st = AttendeeNoShow
				}
			}
			a.Status, a.UpdatedAt = st, now
			if err := updateAttendee(ctx, tx, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// SessionView is a session with the people in it.
type SessionView struct {
	Session
	Practitioner *auth.User
	Attendees    []AttendeeView
	Booked       int
}

// AttendeeView is an attendee with their name.
type AttendeeView struct {
	Attendee
	Name, Email string
}

// SessionDetail loads a session with its attendees.
func (s *Service) SessionDetail(ctx context.Context, orgID, sessionID uuid.UUID) (*SessionView, error) {
	v := new(SessionView)
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := getSession(ctx, tx, orgID, sessionID)
		if err != nil {
			return err
		}
		v.Session = *sess
		if v.Practitioner, err = auth.UserByID(ctx, tx, sess.PractitionerID); err != nil {
			return err
		}
		as, err := loadAttendees(ctx, tx, orgID, sessionID)
		if err != nil {
			return err
		}
		for _, a := range as {
			u, err := auth.UserByID(ctx, tx, a.UserID)
			if err != nil {
				return err
			}
			v.Attendees = append(v.Attendees, AttendeeView{Attendee: a, Name: u.Name, Email: u.Email})
			if a.Status == AttendeeBooked || a.Status == AttendeeAttended || a.Status == AttendeeNoShow {
				v.Booked++
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// Participates reports whether a person takes part in a session: its
// practitioner, an attendee, or a participant of its relationship.
func (s *Service) Participates(ctx context.Context, v *SessionView, userID uuid.UUID) (side string, err error) {
	if v.PractitionerID == userID {
		return relationships.SidePractitioner, nil
	}
	side, err = s.Relationships.Side(ctx, v.OrgID, v.RelationshipID, userID)
	if errors.Is(err, db.ErrNotFound) {
		for _, a := range v.Attendees {
			if a.UserID == userID {
				return relationships.SideMember, nil
			}
		}
		return "", nil
	}
	return side, err
}

// SessionsOf lists the sessions a person takes part in during [from, to).
func (s *Service) SessionsOf(ctx context.Context, orgID, userID uuid.UUID, from, to time.Time) ([]Session, error) {
	var out []Session
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var err error
		out, err = sessionsOf(ctx, q, orgID, userID, from, to)
		return err
	})
	return out, err
}

// Upcoming lists the next n scheduled sessions a person takes part in,
// soonest first (the "Next sessions" of their own support page).
func (s *Service) Upcoming(ctx context.Context, orgID, userID uuid.UUID, n int) ([]Session, error) {
	if n <= 0 {
		return nil, nil
	}
	now := s.Clock.Now()
	var out []Session
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = upcomingOf(ctx, tx, orgID, userID, now, min(n, 50))
		return err
	})
	return out, err
}

// HandleSessionReminder sends one reminder of a session to each person in
// it, at most once per session, offset and person. It does nothing for a
// session that was cancelled or changed since the task was recorded (the
// version differs; the change recorded its own reminders); if it runs
// early (Asynq may start a task up to a second before its time) it
// records itself again for the right time and does nothing now.
func (s *Service) HandleSessionReminder(ctx context.Context, p workers.SessionReminderPayload) error {
	if p.OrgID == uuid.Nil || p.SessionID == uuid.Nil {
		return nil
	}
	org, err := s.Tenancy.OrgByID(ctx, p.OrgID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		sess, err := lockSession(ctx, tx, s.DB.Engine, p.OrgID, p.SessionID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if sess.Status != StatusScheduled || sess.Version != p.Version {
			return nil
		}
		due := sess.StartsAt.Add(-minutes(p.OffsetMinutes))
		if now.Before(due) {
			return outbox.Add(ctx, tx, now, workers.NewSessionReminderTask(p, due))
		}
		if !now.Before(sess.StartsAt) {
			return nil // the session has begun: a reminder now is pointless
		}
		people, err := sessionPeople(ctx, tx, sess)
		if err != nil {
			return err
		}
		for _, userID := range people {
			fresh, err := recordDelivery(ctx, tx, &delivery{
				ID: uuid.Must(uuid.NewV7()), OrgID: p.OrgID, SessionID: sess.ID, OffsetMinutes: p.OffsetMinutes,
				UserID: userID, SessionVersion: sess.Version, DeliveredAt: now,
			})
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			if err := s.notify(ctx, tx, org, []Session{*sess}, "session_reminder", "", []uuid.UUID{userID}); err != nil {
				return err
			}
		}
		if s.ReminderHook != nil {
			s.ReminderHook(ctx)
		}
		return nil
	})
}

// sessionPeople are the practitioner and the booked attendees.
func sessionPeople(ctx context.Context, tx bun.IDB, sess *Session) ([]uuid.UUID, error) {
	as, err := loadAttendees(ctx, tx, sess.OrgID, sess.ID)
	if err != nil {
		return nil, err
	}
	people := []uuid.UUID{sess.PractitionerID}
	for _, a := range as {
		if a.Status == AttendeeBooked && !slices.Contains(people, a.UserID) {
			people = append(people, a.UserID)
		}
	}
	return people, nil
}

// sortSessions orders sessions by start.
func sortSessions(ss []Session) {
	sort.Slice(ss, func(i, j int) bool { return ss[i].StartsAt.Before(ss[j].StartsAt) })
}
