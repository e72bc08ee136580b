package busy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Sealer seals credentials at rest: the private notes' keyring
// (relationships.Keyring), with the calendar's id as additional data.
type Sealer interface {
	Seal(id string, plaintext []byte) (ciphertext, nonce []byte, keyID string, err error)
	Open(id string, ciphertext, nonce []byte, keyID string) ([]byte, error)
	// Newest is the id of the key that seals.
	Newest() string
}

// Defaults of the schedule (TOOLBOX_CALENDARS_EVERY, _STALE_AFTER).
const (
	DefaultEvery      = 15 * time.Minute
	DefaultStaleAfter = 24 * time.Hour
	// MaxCalendars is the most calendars one practitioner connects.
	MaxCalendars = 10
	// noLimitDays is how far ahead calendars are read for a practitioner
	// whose booking window has no limit.
	noLimitDays = 365
)

// Service connects, refreshes and reads practitioners' own calendars.
type Service struct {
	DB      *db.DB
	Store   *Store
	Keys    Sealer
	Fetcher *Fetcher
	Clock   clock.Clock
	Log     *slog.Logger
	// Every is how often each calendar is read; StaleAfter how long after
	// its last good refresh a calendar's intervals stop blocking.
	Every, StaleAfter time.Duration
	// Zone is the practitioner's zone (floating times, all-day events);
	// WindowDays their booking window (0: no limit). Both are the
	// calendar's (app/calendar), given at wiring.
	Zone       func(ctx context.Context, orgID, practitionerID uuid.UUID) (*time.Location, error)
	WindowDays func(ctx context.Context, orgID, practitionerID uuid.UUID) (int, error)
	// Active says whether the practitioner is still an active member of
	// the organisation (tenancy, given at wiring): a deactivated one's
	// calendars are not read.
	Active func(ctx context.Context, orgID, practitionerID uuid.UUID) (bool, error)
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return DefaultStaleAfter
}

func (s *Service) every() time.Duration {
	if s.Every > 0 {
		return s.Every
	}
	return DefaultEvery
}

// ConnectInput is a calendar a practitioner connects.
type ConnectInput struct {
	Kind        string
	Credentials Credentials
}

// InputError is a connection refused for what was typed; Field names
// the form field, Message is for the person.
type InputError struct{ Field, Message string }

func (e *InputError) Error() string { return "busy: " + e.Field + ": " + e.Message }

// ErrTooMany: the practitioner has MaxCalendars already.
var ErrTooMany = errors.New("busy: too many calendars")

// Connect seals and records a calendar, and asks for its first refresh
// in the same transaction.
func (s *Service) Connect(ctx context.Context, orgID, practitionerID uuid.UUID, in ConnectInput) (*Calendar, error) {
	cr := in.Credentials
	field := "url"
	if in.Kind == KindCalDAV {
		field = "server"
		if strings.TrimSpace(cr.Username) == "" {
			return nil, &InputError{Field: "username", Message: "Enter your user name on the CalDAV server."}
		}
		if cr.Password == "" {
			return nil, &InputError{Field: "password", Message: "Enter an app password made for this."}
		}
	} else if in.Kind != KindICS {
		return nil, &InputError{Field: "kind", Message: "Choose a secret address or a CalDAV account."}
	}
	norm, err := s.Fetcher.NormaliseURL(cr.URL)
	if err != nil {
		return nil, &InputError{Field: field, Message: err.Error()}
	}
	cr.URL, cr.Username = norm, strings.TrimSpace(cr.Username)
	u, _ := url.Parse(norm)
	label := u.Hostname()
	if in.Kind == KindCalDAV {
		label = cr.Username + " at " + label
	}
	now := s.Clock.Now()
	c := &Calendar{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, PractitionerID: practitionerID, Kind: in.Kind, Label: label,
		CreatedAt: now, RequestedAt: &now}
	plain, err := json.Marshal(cr)
	if err != nil {
		return nil, fmt.Errorf("busy: encode credentials: %w", err)
	}
	if c.Ciphertext, c.Nonce, c.KeyID, err = s.Keys.Seal(sealID(c.ID), plain); err != nil {
		return nil, fmt.Errorf("busy: seal credentials: %w", err)
	}
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store.WithTx(tx)
		have, err := st.Calendars(ctx, orgID, practitionerID)
		if err != nil {
			return err
		}
		if len(have) >= MaxCalendars {
			return ErrTooMany
		}
		if err := st.Insert(ctx, c); err != nil {
			return err
		}
		return outbox.Add(ctx, tx, now, workers.NewRefreshCalendarTask(orgID, c.ID))
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// sealID is the additional data a calendar's credentials are sealed
// with: they cannot be moved onto another calendar (or a note).
func sealID(id uuid.UUID) string { return "external_calendar:" + id.String() }

// Credentials opens a calendar's sealed credentials.
func (s *Service) Credentials(c *Calendar) (Credentials, error) {
	var cr Credentials
	plain, err := s.Keys.Open(sealID(c.ID), c.Ciphertext, c.Nonce, c.KeyID)
	if err != nil {
		return cr, fmt.Errorf("busy: open the credentials of %s: %w", c.ID, err)
	}
	if err := json.Unmarshal(plain, &cr); err != nil {
		return cr, fmt.Errorf("busy: decode the credentials of %s: %w", c.ID, err)
	}
	return cr, nil
}

// Own loads one of the practitioner's calendars; another's is
// web.ErrForbidden-like: db.ErrNotFound for another organisation's id,
// ErrNotYours for a colleague's.
func (s *Service) Own(ctx context.Context, orgID, practitionerID, id uuid.UUID) (*Calendar, error) {
	c, err := s.Store.Get(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if c.PractitionerID != practitionerID {
		return nil, ErrNotYours
	}
	return c, nil
}

// ErrNotYours: a colleague's calendar.
var ErrNotYours = errors.New("busy: the calendar is another practitioner's")

// RequestRefresh asks for one of the practitioner's calendars to be read
// now ("Refresh now").
func (s *Service) RequestRefresh(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	if _, err := s.Own(ctx, orgID, practitionerID, id); err != nil {
		return err
	}
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Model((*Calendar)(nil)).Set("requested_at = ?", now.UTC()).
			Where("org_id = ? AND id = ?", orgID, id).Exec(ctx); err != nil {
			return fmt.Errorf("busy: ask for a refresh of %s: %w", id, err)
		}
		return outbox.Add(ctx, tx, now, workers.NewRefreshCalendarTask(orgID, id))
	})
}

