package hours

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"
)

// Errors of the supervision log.
var (
	// ErrNotSupervisor: only the supervisor a record names signs it off.
	ErrNotSupervisor = errors.New("hours: only the named supervisor signs this supervision off")
	// ErrSignedOff: a record is signed off once, and not changed after.
	ErrSignedOff = errors.New("hours: this supervision is already signed off")
)

// Item is one line of the supervision log: a record, or a completed
// supervision session the person attended that they have not recorded
// themes for yet (Record.ID is then uuid.Nil).
type Item struct {
	Record
	// Supervisor is the supervisor's name as the log shows it.
	Supervisor string
	// Pending: a session not recorded yet.
	Pending bool
}

// Hours are the item's minutes in hours.
func (it Item) Hours() float64 { return hoursOf(it.Minutes) }

// SupervisionLog merges the person's records with the supervision
// sessions they attended, newest first: a session with a record is shown
// as its record; one without, as a pending line that counts all the same
// (supervision is built from sessions, never typed twice).
func SupervisionLog(records []Record, sessions []Held, names map[uuid.UUID]string) []Item {
	recorded := map[uuid.UUID]bool{}
	var out []Item
	for _, r := range records {
		if r.SessionID != nil {
			recorded[*r.SessionID] = true
		}
		name := r.SupervisorName
		if r.SupervisorID != nil && names[*r.SupervisorID] != "" {
			name = names[*r.SupervisorID]
		}
		out = append(out, Item{Record: r, Supervisor: name})
	}
	for _, s := range sessions {
		if recorded[s.ID] {
			continue
		}
		id, sup := s.ID, s.PractitionerID
		format := Individual
		if s.Format == Group {
			format = Group
		}
		out = append(out, Item{Pending: true, Supervisor: names[sup], Record: Record{SupervisorID: &sup, Format: format,
			Minutes: int(s.EndsAt.Sub(s.StartsAt) / time.Minute), HeldAt: s.StartsAt, SessionID: &id}})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].HeldAt.After(out[j].HeldAt) })
	return out
}

// Ratio is the supervision received against practice, and whether it
// meets the practitioner's chosen standard.
type Ratio struct {
	Settings           Settings
	SupervisionMinutes int
	PracticeMinutes    int
	// QuarterMinutes is the supervision in the three months to now.
	QuarterMinutes int
	// PracticePerHour is the hours of practice per hour of supervision
	// (0 without supervision).
	PracticePerHour float64
	// Due: the standard is not met; supervision is due.
	Due bool
	// Shortfall is the supervision, in minutes, that would meet it.
	Shortfall int
}

// Text is the ratio as people write it: "1:35".
func (r Ratio) Text() string {
	if r.SupervisionMinutes == 0 {
		return "no supervision yet"
	}
	return fmt.Sprintf("1:%s", trim(r.PracticePerHour))
}

// StandardText says the standard in words.
func (s Settings) StandardText() string {
	if s.Standard == StandardRatio {
		return fmt.Sprintf("one hour of supervision for every %d hours of practice (1:%d)", s.RatioHours, s.RatioHours)
	}
	return fmt.Sprintf("%s of supervision in every three months", minutesText(s.QuarterMinutes))
}

// ComputeRatio measures supervision (each item's minutes and date)
// against practice minutes by the standard, at now. By ratio 1:N the
// supervision must be at least the practice divided by N; by quarter, the
// supervision held in the three months to now must be at least the
// minutes chosen.
func ComputeRatio(s Settings, items []Item, practiceMinutes int, now time.Time) Ratio {
	r := Ratio{Settings: s, PracticeMinutes: practiceMinutes}
	from := now.AddDate(0, -3, 0)
	for _, it := range items {
		r.SupervisionMinutes += it.Minutes
		if !it.HeldAt.Before(from) && !it.HeldAt.After(now) {
			r.QuarterMinutes += it.Minutes
		}
	}
	if r.SupervisionMinutes > 0 {
		r.PracticePerHour = math.Round(float64(practiceMinutes)/float64(r.SupervisionMinutes)*10) / 10
	}
	switch s.Standard {
	case StandardRatio:
		if s.RatioHours > 0 {
			// supervision / practice >= 1 / N, in whole minutes
			need := int(math.Ceil(float64(practiceMinutes) / float64(s.RatioHours)))
			if r.SupervisionMinutes < need {
				r.Due, r.Shortfall = true, need-r.SupervisionMinutes
			}
		}
	default:
		if r.QuarterMinutes < s.QuarterMinutes {
			r.Due, r.Shortfall = true, s.QuarterMinutes-r.QuarterMinutes
		}
	}
	return r
}

func trim(f float64) string {
	if f == math.Trunc(f) {
		return fmt.Sprintf("%d", int(f))
	}
	return fmt.Sprintf("%.1f", f)
}

func minutesText(m int) string {
	switch {
	case m%60 == 0 && m == 60:
		return "one hour"
	case m%60 == 0:
		return fmt.Sprintf("%d hours", m/60)
	default:
		return fmt.Sprintf("%d minutes", m)
	}
}

// SupervisionHours, PracticeHours and QuarterHours are the ratio's
// minutes in hours.
func (r Ratio) SupervisionHours() float64 { return hoursOf(r.SupervisionMinutes) }
func (r Ratio) PracticeHours() float64    { return hoursOf(r.PracticeMinutes) }
func (r Ratio) QuarterHours() float64     { return hoursOf(r.QuarterMinutes) }
