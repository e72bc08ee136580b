package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

// BookingView is what a booking page shows: the open slots of one span
// (a month), not of the whole booking window, so that the page costs
// what it shows whatever the practitioner's hours and window.
type BookingView struct {
	Relationship *relationships.Relationship
	Agreement    *relationships.Agreement // nil without one
	Practitioner *auth.User
	Zone         *time.Location // the practitioner's
	Length       time.Duration
	Place        string
	// Month is the first instant of the month shown (in the viewer's
	// zone); Slots are the open slots starting in it.
	Month time.Time
	Slots []Slot
	// First is the first open slot from now on; nil when none is open.
	First *Slot
	// WindowEnd: no slot starts at or after it (the booking window).
	WindowEnd time.Time
	// Due is when the next session is due by the agreed rhythm, counted
	// from the last session booked or held; Rhythm is the open slot for
	// it (the same wall-clock time in the week from Due, else the first
	// open one then). Both nil without a cadence.
	Due    *time.Time
	Rhythm *Slot
	// Upcoming are the relationship's sessions that have not ended.
	Upcoming []Session
}

// slotSearchStep is how much of the window one search for the first
// open slot computes at a time.
const slotSearchStep = 14 * 24 * time.Hour

// BookingPage loads what a participant's booking page shows: the open
// slots of the relationship's practitioner in one month of loc (the
// month of month; with a zero month, the month of the first open slot,
// else this month), the first open slot, and the slot at the agreed
// rhythm.
func (s *Service) BookingPage(ctx context.Context, orgID, relationshipID, viewerID uuid.UUID, month time.Time, loc *time.Location) (*BookingView, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	v := new(BookingView)
	now := s.Clock.Now()
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		info, err := s.readRelationship(ctx, tx, org, relationshipID, false)
		if err != nil {
			return err
		}
		if info.Side(viewerID) == "" || info.PractitionerID() == uuid.Nil {
			return fmt.Errorf("calendar: %s takes no part in %s: %w", viewerID, relationshipID, db.ErrNotFound)
		}
		v.Relationship, v.Agreement = info.Rel, info.Agreement
		if v.Length, v.Place, err = s.sessionLength(ctx, tx, info); err != nil {
			return err
		}
		if v.Practitioner, err = auth.UserByID(ctx, tx, info.PractitionerID()); err != nil {
			return err
		}
		q, err := s.slotQuery(ctx, tx, org, info.PractitionerID(), v.Length, now, now.AddDate(0, 0, maxWindowDays))
		if err != nil {
			return err
		}
		v.Zone = q.Zone
		v.Month = monthOf(month, now, loc)
		v.WindowEnd = now.AddDate(0, 0, maxWindowDays)
		if q.WindowDays > 0 {
			v.WindowEnd = now.Add(time.Duration(q.WindowDays) * 24 * time.Hour)
		}
		if v.Upcoming, err = store.RelationshipSessions(ctx, orgID, relationshipID, now); err != nil {
			return err
		}
		if info.Rel.Status != relationships.StatusActive {
			return nil
		}
		v.First = firstSlot(q, now, v.WindowEnd, nil)
		if month.IsZero() && v.First != nil {
			month = v.First.Start
		}
		v.Month = monthOf(month, now, loc)
		v.Slots = slotsIn(q, v.Month, v.Month.AddDate(0, 1, 0))
		last, err := store.LastSessionStart(ctx, orgID, relationshipID)
		if err != nil {
			return err
		}
		var anchor *time.Time
		if !last.IsZero() {
			anchor = &last
		}
		if v.Due = relationships.NextSessionDue(info.Rel, info.Agreement, anchor); v.Due != nil {
			v.Rhythm = rhythmSlot(q, *v.Due, anchor, now, v.WindowEnd)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return v, nil
}

// slotsIn computes q's open slots starting in [from, to).
func slotsIn(q SlotQuery, from, to time.Time) []Slot {
	q.From, q.To = from, to
	return Slots(q)
}

// firstSlot is the first open slot in [from, to) that want accepts (nil
// accepts any), computed a fortnight at a time.
func firstSlot(q SlotQuery, from, to time.Time, want func(Slot) bool) *Slot {
	for f := from; f.Before(to); f = f.Add(slotSearchStep) {
		for _, sl := range slotsIn(q, f, earlier(to, f.Add(slotSearchStep))) {
			if want == nil || want(sl) {
				return &sl
			}
		}
	}
	return nil
}

// monthOf is the first instant in loc of t's month (of now's, for a
// zero t).
func monthOf(t, now time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		t = now
	}
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc)
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// rhythmSlot is the open slot for a session due at due: in the week
// from due's local date (or from now, when due has passed), the first at
// the wall-clock time of the last session, else the first open one.
func rhythmSlot(q SlotQuery, due time.Time, anchor *time.Time, now, windowEnd time.Time) *Slot {
	d := due.In(q.Zone)
	from := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, q.Zone)
	if from.Before(now) {
		from = now
	}
	to := earlier(from.AddDate(0, 0, 7), windowEnd)
	if anchor != nil {
		a := anchor.In(q.Zone)
		if sl := firstSlot(q, from, to, func(s Slot) bool {
			l := s.Start.In(q.Zone)
			return l.Hour() == a.Hour() && l.Minute() == a.Minute()
		}); sl != nil {
			return sl
		}
	}
	return firstSlot(q, from, to, nil)
}

