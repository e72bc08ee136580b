package calendar

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/uptrace/bun"
)

// Availability is a practitioner's booking setup with a preview of the
// slots it gives.
type Availability struct {
	Zone      *time.Location
	Rules     []Rule
	Overrides []Override
	Settings  BookingSettings
	// Preview lists the open hour-long slots of the next two weeks.
	Preview []Slot
}

// PreviewDays is how far the availability preview looks.
const PreviewDays = 14

// AvailabilityOf loads a practitioner's availability and its preview.
// With unsaved settings (from the editor's live preview) the preview
// uses them instead of the stored ones.
func (s *Service) AvailabilityOf(ctx context.Context, orgID, practitionerID uuid.UUID, unsaved *BookingSettings) (*Availability, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	a := new(Availability)
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		q, err := s.slotQuery(ctx, tx, org, practitionerID, time.Hour, now, now.AddDate(0, 0, PreviewDays))
		if err != nil {
			return err
		}
		if unsaved != nil {
			q.BufferBefore, q.BufferAfter, q.MinNotice = minutes(unsaved.BufferBeforeMin), minutes(unsaved.BufferAfterMin), minutes(unsaved.MinNoticeMin)
			q.WindowDays, q.MaxPerDay, q.MaxPerWeek = unsaved.WindowDays, unsaved.MaxPerDay, unsaved.MaxPerWeek
		}
		a.Zone = q.Zone
		a.Preview = Slots(q)
		if a.Rules, err = store.Rules(ctx, orgID, practitionerID); err != nil {
			return err
		}
		if a.Overrides, err = store.Overrides(ctx, orgID, practitionerID, now.In(q.Zone).Format(time.DateOnly)); err != nil {
			return err
		}
		a.Settings, err = store.BookingSettings(ctx, orgID, practitionerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// MaxRules caps a practitioner's weekly windows: every booking page
// computes slots from all of them, and a week needs far fewer.
const MaxRules = 50

// ErrTooManyRules refuses a window beyond MaxRules.
var ErrTooManyRules = errors.New("calendar: too many weekly windows")

// AddRule adds a weekly window in the practitioner's current zone.
func (s *Service) AddRule(ctx context.Context, orgID, practitionerID uuid.UUID, weekday time.Weekday, startMinute, endMinute int) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		store := s.Store.WithTx(tx)
		zone, err := personZone(ctx, tx, org, practitionerID)
		if err != nil {
			return err
		}
		rules, err := store.Rules(ctx, orgID, practitionerID)
		if err != nil {
			return err
		}
		if len(rules) >= MaxRules {
			return ErrTooManyRules
		}
		for _, r := range rules {
			// Windows of the same day that overlap would count the same
			// hours twice; kept in another zone they are another matter.
			if r.Weekday == int(weekday) && r.TimeZone == zone.String() && startMinute < r.EndMinute && r.StartMinute < endMinute {
				return &OverlapError{From: clockLabel(r.StartMinute), To: clockLabel(r.EndMinute)}
			}
		}
		return store.AddRule(ctx, &Rule{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, PractitionerID: practitionerID, Weekday: int(weekday),
			StartMinute: startMinute, EndMinute: endMinute, TimeZone: zone.String(), CreatedAt: s.Clock.Now(),
		})
	})
}

// DeleteRule removes one of the practitioner's weekly windows.
func (s *Service) DeleteRule(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return s.Store.WithTx(tx).DeleteRule(ctx, orgID, practitionerID, id)
	})
}

// AddOverride adds a day off or extra hours on a date.
func (s *Service) AddOverride(ctx context.Context, orgID, practitionerID uuid.UUID, day string, dayOff bool, startMinute, endMinute int) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		zone, err := personZone(ctx, tx, org, practitionerID)
		if err != nil {
			return err
		}
		if day < s.Clock.Now().In(zone).Format(time.DateOnly) {
			return ErrPastDay
		}
		return s.Store.WithTx(tx).AddOverride(ctx, &Override{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, PractitionerID: practitionerID, Day: day, DayOff: dayOff,
			StartMinute: startMinute, EndMinute: endMinute, CreatedAt: s.Clock.Now(),
		})
	})
}

// DeleteOverride removes one of the practitioner's date overrides.
func (s *Service) DeleteOverride(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return s.Store.WithTx(tx).DeleteOverride(ctx, orgID, practitionerID, id)
	})
}

// SaveSettings stores a practitioner's buffers, notice, window and limits.
func (s *Service) SaveSettings(ctx context.Context, b BookingSettings) error {
	b.UpdatedAt = s.Clock.Now()
	return s.DB.InTenant(ctx, b.OrgID, func(ctx context.Context, tx bun.Tx) error { return s.Store.WithTx(tx).SaveBookingSettings(ctx, &b) })
}

// PractitionerZone is the zone a practitioner's calendar is kept in.
func (s *Service) PractitionerZone(ctx context.Context, orgID, userID uuid.UUID) (*time.Location, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	var zone *time.Location
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		zone, err = personZone(ctx, tx, org, userID)
		return err
	})
	return zone, err
}

var weekdayNames = []string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"}

