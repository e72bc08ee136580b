package reports

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// Relationships is what the progress page asks of the relationships
// domain (relationships.Store implements it).
type Relationships interface {
	Get(ctx context.Context, orgID, id uuid.UUID) (*relationships.Relationship, error)
	Side(ctx context.Context, orgID, relationshipID, userID uuid.UUID) (string, error)
	AgreementFor(ctx context.Context, orgID, relationshipID uuid.UUID) (*relationships.Agreement, error)
	Goals(ctx context.Context, orgID, relID uuid.UUID) ([]relationships.Goal, error)
	ModeSwitches(ctx context.Context, orgID, relID uuid.UUID) ([]relationships.ModeSwitch, error)
	// ChangeStatus concludes a quiet relationship no one kept going.
	ChangeStatus(ctx context.Context, orgID, relID, by uuid.UUID, now time.Time, action, why, privateFeedback string) (*relationships.StatusChange, error)
}

// Answers is what the progress page asks of the feedback domain
// (feedback.Store implements it).
type Answers interface {
	Answered(ctx context.Context, orgID uuid.UUID, relationshipID, authorID *uuid.UUID, limit int) ([]feedback.Feedback, error)
}

// SessionRow is one session of a relationship with the attendance of
// its members.
type SessionRow struct {
	ID       uuid.UUID `bun:"id"`
	StartsAt time.Time `bun:"starts_at"`
	EndsAt   time.Time `bun:"ends_at"`
	Status   string    `bun:"status"`
	Attended int       `bun:"attended"`
	NoShow   int       `bun:"no_show"`
}

// Progress are a relationship's figures for its participants.
type Progress struct {
	Relationship  *relationships.Relationship
	Side          string
	Held          int
	Hours         float64
	Upcoming      int
	Attended      int
	NoShows       int
	CancelledLate int
	// AgreedDays is the agreed rhythm; KeptDays the average days between
	// sessions held (0 with fewer than two).
	AgreedDays int
	KeptDays   float64
	// NextDue is when the next session is due by the agreed rhythm.
	NextDue *time.Time
	Gaps    []Gap
	Goals   []GoalProgress
	// Modes are the minutes held in each kind of support (mode switches).
	Modes []ModeShare
	// Feedback is the rating by month: the member's own answers; for the
	// practitioner, months with at least five answers.
	Feedback      []MonthRating
	FeedbackOwn   bool
	Months        []MonthCount
	Charts        ProgressCharts
	Generated     time.Time
	FeedbackShown int
}

// Gap is the time between two sessions held.
type Gap struct {
	From, To time.Time
	Days     float64
}

// GoalProgress is a goal with its progress now and its history.
type GoalProgress struct {
	Description string
	Progress    int
	Updates     int
	LastMoved   *time.Time
}

// ModeShare is the time held in one kind of support.
type ModeShare struct {
	Kind    string
	Minutes int
	Percent int
}

// MonthRating is a month's average rating.
type MonthRating struct {
	Month  string
	Rating Cell
}

// MonthCount is a month's sessions held.
type MonthCount struct {
	Month    string
	Sessions int
}

// ProgressCharts are the progress page's charts.
type ProgressCharts struct {
	Sessions, Gaps, Feedback Chart
}

