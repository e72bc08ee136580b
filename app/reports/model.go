// Package reports compiles the programme report: the pipeline funnel,
// matching, sessions, outcomes, practitioners' load, training,
// satisfaction and the health of each relationship. A report is compiled
// by a worker (an outbox task), never in a request, and kept as a
// snapshot so that one period can be compared with another.
//
// The report is a read model: its store reads, and only reads, the
// tables of the domains it reports on (relationships, calendar,
// assessment, matching, courses, feedback) with aggregate SQL. Asking
// each domain for its rows through its own functions would move a
// million sessions into Go to count them; the aggregates stay in the
// database instead, and nothing here writes another domain's table.
//
// Figures are aggregates only. A cell about fewer than MinPeople people is
// suppressed before the snapshot is stored, so the small number is never
// kept, shown or downloaded.
package reports

import (
	"fmt"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// MinPeople is the smallest number of people a shown figure may be about.
const MinPeople = 5

// KindProgramme is the programme report.
const KindProgramme = "programme"

// Run statuses.
const (
	RunQueued  = "queued"
	RunRunning = "running"
	RunDone    = "done"
)

// Run is one request to compile a report.
type Run struct {
	bun.BaseModel `bun:"table:report_runs"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID  `bun:"org_id,type:uuid"`
	Kind        string     `bun:"kind"`
	Params      Params     `bun:"params"`
	Status      string     `bun:"status"`
	Progress    int        `bun:"progress"`
	LastError   string     `bun:"last_error"`
	RequestedBy *uuid.UUID `bun:"requested_by,type:uuid"`
	CreatedAt   time.Time  `bun:"created_at"`
	StartedAt   *time.Time `bun:"started_at"`
	CompiledAt  *time.Time `bun:"compiled_at"`
}

// Snapshot is a compiled report. Its id is its run's id.
type Snapshot struct {
	bun.BaseModel `bun:"table:report_snapshots"`

	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID      uuid.UUID `bun:"org_id,type:uuid"`
	Kind       string    `bun:"kind"`
	PeriodFrom string    `bun:"period_from"`
	PeriodTo   string    `bun:"period_to"`
	FilterKind string    `bun:"filter_kind"`
	Figures    Figures   `bun:"figures"`
	CompiledAt time.Time `bun:"compiled_at"`
}

// Params are a report's filters: a period of whole days [From, To] in the
// organisation's time zone, and optionally one kind of support.
type Params struct {
	From string `json:"from"` // YYYY-MM-DD
	To   string `json:"to"`   // YYYY-MM-DD, inclusive
	Kind string `json:"kind,omitempty"`
}

// Kinds of support a report can be filtered by.
var Kinds = []string{"mentoring", "coaching", "supervision"}

// Bounds are the instants of the period: [start, end).
func (p Params) Bounds(loc *time.Location) (start, end time.Time, err error) {
	start, err = time.ParseInLocation(time.DateOnly, p.From, loc)
	if err != nil {
		return start, end, fmt.Errorf("reports: period start %q: %w", p.From, err)
	}
	last, err := time.ParseInLocation(time.DateOnly, p.To, loc)
	if err != nil {
		return start, end, fmt.Errorf("reports: period end %q: %w", p.To, err)
	}
	return start.UTC(), last.AddDate(0, 0, 1).UTC(), nil
}

// Problem says what is wrong with the filters, or "".
func (p Params) Problem() string {
	from, err1 := time.Parse(time.DateOnly, p.From)
	to, err2 := time.Parse(time.DateOnly, p.To)
	switch {
	case err1 != nil || err2 != nil:
		return "Give the period as two dates."
	case to.Before(from):
		return "The period ends before it starts."
	case to.Sub(from) > 3*366*24*time.Hour:
		return "Choose a period of at most three years."
	case p.Kind != "" && !contains(Kinds, p.Kind):
		return "Choose mentoring, coaching, supervision or all kinds."
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Cell is one figure of a table. A suppressed cell keeps no value.
type Cell struct {
	Value float64 `json:"v"`
	// Decimals is how many decimals to show (averages, rates).
	Decimals   int  `json:"d,omitempty"`
	Suppressed bool `json:"s,omitempty"`
	// Missing means there is nothing to show (no answers at all).
	Missing bool `json:"m,omitempty"`
}

// String shows the cell as the page and the CSV do.
func (c Cell) String() string {
	switch {
	case c.Suppressed:
		return "fewer than 5"
	case c.Missing:
		return "–"
	}
	return strconv.FormatFloat(c.Value, 'f', c.Decimals, 64)
}

// Shown reports whether the cell has a value to draw.
func (c Cell) Shown() bool { return !c.Suppressed && !c.Missing }

// People is a count of people: shown when it is zero (it is about no one)
// or at least MinPeople.
func People(n int) Cell {
	if n > 0 && n < MinPeople {
		return Cell{Suppressed: true}
	}
	return Cell{Value: float64(n)}
}

// About is a figure (value) about n people: shown only when People(n) is.
func About(value float64, decimals, n int) Cell {
	if n > 0 && n < MinPeople {
		return Cell{Suppressed: true}
	}
	return Cell{Value: value, Decimals: decimals}
}

// Part is a count of people within a shown whole (completed of enrolled,
// matched of requested). Besides the part itself, the rest of the whole
// (whole − part) is a group of people too, which a reader gets by
// subtraction; the part is suppressed when either is from 1 to 4.
func Part(part, whole int) Cell {
	rest := whole - part
	if (part > 0 && part < MinPeople) || (rest > 0 && rest < MinPeople) {
		return Cell{Suppressed: true}
	}
	return Cell{Value: float64(part)}
}

// Figures are a compiled programme report.
type Figures struct {
	Params Params `json:"params"`
	// Zone is the time zone the period and months are in.
	Zone         string         `json:"zone"`
	Funnel       []FunnelStage  `json:"funnel"`
	Matching     MatchFigures   `json:"matching"`
	Sessions     []MonthKind    `json:"sessions"`
	Outcomes     []Outcome      `json:"outcomes"`
	Load         LoadFigures    `json:"load"`
	Training     []CourseRow    `json:"training"`
	Satisfaction []Satisfaction `json:"satisfaction"`
	Health       HealthFigures  `json:"health"`
	HealthAsOf   string         `json:"health_as_of"`
	// Suppressed counts the cells suppressed, for the explanation.
	Suppressed int `json:"suppressed"`
}

// Funnel stages, in order.
var Stages = []string{"assessed", "signposted", "requested", "matched", "active", "concluded"}

// FunnelStage is how many people reached a stage in the period.
type FunnelStage struct {
	Stage  string `json:"stage"`
	People Cell   `json:"people"`
}

// MatchFigures are support requests made in the period and how many were
// matched, and how long matching took.
type MatchFigures struct {
	Requests Cell `json:"requests"`
	Matched  Cell `json:"matched"`
	// RatePercent is matched / requests.
	RatePercent Cell `json:"rate_percent"`
	// MedianDays is the median time from request to accepted proposal.
	MedianDays Cell `json:"median_days"`
}

// MonthKind is the sessions held in a month, of one kind.
type MonthKind struct {
	Month    string `json:"month"` // YYYY-MM
	Kind     string `json:"kind"`
	Sessions Cell   `json:"sessions"`
	People   Cell   `json:"people"`
	Hours    Cell   `json:"hours"`
}

// Outcome is one way a relationship or session ended.
type Outcome struct {
	What   string `json:"what"`
	Count  Cell   `json:"count"`
	People Cell   `json:"people"`
}

// LoadFigures compare practitioners' current load with their capacity.
type LoadFigures struct {
	Bands    []LoadBand `json:"bands"`
	Capacity Cell       `json:"capacity"`
	Places   Cell       `json:"places"`
}

// Load bands.
var LoadBands = []string{"no one", "under half", "half to full", "full", "over capacity"}

// LoadBand is how many practitioners carry a share of their capacity.
type LoadBand struct {
	Band          string `json:"band"`
	Practitioners Cell   `json:"practitioners"`
}

// CourseRow is a course's enrolments and completions in the period.
type CourseRow struct {
	Course    string `json:"course"`
	Enrolled  Cell   `json:"enrolled"`
	Completed Cell   `json:"completed"`
}

// Satisfaction is the feedback answered in the period, by kind.
type Satisfaction struct {
	Kind           string `json:"kind"`
	Answers        Cell   `json:"answers"`
	People         Cell   `json:"people"`
	AverageRating  Cell   `json:"average_rating"`
	GoodFitPercent Cell   `json:"good_fit_percent"`
}

// HealthFigures are the health scores of active relationships.
type HealthFigures struct {
	// Bands count relationships by score.
	Bands []HealthBand `json:"bands"`
	// AtRisk lists the relationships with the lowest scores, for
	// coordinators to act on. They are named: coordinators already see
	// every relationship of the programme.
	AtRisk []Health `json:"at_risk"`
	// FeedbackUsed says whether ratings count in the score: only where
	// the organisation lets coordinators see individual answers.
	FeedbackUsed bool `json:"feedback_used"`
}

// Health bands.
var HealthBands = []string{"at risk (under 50)", "watch (50–74)", "healthy (75+)"}

// HealthBand counts relationships in a score band.
type HealthBand struct {
	Band          string `json:"band"`
	Relationships Cell   `json:"relationships"`
}

// Health is one relationship's score and what made it.
type Health struct {
	RelationshipID uuid.UUID `json:"relationship_id"`
	Name           string    `json:"name"`
	Kind           string    `json:"kind"`
	Score          int       `json:"score"`
	Rhythm         int       `json:"rhythm"`
	Goals          int       `json:"goals"`
	Feedback       int       `json:"feedback"`
	Reasons        []string  `json:"reasons"`
}