// weekdayOrder lists weekdays Monday first, for pickers.
var weekdayOrder = []int{1, 2, 3, 4, 5, 6, 0}

type availabilityState struct {
	Rule, Override, Settings *web.Form
	// PreviewOnly: the preview alone answers an htmx request (the
	// editor's live preview), not the editor.
	PreviewOnly bool
	// Saved says what an htmx change just saved ("Booking rules saved.").
	Saved string
}

func clockLabel(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

type ruleView struct {
	ID                   uuid.UUID
	Day, From, To, TZone string
}

type overrideView struct {
	ID       uuid.UUID
	Day      string
	DayOff   bool
	From, To string
}

type weekday struct {
	Value int
	Name  string
}

// availabilityPage is what pages/calendar/availability.html shows.
type availabilityPage struct {
	Rules                  []ruleView
	Overrides              []overrideView
	Weekdays               []weekday
	State                  availabilityState
	Base, Zone, ViewerZone string
	Preview                []slotDay
	PreviewDays            int
}

// newAvailabilityPage lays out a practitioner's availability for the
// editor; the preview is shown in the viewer's zone loc.
func newAvailabilityPage(a *Availability, st availabilityState, loc *time.Location) availabilityPage {
	p := availabilityPage{State: st, Zone: a.Zone.String(), Preview: groupSlots(a.Preview, loc), ViewerZone: loc.String(), PreviewDays: PreviewDays}
	for _, r := range a.Rules {
		p.Rules = append(p.Rules, ruleView{ID: r.ID, Day: weekdayNames[r.Weekday], From: clockLabel(r.StartMinute), To: clockLabel(r.EndMinute), TZone: r.TimeZone})
	}
	for _, o := range a.Overrides {
		ov := overrideView{ID: o.ID, Day: o.Day, DayOff: o.DayOff}
		if !o.DayOff {
			ov.From, ov.To = clockLabel(o.StartMinute), clockLabel(o.EndMinute)
		}
		p.Overrides = append(p.Overrides, ov)
	}
	for _, d := range weekdayOrder {
		p.Weekdays = append(p.Weekdays, weekday{Value: d, Name: weekdayNames[d]})
	}
	return p
}

func (h *Handlers) renderAvailability(c *gin.Context, status int, st availabilityState, unsaved *BookingSettings) error {
	v := web.CurrentViewer(c)
	a, err := h.Service.AvailabilityOf(c.Request.Context(), v.Org.ID, v.UserID, unsaved)
	if err != nil {
		return err
	}
	if st.Rule == nil {
		st.Rule = web.NewForm(nil)
		st.Rule.Set("weekday", "2")
		st.Rule.Set("start", "09:00")
		st.Rule.Set("end", "12:00")
	}
	if st.Override == nil {
		st.Override = web.NewForm(nil)
	}
	if st.Settings == nil {
		st.Settings = web.NewForm(nil)
		b := a.Settings
		for k, n := range map[string]int{
			"buffer_before": b.BufferBeforeMin, "buffer_after": b.BufferAfterMin, "min_notice": b.MinNoticeMin,
			"window_days": b.WindowDays, "max_per_day": b.MaxPerDay, "max_per_week": b.MaxPerWeek,
		} {
			st.Settings.Set(k, strconv.Itoa(n))
		}
	}
	loc := viewerZone(v)
	data := newAvailabilityPage(a, st, loc)
	data.Base = base(v)
	page := web.NewPage(c, "Availability", data)
	page.Nav = "calendar"
	var preview []web.Fragment
	if st.PreviewOnly {
		preview = append(preview, web.Fragment{Block: "preview", Data: page})
	}
	return h.Renderer.Render(c, status, PageAvailability, page, preview...)
}

func (h *Handlers) ShowAvailabilityPage(c *gin.Context) error {
	return h.renderAvailability(c, http.StatusOK, availabilityState{}, nil)
}

// availabilityDone answers a successful change: htmx gets the editor
// again (the preview moves with it), a plain form a redirect.
func (h *Handlers) availabilityDone(c *gin.Context, message string) error {
	return web.Done(c, base(web.CurrentViewer(c))+"/availability", web.Flash{Kind: "success", Message: message}, func() error {
		// The swapped editor says what was saved, as the flash would.
		return h.renderAvailability(c, http.StatusOK, availabilityState{Saved: message}, nil)
	})
}

// parseClock reads HH:MM as minutes of the day; "24:00" is allowed as
// an end.
func parseClock(f *web.Form, field string) int {
	v := f.Get(field)
	if v == "24:00" {
		return 1440
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		f.Add(field, "Enter a time such as 09:00.")
		return 0
	}
	return t.Hour()*60 + t.Minute()
}

// OverlapError: a weekly window overlaps one the practitioner has on the
// same day.
type OverlapError struct{ From, To string }

func (e *OverlapError) Error() string {
	return "calendar: the window overlaps " + e.From + "–" + e.To
}

// ErrPastDay: a date override for a day already gone.
var ErrPastDay = errors.New("calendar: the day is in the past")

func (h *Handlers) AddRule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("weekday", "start", "end")
	wd, err := strconv.Atoi(f.Get("weekday"))
	if err != nil || wd < 0 || wd > 6 {
		f.Add("weekday", "Choose a day of the week.")
	}
	start, end := parseClock(f, "start"), parseClock(f, "end")
	if f.Valid() && end <= start {
		f.Add("end", "The end must be after the start.")
	}
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Rule: f}, nil)
	}
	err = h.Service.AddRule(c.Request.Context(), v.Org.ID, v.UserID, time.Weekday(wd), start, end)
	if errors.Is(err, ErrTooManyRules) {
		f.Add("weekday", fmt.Sprintf("You have %d weekly windows, the most a calendar can hold. Remove some, or widen one to cover several.", MaxRules))
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Rule: f}, nil)
	}
	var overlap *OverlapError
	if errors.As(err, &overlap) {
		f.Add("start", fmt.Sprintf("This overlaps your hours on that day from %s to %s. Remove those first, or choose hours that do not overlap.", overlap.From, overlap.To))
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Rule: f}, nil)
	}
	if err != nil {
		return err
	}
	return h.availabilityDone(c, "Open hours added.")
}

