package calendar

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
)

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

// Book creates a session, or a series, for a relationship. It reads what
// it checks in the transaction that writes the sessions: the
// relationship, held as read until the write (a status change waits for
// it), that the actor takes part and that it is active (mayBook), and
// every occurrence; if any clashes (and is not in Skip) the whole
// booking is refused with a *ClashError naming them. Two bookings
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

// relInfo is what booking needs to know about a relationship, read in
// the transaction that books (readRelationship).
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

// readRelationship reads a relationship, its agreement and its people in
// tx. With lock, the relationship stays as read (status, participants)
// until tx ends, so that a booking writes what it checked.
func (s *Service) readRelationship(ctx context.Context, tx bun.IDB, org *tenancy.Organisation, relationshipID uuid.UUID, lock bool) (*relInfo, error) {
	rels := s.Relationships.WithTx(tx)
	get := rels.Get
	if lock {
		get = rels.Lock
	}
	rel, err := get(ctx, org.ID, relationshipID)
	if err != nil {
		return nil, err
	}
	info := &relInfo{Rel: rel, Org: org}
	if a, err := rels.AgreementFor(ctx, org.ID, relationshipID); err == nil {
		info.Agreement = a
	} else if !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	ps, err := rels.Participants(ctx, org.ID, relationshipID)
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

// sessionLength is the agreement's length, else the organisation's
// session type for the kind, else an hour; and likewise the place.
func (s *Service) sessionLength(ctx context.Context, tx bun.IDB, info *relInfo) (time.Duration, string, error) {
	minutes, place := 0, ""
	if a := info.Agreement; a != nil {
		minutes, place = a.SessionMinutes, a.Place
	}
	if minutes <= 0 || place == "" {
		st, err := s.Store.WithTx(tx).SessionType(ctx, info.Rel.OrgID, string(info.Rel.Kind))
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return 0, "", err
		}
		if err == nil {
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
