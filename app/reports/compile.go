package reports

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Windows the health score looks back over.
const (
	RhythmWindow = 90 * 24 * time.Hour
	GoalsWindow  = 60 * 24 * time.Hour
	// AtRiskShown is how many relationships the at-risk list names.
	AtRiskShown = 10
	// AtRiskBelow is the score under which a relationship is at risk.
	AtRiskBelow = 50
)

func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// funnelFigures turns stage counts into the funnel.
func funnelFigures(counts map[string]int) []FunnelStage {
	out := make([]FunnelStage, 0, len(Stages))
	for _, st := range Stages {
		out = append(out, FunnelStage{Stage: st, People: People(counts[st])})
	}
	return out
}

// matchFigures: requests are counted by person (one person, one count,
// however many requests), and so is being matched.
func matchFigures(rows []requestRow) MatchFigures {
	requested := map[uuid.UUID]bool{}
	matched := map[uuid.UUID]bool{}
	var days []float64
	for _, r := range rows {
		requested[r.MemberID] = true
		if r.MatchedAt != nil || r.Status == "matched" {
			matched[r.MemberID] = true
		}
		if r.MatchedAt != nil {
			days = append(days, r.MatchedAt.Sub(r.CreatedAt).Hours()/24)
		}
	}
	m := MatchFigures{Requests: People(len(requested)), Matched: Part(len(matched), len(requested))}
	switch {
	case len(requested) == 0:
		m.RatePercent = Cell{Missing: true}
	case m.Matched.Suppressed || m.Requests.Suppressed:
		m.RatePercent = Cell{Suppressed: true}
	default:
		m.RatePercent = Cell{Value: round(float64(len(matched))*100/float64(len(requested)), 0)}
	}
	if len(days) == 0 {
		m.MedianDays = Cell{Missing: true}
	} else {
		m.MedianDays = About(round(median(days), 1), 1, len(days))
	}
	return m
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// sessionFigures lays the completed sessions out by month and kind, with
// every month of the period present; and the session outcomes.
func sessionFigures(months []string, sessions, people []monthRow) []MonthKind {
	type key struct{ month, kind string }
	held := map[key]monthRow{}
	kinds := map[string]bool{}
	for _, r := range sessions {
		if r.Status != "completed" {
			continue
		}
		held[key{r.Month, r.Kind}] = r
		kinds[r.Kind] = true
	}
	who := map[key]int{}
	for _, r := range people {
		if r.Month != "" && r.Status == "completed" {
			who[key{r.Month, r.Kind}] = r.People
			kinds[r.Kind] = true
		}
	}
	var ks []string
	for _, k := range Kinds {
		if kinds[k] {
			ks = append(ks, k)
		}
	}
	var out []MonthKind
	for _, m := range months {
		for _, k := range ks {
			r, n := held[key{m, k}], who[key{m, k}]
			out = append(out, MonthKind{
				Month: m, Kind: k, People: People(n),
				Sessions: About(float64(r.Sessions), 0, n),
				Hours:    About(round(r.Minutes/60, 1), 1, n),
			})
		}
	}
	return out
}

// monthsOf lists the months (YYYY-MM) the period touches.
func monthsOf(start, end time.Time, loc *time.Location) []string {
	var out []string
	for _, m := range monthStarts(start, end, loc) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// monthStarts lists the starts of the months the period touches, in loc.
func monthStarts(start, end time.Time, loc *time.Location) []time.Time {
	var out []time.Time
	m := time.Date(start.In(loc).Year(), start.In(loc).Month(), 1, 0, 0, 0, 0, loc)
	for m.Before(end) {
		out = append(out, m)
		m = m.AddDate(0, 1, 0)
	}
	return out
}

// Outcome names, as the report shows them.
var outcomeNames = map[string]string{
	"completed":      "sessions held",
	"no_show":        "sessions missed (no-show)",
	"cancelled_late": "sessions cancelled late",
	"rel_completed":  "relationships completed",
	"rel_ended":      "relationships ended early",
}

func outcomeFigures(sessions, people []monthRow, rels []outcomeRow) []Outcome {
	count := map[string]int{}
	for _, r := range sessions {
		count[r.Status] += r.Sessions
	}
	who := map[string]int{}
	for _, r := range people {
		if r.Month == "" {
			who[r.Status] = r.People
		}
	}
	var out []Outcome
	for _, st := range []string{"completed", "no_show", "cancelled_late"} {
		out = append(out, Outcome{What: outcomeNames[st], Count: About(float64(count[st]), 0, who[st]), People: People(who[st])})
	}
	relCount, relPeople := map[string]int{}, map[string]int{}
	for _, r := range rels {
		relCount[r.What], relPeople[r.What] = r.N, r.People
	}
	for _, st := range []string{"completed", "ended"} {
		out = append(out, Outcome{What: outcomeNames["rel_"+st], Count: About(float64(relCount[st]), 0, relPeople[st]), People: People(relPeople[st])})
	}
	return out
}

// practitionerKind is the practitioner kind that gives a kind of support.
var practitionerKind = map[string]string{"mentoring": "mentor", "coaching": "coach", "supervision": "supervisor"}

func loadFigures(rows []loadRow, places int, kind string) LoadFigures {
	bands := map[string]int{}
	capacity, practitioners := 0, 0
	for _, r := range rows {
		if kind != "" && r.Load == 0 && !strings.Contains(r.Kinds, practitionerKind[kind]) {
			continue // offers other kinds of support only
		}
		practitioners++
		capacity += r.Capacity
		bands[loadBand(r.Load, r.Capacity)]++
	}
	out := LoadFigures{Capacity: About(float64(capacity), 0, practitioners), Places: People(places)}
	for _, b := range LoadBands {
		out.Bands = append(out.Bands, LoadBand{Band: b, Practitioners: People(bands[b])})
	}
	return out
}

func loadBand(load, capacity int) string {
	switch {
	case load == 0:
		return "no one"
	case load > capacity:
		return "over capacity"
	case load == capacity:
		return "full"
	case load*2 < capacity:
		return "under half"
	}
	return "half to full"
}

func trainingFigures(rows []courseRow) []CourseRow {
	out := make([]CourseRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, CourseRow{Course: r.Title, Enrolled: People(r.Enrolled), Completed: People(r.Completed)})
	}
	return out
}

func satisfactionFigures(rows []satisfactionRow) []Satisfaction {
	out := make([]Satisfaction, 0, len(rows))
	for _, r := range rows {
		s := Satisfaction{
			Kind: r.Kind, Answers: About(float64(r.Answers), 0, r.People), People: People(r.People),
			AverageRating: About(round(r.Average, 1), 1, r.People),
		}
		if r.FitAnswers == 0 {
			s.GoodFitPercent = Cell{Missing: true}
		} else {
			s.GoodFitPercent = About(round(float64(r.Good)*100/float64(r.FitAnswers), 0), 0, r.People)
		}
		out = append(out, s)
	}
	return out
}

// score computes a relationship's health as of asOf: the rhythm kept
// (sessions held against the agreed cadence over RhythmWindow, up to 40
// points), goals moving (the share of goals with progress recorded over
// GoalsWindow, up to 30) and feedback (the average rating over
// RhythmWindow, up to 30; 15 without any). Without feedback (the
// organisation keeps answers from coordinators) the first two are scaled
// to 100.
func score(r healthRow, asOf time.Time, feedbackUsed bool) Health {
	h := Health{RelationshipID: r.ID, Kind: r.Kind, Name: r.Title}
	window := RhythmWindow
	if r.StartedAt != nil && asOf.Sub(*r.StartedAt) < window {
		window = asOf.Sub(*r.StartedAt)
	}
	cadence := r.CadenceDays
	if cadence <= 0 {
		cadence = 14
	}
	expected := window.Hours() / 24 / float64(cadence)
	if expected < 1 {
		h.Rhythm = 40
	} else {
		ratio := math.Min(1, float64(r.Held)/math.Floor(expected))
		h.Rhythm = int(math.Round(40 * ratio))
		if ratio < 1 {
			h.Reasons = append(h.Reasons, plural(r.Held, "session")+" held of "+itoa(int(math.Floor(expected)))+" expected in "+itoa(int(window.Hours()/24))+" days")
		}
	}
	if r.Goals == 0 {
		h.Reasons = append(h.Reasons, "no goals recorded")
	} else {
		h.Goals = int(math.Round(30 * float64(r.GoalsMoving) / float64(r.Goals)))
		if r.GoalsMoving == 0 {
			h.Reasons = append(h.Reasons, "no goal moved in 60 days")
		}
	}
	if feedbackUsed {
		if r.Ratings == 0 {
			h.Feedback = 15
		} else {
			h.Feedback = int(math.Round(30 * (r.Rating - 1) / 4))
			if r.Rating < 3 {
				h.Reasons = append(h.Reasons, "low ratings lately")
			}
		}
		h.Score = h.Rhythm + h.Goals + h.Feedback
	} else {
		h.Score = int(math.Round(float64(h.Rhythm+h.Goals) * 100 / 70))
	}
	return h
}

func itoa(n int) string { return strconv.Itoa(n) }

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return itoa(n) + " " + what + "s"
}