func (h *Handlers) DeleteRule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	// The id is a form field, not a path parameter: each practitioner
	// removes only their own rows, whatever id is sent.
	id, err := uuid.Parse(web.PostedForm(c).Get("id"))
	if err != nil {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{}, nil)
	}
	if err := h.Service.DeleteRule(c.Request.Context(), v.Org.ID, v.UserID, id); err != nil {
		return err
	}
	return h.availabilityDone(c, "Open hours removed.")
}

func (h *Handlers) AddOverride(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("day")
	if _, err := time.Parse(time.DateOnly, f.Get("day")); f.Get("day") != "" && err != nil {
		f.Add("day", "Enter a date such as 2027-04-02.")
	}
	dayOff := f.Get("kind") != "hours"
	start, end := 0, 0
	if !dayOff {
		f.Required("start", "end")
		start, end = parseClock(f, "start"), parseClock(f, "end")
		if f.Valid() && end <= start {
			f.Add("end", "The end must be after the start.")
		}
	}
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Override: f}, nil)
	}
	err := h.Service.AddOverride(c.Request.Context(), v.Org.ID, v.UserID, f.Get("day"), dayOff, start, end)
	if errors.Is(err, ErrPastDay) {
		f.Add("day", "That day is in the past. Choose today or a later date.")
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Override: f}, nil)
	}
	if err != nil {
		return err
	}
	return h.availabilityDone(c, "Date override added.")
}

func (h *Handlers) DeleteOverride(c *gin.Context) error {
	v := web.CurrentViewer(c)
	// The id is a form field, not a path parameter: each practitioner
	// removes only their own rows, whatever id is sent.
	id, err := uuid.Parse(web.PostedForm(c).Get("id"))
	if err != nil {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{}, nil)
	}
	if err := h.Service.DeleteOverride(c.Request.Context(), v.Org.ID, v.UserID, id); err != nil {
		return err
	}
	return h.availabilityDone(c, "Date override removed.")
}

// settingsForm reads buffers, notice, window and limits.
func settingsForm(f *web.Form, orgID, userID uuid.UUID) BookingSettings {
	b := DefaultBookingSettings(orgID, userID)
	fields := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"buffer_before", &b.BufferBeforeMin, 0, 240}, {"buffer_after", &b.BufferAfterMin, 0, 240},
		{"min_notice", &b.MinNoticeMin, 0, 60 * 24 * 30}, {"window_days", &b.WindowDays, 1, maxWindowDays},
		{"max_per_day", &b.MaxPerDay, 0, 48}, {"max_per_week", &b.MaxPerWeek, 0, 200},
	}
	for _, fd := range fields {
		raw := f.Get(fd.name)
		if raw == "" {
			raw = "0"
			if fd.min > 0 {
				f.Add(fd.name, "This field is required.")
				continue
			}
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < fd.min || n > fd.max {
			f.Add(fd.name, fmt.Sprintf("Enter a whole number from %d to %d.", fd.min, fd.max))
			continue
		}
		*fd.dst = n
	}
	return b
}

func (h *Handlers) SaveSettings(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	b := settingsForm(f, v.Org.ID, v.UserID)
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Settings: f}, nil)
	}
	if err := h.Service.SaveSettings(c.Request.Context(), b); err != nil {
		return err
	}
	return h.availabilityDone(c, "Booking rules saved.")
}

// previewAvailability shows the slots the settings being edited would
// give, before they are saved (the editor's live preview).
func (h *Handlers) PreviewAvailability(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(c.Request.URL.Query())
	if len(c.Request.URL.Query()) == 0 {
		return h.renderAvailability(c, http.StatusOK, availabilityState{PreviewOnly: true}, nil)
	}
	b := settingsForm(f, v.Org.ID, v.UserID)
	if !f.Valid() {
		return h.renderAvailability(c, http.StatusUnprocessableEntity, availabilityState{Settings: f, PreviewOnly: true}, nil)
	}
	return h.renderAvailability(c, http.StatusOK, availabilityState{Settings: f, PreviewOnly: true}, &b)
}