// BookInput asks for a session, or a series of them.
type BookInput struct {
	RelationshipID uuid.UUID
	ActorID        uuid.UUID
	Start          time.Time
	// Direct is a practitioner (or admin) scheduling outside the booking
	// rules; double booking is refused all the same.
	Direct bool
	// Admin: the actor is one of the organisation's admins, who may
	// schedule directly in any relationship.
	Admin bool
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
	// PractitionerID, when set, is the practitioner of the relationship
	// who leads the session; else the practitioner who schedules it, else
	// the relationship's first practitioner.
	PractitionerID uuid.UUID
	// LongConfirmed: the person confirmed a session longer than the
	// organisation's usual maximum (tenancy.Settings.LongSession).
	LongConfirmed bool
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
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	var created []Session
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		chk, err := s.checkBooking(ctx, tx, org, in, now, true)
		if err != nil {
			return err
		}
		if s.beforeWrite != nil {
			s.beforeWrite(ctx)
		}
		if err := chk.refusal(); err != nil {
			return err
		}
		info, occ, bs, zone, place, practitionerID := chk.info, chk.occ, chk.bs, chk.zone, chk.place, chk.leader
		var series *Series
		if len(occ) > 1 || in.IntervalDays > 0 {
			series = &Series{
				ID: uuid.Must(uuid.NewV7()), OrgID: orgID, RelationshipID: in.RelationshipID, PractitionerID: practitionerID,
				IntervalDays: in.IntervalDays, Count: in.Count, Until: in.Until, FirstStart: occ[0].Start, CreatedAt: now,
			}
			if err := store.AddSeries(ctx, series); err != nil {
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
				MeetingURL: meetingLink(bs, org),
			}
			if series != nil {
				sess.SeriesID = &series.ID
			}
			if err := store.AddSession(ctx, sess); err != nil {
				if errors.Is(err, db.ErrConflict) {
					return lostRace(occ, o.Index)
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
			if err := store.AddAttendees(ctx, as); err != nil {
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
		if err := s.notify(ctx, tx, info.Org, created, "session_booked", "", nil); err != nil {
			return err
		}
		if capacity > 1 {
			// Every member of the group hears of a new group session (with
			// its invitation), and takes a seat from its page.
			var unseated []uuid.UUID
			for _, m := range info.Members {
				if m != in.ActorID {
					unseated = append(unseated, m)
				}
			}
			return s.notify(ctx, tx, info.Org, created, "session_group", "", unseated)
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, db.ErrConflict) {
			return nil, ErrSlotTaken
		}
		return nil, err
	}
	return created, nil
}

// PlanBooking checks a booking without making it: the occurrences it
// would book, each with the problem that stops it ("" when it fits),
// those left out by in.Skip omitted. The booking page shows it as the
// confirmation step, with the clash report in place.
func (s *Service) PlanBooking(ctx context.Context, orgID uuid.UUID, in BookInput) ([]Occurrence, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var occ []Occurrence
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		chk, err := s.checkBooking(ctx, tx, org, in, s.Clock.Now(), false)
		if err != nil {
			return err
		}
		for _, o := range chk.occ {
			if !slices.Contains(in.Skip, o.Index) {
				occ = append(occ, o)
			}
		}
		return nil
	})
	return occ, err
}

// bookingCheck is a booking read and checked, ready to write.
type bookingCheck struct {
	info   *relInfo
	leader uuid.UUID // who leads the sessions (leader)
	length time.Duration
	place  string
	zone   *time.Location
	bs     BookingSettings
	occ    []Occurrence // every planned occurrence, Problem set on those not skipped
}

// checkBooking reads the relationship (locked, when lock) and plans and
// checks every occurrence of the booking.
func (s *Service) checkBooking(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, in BookInput, now time.Time, lock bool) (*bookingCheck, error) {
	info, err := s.readRelationship(ctx, tx, org, in.RelationshipID, lock)
	if err != nil {
		return nil, err
	}
	if err := mayBook(info, in); err != nil {
		return nil, err
	}
	chk := &bookingCheck{info: info}
	if chk.leader, err = leader(info, in); err != nil {
		return nil, err
	}
	practitionerID := chk.leader
	if chk.length, chk.place, err = s.sessionLength(ctx, tx, info); err != nil {
		return nil, err
	}
	if in.Direct && in.Minutes > 0 {
		chk.length = minutes(in.Minutes)
		// A length typed in (not the agreement's) above the usual maximum
		// is asked about: 600 minutes is more often a slip than a plan.
		if in.Minutes > org.Settings.LongSession() && !in.LongConfirmed {
			return nil, ErrTooLong
		}
	}
	if chk.zone, err = personZone(ctx, tx, info.Org, practitionerID); err != nil {
		return nil, err
	}
	if chk.bs, err = s.Store.WithTx(tx).BookingSettings(ctx, org.ID, practitionerID); err != nil {
		return nil, err
	}
	if chk.occ, err = occurrences(in, chk.zone, chk.length); err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(chk.occ, func(o Occurrence) bool { return !slices.Contains(in.Skip, o.Index) }) {
		return nil, ErrEmptySeries
	}
	// The agreement holds for everyone, direct scheduling included: it is
	// what both sides accepted.
	for _, o := range chk.occ {
		if slices.Contains(in.Skip, o.Index) {
			continue
		}
		if err := agreementRefusal(info, o.Start); err != nil {
			return nil, err
		}
	}
	for i := range chk.occ {
		o := &chk.occ[i]
		if slices.Contains(in.Skip, o.Index) {
			continue
		}
		if o.Problem, err = s.problem(ctx, tx, info, practitionerID, chk.length, chk.bs, o, in.Direct, now); err != nil {
			return nil, err
		}
	}
	return chk, nil
}

// refusal is the error for a checked booking that may not be made: a
// single session that is taken or not offered, or a series with clashes.
func (chk *bookingCheck) refusal() error {
	if !slices.ContainsFunc(chk.occ, func(o Occurrence) bool { return o.Problem != "" }) {
		return nil
	}
	if len(chk.occ) == 1 {
		if chk.occ[0].Problem == problemBusy {
			return ErrSlotTaken
		}
		return ErrNotOffered
	}
	return &ClashError{Occurrences: chk.occ}
}

// mayBook says whether the actor may book in the relationship as it
// stands: its members and practitioners book, its practitioners and the
// organisation's admins schedule directly; an inactive relationship, or
// one without a practitioner, has no sessions.
func mayBook(info *relInfo, in BookInput) error {
	side := info.Side(in.ActorID)
	mayAct := side != "" && info.PractitionerID() != uuid.Nil
	if in.Direct {
		mayAct = side == relationships.SidePractitioner || in.Admin
	}
	if !mayAct {
		return fmt.Errorf("calendar: %s may not book in %s: %w", in.ActorID, in.RelationshipID, db.ErrNotFound)
	}
	if info.Rel.Status != relationships.StatusActive {
		return ErrInactive
	}
	if info.PractitionerID() == uuid.Nil {
		return fmt.Errorf("calendar: relationship %s has no practitioner: %w", in.RelationshipID, db.ErrNotFound)
	}
	return nil
}

// leader is who leads the sessions of a booking: the practitioner chosen,
// else the practitioner who books, else the relationship's first.
func leader(info *relInfo, in BookInput) (uuid.UUID, error) {
	switch {
	case in.PractitionerID != uuid.Nil:
		if info.Side(in.PractitionerID) != relationships.SidePractitioner {
			return uuid.Nil, ErrNotLeader
		}
		return in.PractitionerID, nil
	case info.Side(in.ActorID) == relationships.SidePractitioner:
		return in.ActorID, nil
	}
	return info.PractitionerID(), nil
}

// AgreementError is a booking the relationship's agreement does not
// allow: while it awaits acceptance, or outside its dates. Message says
// why, for the person booking.
type AgreementError struct{ Message string }

func (e *AgreementError) Error() string { return "calendar: refused by the agreement: " + e.Message }

// agreementRefusal checks a session starting at start against the
// relationship's agreement, in the organisation's zone (a relationship
// without an agreement is not held to one).
func agreementRefusal(info *relInfo, start time.Time) error {
	loc := time.UTC
	if info.Org != nil {
		if l := loadZone(info.Org.TimeZone); l != nil {
			loc = l
		}
	}
	if msg := relationships.BookingRefusal(info.Rel, info.Agreement, start, loc); msg != "" {
		return &AgreementError{Message: msg}
	}
	return nil
}

// lostRace is the error for a booking whose occurrence index was taken
// by another booking after the checks passed (the database refused it):
// ErrSlotTaken for a single session; for a series, the same *ClashError
// as the checks give, naming the occurrence taken, so that the person
// can book the others without it.
func lostRace(occ []Occurrence, index int) error {
	if len(occ) == 1 {
		return ErrSlotTaken
	}
	out := slices.Clone(occ)
	for i := range out {
		if out[i].Index == index {
			out[i].Problem = problemBusy
		}
	}
	return &ClashError{Occurrences: out}
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