// healthFigures scores every active relationship, counts them by band
// and lists the lowest-scored at-risk ones, worst first.
func healthFigures(rows []healthRow, asOf time.Time, feedbackUsed bool) HealthFigures {
	out := HealthFigures{FeedbackUsed: feedbackUsed}
	bands := make([]int, len(HealthBands))
	var atRisk []Health
	for _, r := range rows {
		h := score(r, asOf, feedbackUsed)
		switch {
		case h.Score < AtRiskBelow:
			bands[0]++
			atRisk = append(atRisk, h)
		case h.Score < 75:
			bands[1]++
		default:
			bands[2]++
		}
	}
	for i, b := range HealthBands {
		out.Bands = append(out.Bands, HealthBand{Band: b, Relationships: People(bands[i])})
	}
	sort.SliceStable(atRisk, func(i, j int) bool {
		if atRisk[i].Score != atRisk[j].Score {
			return atRisk[i].Score < atRisk[j].Score
		}
		return atRisk[i].RelationshipID.String() < atRisk[j].RelationshipID.String()
	})
	if len(atRisk) > AtRiskShown {
		atRisk = atRisk[:AtRiskShown]
	}
	out.AtRisk = atRisk
	return out
}

// suppressedCells counts the suppressed cells of a report.
func suppressedCells(f *Figures) int {
	n := 0
	add := func(cs ...Cell) {
		for _, c := range cs {
			if c.Suppressed {
				n++
			}
		}
	}
	for _, s := range f.Funnel {
		add(s.People)
	}
	add(f.Matching.Requests, f.Matching.Matched, f.Matching.RatePercent, f.Matching.MedianDays)
	for _, m := range f.Sessions {
		add(m.Sessions, m.People, m.Hours)
	}
	for _, o := range f.Outcomes {
		add(o.Count, o.People)
	}
	for _, b := range f.Load.Bands {
		add(b.Practitioners)
	}
	add(f.Load.Capacity, f.Load.Places)
	for _, c := range f.Training {
		add(c.Enrolled, c.Completed)
	}
	for _, s := range f.Satisfaction {
		add(s.Answers, s.People, s.AverageRating, s.GoodFitPercent)
	}
	for _, b := range f.Health.Bands {
		add(b.Relationships)
	}
	return n
}
