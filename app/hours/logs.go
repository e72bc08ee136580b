package hours

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// Row is one line of a practice log: one client, with the fields
// accrediting bodies ask for (ICF's coaching log: client, contact,
// individual or group and its size, first and last session, paid or pro
// bono hours).
type Row struct {
	Client    string
	Contact   string
	Format    string
	GroupSize int
	Paid      bool
	First     time.Time
	Last      time.Time
	Sessions  int
	Minutes   int
	// RelationshipID is set for a client of the organisation, EntryID for
	// an entry made by hand.
	RelationshipID *uuid.UUID
	EntryID        *uuid.UUID
}

// Hours are the row's minutes in hours, to two decimals.
func (r Row) Hours() float64 { return hoursOf(r.Minutes) }

// Clients is how many clients the row counts for: one, or the group's size.
func (r Row) Clients() int {
	if r.Format == Group && r.GroupSize > 1 {
		return r.GroupSize
	}
	return 1
}

// Totals add a log up.
type Totals struct {
	Minutes, PaidMinutes, ProBonoMinutes, Clients int
}

// Hours, PaidHours and ProBonoHours are the totals in hours.
func (t Totals) Hours() float64        { return hoursOf(t.Minutes) }
func (t Totals) PaidHours() float64    { return hoursOf(t.PaidMinutes) }
func (t Totals) ProBonoHours() float64 { return hoursOf(t.ProBonoMinutes) }

// Threshold is one credential's practice requirement.
type Threshold struct {
	Name      string
	Hours     int
	PaidHours int
	Clients   int
}

// CoachingThresholds are the International Coaching Federation's
// experience requirements for its credentials (ACC, PCC, MCC): hours of
// coaching, of which paid, and clients.
var CoachingThresholds = []Threshold{
	{Name: "ICF ACC", Hours: 100, PaidHours: 75, Clients: 8},
	{Name: "ICF PCC", Hours: 500, PaidHours: 450, Clients: 25},
	{Name: "ICF MCC", Hours: 2500, PaidHours: 2250, Clients: 35},
}

// MentoringThresholds are the practice requirements of the European
// Mentoring and Coaching Council's individual accreditation (EIA) at its
// Foundation and Practitioner levels, which accredit mentors as well as
// coaches: client contact hours and clients (no paid minimum). Its
// higher levels add years of practice this log cannot show.
var MentoringThresholds = []Threshold{
	{Name: "EMCC EIA Foundation", Hours: 50, Clients: 5},
	{Name: "EMCC EIA Practitioner", Hours: 100, Clients: 10},
}

// Progress is a log's totals against one threshold, in percent (capped
// at 100).
type Progress struct {
	Threshold
	HoursPct, PaidPct, ClientsPct int
	Met                           bool
}

// Log is one practice log.
type Log struct {
	Kind     string
	Rows     []Row
	Totals   Totals
	Progress []Progress
}

// Input is what the logs are built from.
type Input struct {
	// Sessions are the completed sessions the practitioner led.
	Sessions []Held
	// Switches are each relationship's mode switches, oldest first.
	Switches map[uuid.UUID][]relationships.ModeSwitch
	// Members are each relationship's clients.
	Members map[uuid.UUID][]Member
	// Clients are the practitioner's settings by relationship.
	Clients map[uuid.UUID]Client
	// Consents are each relationship's clients' consents, by member.
	Consents map[uuid.UUID]map[uuid.UUID]Consent
	// Entries are the practitioner's entries made by hand.
	Entries []Entry
}

// Split is how one session's minutes divide between the logs.
func Split(s Held, switches []relationships.ModeSwitch) (coaching, mentoring int) {
	m := relationships.SessionSplit(relationships.Kind(s.Kind), switches, s.ID, s.StartsAt, s.EndsAt)
	return m[relationships.Coaching], m[relationships.Mentoring]
}