// Disconnect removes one of the practitioner's calendars and its
// intervals.
func (s *Service) Disconnect(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	if _, err := s.Own(ctx, orgID, practitionerID, id); err != nil {
		return err
	}
	return s.Store.Delete(ctx, orgID, practitionerID, id)
}

// Calendars lists the practitioner's calendars.
func (s *Service) Calendars(ctx context.Context, orgID, practitionerID uuid.UUID) ([]Calendar, error) {
	return s.Store.Calendars(ctx, orgID, practitionerID)
}

// Between is the practitioner's busy intervals overlapping [from, to),
// read in the caller's transaction (booking reads them where it checks).
func (s *Service) Between(ctx context.Context, tx bun.IDB, orgID, practitionerID uuid.UUID, from, to time.Time) ([]Busy, error) {
	return s.Store.WithTx(tx).Between(ctx, orgID, practitionerID, from, to, s.staleAfter())
}

// StaleAfter is how long a calendar's intervals block after its last
// good refresh.
func (s *Service) StaleLimit() time.Duration { return s.staleAfter() }

// HandleRefresh reads one calendar and replaces its intervals in one
// transaction (a task run twice stores once). A calendar that cannot be
// read keeps its last intervals, which go stale in time, and records
// why; the task then succeeds, and the schedule tries again.
func (s *Service) HandleRefresh(ctx context.Context, p workers.RefreshCalendarPayload) error {
	c, err := s.Store.Get(ctx, p.OrgID, p.CalendarID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // disconnected since
	}
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	if s.Active != nil {
		active, err := s.Active(ctx, c.OrgID, c.PractitionerID)
		if err != nil {
			return err
		}
		if !active {
			// Stamped, so that the scan does not ask again at once.
			return s.Store.RecordFailure(ctx, c, FailInactive, "the practitioner is not an active member", now)
		}
	}
	spans, ferr := s.read(ctx, c, now)
	if ferr != nil {
		kind, detail := failKind(ferr)
		s.Log.InfoContext(ctx, "calendar refresh failed", "calendar_id", c.ID, "kind", kind, "detail", detail)
		return s.Store.RecordFailure(ctx, c, kind, detail, now)
	}
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store.WithTx(tx)
		locked, err := st.Lock(ctx, p.OrgID, p.CalendarID)
		if errors.Is(err, db.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return st.ReplaceIntervals(ctx, locked, spans, now)
	})
}

// read fetches a calendar and expands its events over the booking window.
func (s *Service) read(ctx context.Context, c *Calendar, now time.Time) ([]Span, error) {
	cr, err := s.Credentials(c)
	if err != nil {
		return nil, err
	}
	loc := time.UTC
	if s.Zone != nil {
		if l, err := s.Zone(ctx, c.OrgID, c.PractitionerID); err == nil && l != nil {
			loc = l
		}
	}
	days := noLimitDays
	if s.WindowDays != nil {
		if d, err := s.WindowDays(ctx, c.OrgID, c.PractitionerID); err == nil && d > 0 {
			days = d
		}
	}
	from, to := now.Add(-24*time.Hour), now.AddDate(0, 0, days+1)
	cals, err := s.Fetcher.Fetch(ctx, c.Kind, cr, from, to)
	if err != nil {
		return nil, err
	}
	return Expand(cals, loc, from, to)
}

// ScanDue records a refresh task for every calendar, in every
// organisation, not tried within the interval (periodic).
func (s *Service) ScanDue(ctx context.Context, _ workers.Periodic) error {
	ids, err := tenancy.OrgIDs(ctx, s.DB)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	since := now.Add(-s.every() * 9 / 10)
	for _, orgID := range ids {
		// Most organisations have no calendar due: one read each, and a
		// transaction only for those that have.
		var due []Calendar
		err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
			var err error
			due, err = s.Store.WithTx(q).Due(ctx, orgID, since)
			return err
		})
		if err != nil {
			return fmt.Errorf("busy: scan %s: %w", orgID, err)
		}
		if len(due) == 0 {
			continue
		}
		err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
			for _, c := range due {
				if err := outbox.Add(ctx, tx, now, workers.NewRefreshCalendarTask(orgID, c.ID)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("busy: scan %s: %w", orgID, err)
		}
	}
	return nil
}
