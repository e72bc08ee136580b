package calendar

import (
	"context"
	"time"

	"github.com/google/uuid"
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
		if a.Rules, err = loadRules(ctx, tx, orgID, practitionerID); err != nil {
			return err
		}
		if a.Overrides, err = loadOverrides(ctx, tx, orgID, practitionerID, now.In(q.Zone).Format(time.DateOnly)); err != nil {
			return err
		}
		a.Settings, err = loadBookingSettings(ctx, tx, orgID, practitionerID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// AddRule adds a weekly window in the practitioner's current zone.
func (s *Service) AddRule(ctx context.Context, orgID, practitionerID uuid.UUID, weekday time.Weekday, startMinute, endMinute int) error {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		zone, err := personZone(ctx, tx, org, practitionerID)
		if err != nil {
			return err
		}
		return insertRule(ctx, tx, &Rule{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, PractitionerID: practitionerID, Weekday: int(weekday),
			StartMinute: startMinute, EndMinute: endMinute, TimeZone: zone.String(), CreatedAt: s.Clock.Now(),
		})
	})
}

// DeleteRule removes one of the practitioner's weekly windows.
func (s *Service) DeleteRule(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return deleteRule(ctx, tx, orgID, practitionerID, id)
	})
}

// AddOverride adds a day off or extra hours on a date.
func (s *Service) AddOverride(ctx context.Context, orgID, practitionerID uuid.UUID, day string, dayOff bool, startMinute, endMinute int) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return insertOverride(ctx, tx, &Override{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, PractitionerID: practitionerID, Day: day, DayOff: dayOff,
			StartMinute: startMinute, EndMinute: endMinute, CreatedAt: s.Clock.Now(),
		})
	})
}

// DeleteOverride removes one of the practitioner's date overrides.
func (s *Service) DeleteOverride(ctx context.Context, orgID, practitionerID, id uuid.UUID) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return deleteOverride(ctx, tx, orgID, practitionerID, id)
	})
}

// SaveSettings stores a practitioner's buffers, notice, window and limits.
func (s *Service) SaveSettings(ctx context.Context, b BookingSettings) error {
	b.UpdatedAt = s.Clock.Now()
	return s.DB.InTenant(ctx, b.OrgID, func(ctx context.Context, tx bun.Tx) error { return saveBookingSettings(ctx, tx, &b) })
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