// BuildProgress computes a relationship's progress from its sessions,
// agreement, goals, mode switches and feedback, as of now.
func BuildProgress(rel *relationships.Relationship, side string, agreement *relationships.Agreement, sessions []SessionRow,
	goals []relationships.Goal, switches []relationships.ModeSwitch, answers []feedback.Feedback, own bool, now time.Time, loc *time.Location) *Progress {
	p := &Progress{Relationship: rel, Side: side, FeedbackOwn: own, Generated: now, AgreedDays: 14}
	if agreement != nil && agreement.CadenceDays > 0 {
		p.AgreedDays = agreement.CadenceDays
	}
	sort.Slice(sessions, func(i, j int) bool { return sessions[i].StartsAt.Before(sessions[j].StartsAt) })
	modes := map[string]int{}
	var held []SessionRow
	for _, s := range sessions {
		switch s.Status {
		case "completed":
			held = append(held, s)
			minutes := int(s.EndsAt.Sub(s.StartsAt).Minutes())
			p.Hours += float64(minutes) / 60
			for k, m := range relationships.SessionSplit(rel.Kind, switches, s.ID, s.StartsAt, s.EndsAt) {
				modes[string(k)] += m
			}
		case "scheduled":
			if s.StartsAt.After(now) {
				p.Upcoming++
			}
		case "cancelled_late":
			p.CancelledLate++
		}
		p.Attended += s.Attended
		p.NoShows += s.NoShow
	}
	p.Held = len(held)
	p.Hours = round(p.Hours, 1)
	for i := 1; i < len(held); i++ {
		d := held[i].StartsAt.Sub(held[i-1].StartsAt).Hours() / 24
		p.Gaps = append(p.Gaps, Gap{From: held[i-1].StartsAt, To: held[i].StartsAt, Days: round(d, 1)})
	}
	if len(p.Gaps) > 0 {
		total := 0.0
		for _, g := range p.Gaps {
			total += g.Days
		}
		p.KeptDays = round(total/float64(len(p.Gaps)), 1)
	}
	var lastHeld *time.Time
	if len(held) > 0 {
		lastHeld = &held[len(held)-1].StartsAt
	}
	p.NextDue = relationships.NextSessionDue(rel, agreement, lastHeld)
	total := 0
	for _, m := range modes {
		total += m
	}
	for _, k := range Kinds {
		if modes[k] > 0 {
			p.Modes = append(p.Modes, ModeShare{Kind: k, Minutes: modes[k], Percent: int(math.Round(float64(modes[k]) * 100 / float64(total)))})
		}
	}
	for _, g := range goals {
		gp := GoalProgress{Description: g.Description, Progress: g.Progress}
		for _, u := range g.Updates {
			if u.Kind == "created" {
				continue
			}
			gp.Updates++
			if gp.LastMoved == nil || u.At.After(*gp.LastMoved) {
				at := u.At
				gp.LastMoved = &at
			}
		}
		p.Goals = append(p.Goals, gp)
	}
	p.Months = monthCounts(held, rel, now, loc)
	p.Feedback = monthRatings(answers, own, loc)
	for _, f := range p.Feedback {
		if f.Rating.Shown() {
			p.FeedbackShown++
		}
	}
	p.Charts = progressCharts(p)
	return p
}

func monthCounts(held []SessionRow, rel *relationships.Relationship, now time.Time, loc *time.Location) []MonthCount {
	start := rel.CreatedAt
	if rel.StartedAt != nil {
		start = *rel.StartedAt
	}
	if len(held) > 0 && held[0].StartsAt.Before(start) {
		start = held[0].StartsAt
	}
	if from := now.AddDate(-1, 0, 0); start.Before(from) {
		start = from // a year at most
	}
	count := map[string]int{}
	for _, s := range held {
		count[s.StartsAt.In(loc).Format("2006-01")]++
	}
	var out []MonthCount
	for _, m := range monthsOf(start, now.AddDate(0, 0, 1), loc) {
		out = append(out, MonthCount{Month: m, Sessions: count[m]})
	}
	return out
}

// monthRatings averages ratings by month. The member sees their own;
// the practitioner sees a month only over at least five answers.
func monthRatings(answers []feedback.Feedback, own bool, loc *time.Location) []MonthRating {
	sum, n := map[string]int{}, map[string]int{}
	for _, a := range answers {
		if a.AnsweredAt == nil || a.Rating == 0 {
			continue
		}
		m := a.AnsweredAt.In(loc).Format("2006-01")
		sum[m] += a.Rating
		n[m]++
	}
	var months []string
	for m := range n {
		months = append(months, m)
	}
	sort.Strings(months)
	out := make([]MonthRating, 0, len(months))
	for _, m := range months {
		avg := round(float64(sum[m])/float64(n[m]), 1)
		c := Cell{Value: avg, Decimals: 1}
		if !own && n[m] < feedback.MinAnswers {
			c = Cell{Suppressed: true}
		}
		out = append(out, MonthRating{Month: m, Rating: c})
	}
	return out
}