// BuildLogs builds the coaching and the mentoring log. Every session
// counts its minutes in the log of the mode it was held in, split by the
// switches recorded in it; a relationship whose sessions went both ways
// appears in both logs with the minutes of each.
func BuildLogs(in Input) (coaching, mentoring *Log) {
	sessions := append([]Held(nil), in.Sessions...)
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].StartsAt.Before(sessions[j].StartsAt) })
	// Clients are numbered in the order of their first session, so that a
	// pseudonym stays the same in both logs and as the log grows.
	number := map[uuid.UUID]int{}
	rows := map[string]map[uuid.UUID]*Row{LogCoaching: {}, LogMentoring: {}}
	for _, s := range sessions {
		if _, ok := number[s.RelationshipID]; !ok {
			number[s.RelationshipID] = len(number) + 1
		}
		c, m := Split(s, in.Switches[s.RelationshipID])
		for log, minutes := range map[string]int{LogCoaching: c, LogMentoring: m} {
			if minutes == 0 {
				continue
			}
			r := rows[log][s.RelationshipID]
			if r == nil {
				r = newRow(in, s, number[s.RelationshipID])
				rows[log][s.RelationshipID] = r
			}
			if r.Sessions == 0 || s.StartsAt.Before(r.First) {
				r.First = s.StartsAt
			}
			if s.StartsAt.After(r.Last) {
				r.Last = s.StartsAt
			}
			r.Sessions++
			r.Minutes += minutes
			if r.Format == Group && s.Attended > r.GroupSize {
				r.GroupSize = s.Attended
			}
		}
	}
	coaching, mentoring = &Log{Kind: LogCoaching}, &Log{Kind: LogMentoring}
	for _, l := range []*Log{coaching, mentoring} {
		for _, r := range rows[l.Kind] {
			l.Rows = append(l.Rows, *r)
		}
		for _, e := range in.Entries {
			if e.Log != l.Kind {
				continue
			}
			id := e.ID
			l.Rows = append(l.Rows, Row{Client: e.Client, Contact: e.Contact, Format: e.Format, GroupSize: e.GroupSize, Paid: e.Paid,
				First: e.FirstOn, Last: e.LastOn, Sessions: 0, Minutes: e.Minutes, EntryID: &id})
		}
		sort.SliceStable(l.Rows, func(i, j int) bool { return l.Rows[i].First.Before(l.Rows[j].First) })
		for _, r := range l.Rows {
			l.Totals.Minutes += r.Minutes
			if r.Paid {
				l.Totals.PaidMinutes += r.Minutes
			} else {
				l.Totals.ProBonoMinutes += r.Minutes
			}
			l.Totals.Clients += r.Clients()
		}
		thresholds := CoachingThresholds
		if l.Kind == LogMentoring {
			thresholds = MentoringThresholds
		}
		l.Progress = Against(l.Totals, thresholds)
	}
	return coaching, mentoring
}

// newRow starts a log row for a session's relationship: the client is
// named only with their consent (else the practitioner's pseudonym, else
// "Client n"), their contact given only with consent; a group is its
// title and its size.
func newRow(in Input, s Held, n int) *Row {
	id := s.RelationshipID
	set, ok := in.Clients[id]
	r := &Row{Format: Individual, GroupSize: 1, Paid: !ok || set.Paid, RelationshipID: &id}
	if s.Format == string(relationships.Group) {
		r.Format, r.GroupSize = Group, 0
		r.Client = s.Title
		if set.Pseudonym != "" {
			r.Client = set.Pseudonym
		}
		if r.Client == "" {
			r.Client = fmt.Sprintf("Group %d", n)
		}
		return r
	}
	r.Client = fmt.Sprintf("Client %d", n)
	if set.Pseudonym != "" {
		r.Client = set.Pseudonym
	}
	for _, m := range in.Members[id] {
		c := in.Consents[id][m.UserID]
		if c.Named {
			r.Client = m.Name
		}
		if c.Contact {
			r.Contact = m.Email
		}
	}
	return r
}

// Against measures totals against thresholds.
func Against(t Totals, thresholds []Threshold) []Progress {
	out := make([]Progress, 0, len(thresholds))
	for _, th := range thresholds {
		p := Progress{Threshold: th,
			HoursPct:   percent(t.Minutes, th.Hours*60),
			PaidPct:    percent(t.PaidMinutes, th.PaidHours*60),
			ClientsPct: percent(t.Clients, th.Clients),
		}
		p.Met = t.Minutes >= th.Hours*60 && t.PaidMinutes >= th.PaidHours*60 && t.Clients >= th.Clients
		out = append(out, p)
	}
	return out
}

// percent is have of want in whole percent, floored and capped at 100; a
// requirement of nothing is met.
func percent(have, want int) int {
	if want <= 0 {
		return 100
	}
	p := have * 100 / want
	if p > 100 {
		return 100
	}
	return p
}

func hoursOf(minutes int) float64 { return math.Round(float64(minutes)/60*100) / 100 }