func progressCharts(p *Progress) ProgressCharts {
	var months []string
	var counts []Cell
	for _, m := range p.Months {
		months = append(months, m.Month)
		counts = append(counts, Cell{Value: float64(m.Sessions)})
	}
	var gapItems []Item
	for _, g := range p.Gaps {
		class := "bar"
		if g.Days > float64(p.AgreedDays)*1.5 {
			class = "bar bar-health-0"
		}
		gapItems = append(gapItems, Item{Label: g.To.Format("2 Jan 2006"), Cell: Cell{Value: g.Days, Decimals: 1}, Class: class})
	}
	gaps := HBars("Days between sessions held (agreed: every "+strconv.Itoa(p.AgreedDays)+" days)", gapItems)
	// The agreed rhythm as a dashed line across the bars, at its scale.
	if max := maxShown(gapItems); max > 0 && len(gapItems) > 0 {
		x := r1(150 + 300*float64(p.AgreedDays)/max)
		if float64(p.AgreedDays) <= max {
			gaps.Lines = append(gaps.Lines, Line{X1: x, Y1: 0, X2: x, Y2: float64(gaps.Height), Class: "chart-rhythm-agreed"})
		}
	}
	var fmonths []string
	var ratings []Cell
	for _, f := range p.Feedback {
		fmonths = append(fmonths, f.Month)
		ratings = append(ratings, f.Rating)
	}
	return ProgressCharts{
		Sessions: Columns("Sessions held per month", months, []Series{{Name: "sessions", Class: "bar bar-" + string(p.Relationship.Kind), Values: counts}}),
		Gaps:     gaps,
		Feedback: Trend("Average rating by month (of 5)", fmonths, ratings, 5),
	}
}

func maxShown(items []Item) float64 {
	max := 0.0
	for _, it := range items {
		if it.Cell.Shown() && it.Cell.Value > max {
			max = it.Cell.Value
		}
	}
	return max
}

// ProgressTables are the progress page's figures as tables (and CSV).
func ProgressTables(p *Progress) []Table {
	summary := Table{Slug: "summary", Title: "Summary", Header: []string{"Figure", "Value"}, Rows: [][]string{
		{"sessions held", strconv.Itoa(p.Held)},
		{"hours", strconv.FormatFloat(p.Hours, 'f', 1, 64)},
		{"sessions booked ahead", strconv.Itoa(p.Upcoming)},
		{"attended (places)", strconv.Itoa(p.Attended)},
		{"missed (no-show)", strconv.Itoa(p.NoShows)},
		{"cancelled late", strconv.Itoa(p.CancelledLate)},
		{"rhythm agreed (days)", strconv.Itoa(p.AgreedDays)},
		{"rhythm kept (average days between sessions)", keptText(p.KeptDays)},
	}}
	if p.NextDue != nil {
		summary.Rows = append(summary.Rows, []string{"next session due", p.NextDue.Format(time.DateOnly)})
	}
	for _, m := range p.Modes {
		summary.Rows = append(summary.Rows, []string{m.Kind + " (share of time held, %)", strconv.Itoa(m.Percent)})
	}
	goals := Table{Slug: "goals", Title: "Goals", Header: []string{"Goal", "Progress (%)", "Updates", "Last moved"}}
	for _, g := range p.Goals {
		last := ""
		if g.LastMoved != nil {
			last = g.LastMoved.Format(time.DateOnly)
		}
		goals.Rows = append(goals.Rows, []string{g.Description, strconv.Itoa(g.Progress), strconv.Itoa(g.Updates), last})
	}
	months := Table{Slug: "months", Title: "Sessions held per month", Header: []string{"Month", "Sessions"}}
	for _, m := range p.Months {
		months.Rows = append(months.Rows, []string{m.Month, strconv.Itoa(m.Sessions)})
	}
	rating := Table{Slug: "feedback", Title: "Feedback", Header: []string{"Month", "Average rating (of 5)"}}
	for _, f := range p.Feedback {
		rating.Rows = append(rating.Rows, []string{f.Month, f.Rating.String()})
	}
	return []Table{summary, goals, months, rating}
}

func keptText(days float64) string {
	if days == 0 {
		return "–"
	}
	return strconv.FormatFloat(days, 'f', 1, 64)
}
