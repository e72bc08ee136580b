package reports

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Table is one table of a report, already formatted: the page shows it
// and the CSV download writes it, so the two never disagree.
type Table struct {
	Slug    string
	Title   string
	Header  []string
	Rows    [][]string
	Note    string
	Numeric []bool // per column: right-aligned on the page
}

func cellRow(label string, cells ...Cell) []string {
	row := []string{label}
	for _, c := range cells {
		row = append(row, c.String())
	}
	return row
}

// Tables lays out every table of a programme report.
func Tables(f *Figures) []Table {
	funnel := Table{Slug: "funnel", Title: "Pipeline funnel", Header: []string{"Stage", "People"},
		Note: "People who reached each stage during the period (one person counts once per stage)."}
	for _, s := range f.Funnel {
		funnel.Rows = append(funnel.Rows, cellRow(s.Stage, s.People))
	}
	m := f.Matching
	matching := Table{Slug: "matching", Title: "Matching", Header: []string{"Figure", "Value"}, Rows: [][]string{
		cellRow("people who asked for support", m.Requests),
		cellRow("of them, matched", m.Matched),
		cellRow("match rate (%)", m.RatePercent),
		cellRow("median days from request to match", m.MedianDays),
	}}
	sessions := Table{Slug: "sessions", Title: "Sessions held per month", Header: []string{"Month", "Kind", "Sessions", "Hours", "People"}}
	for _, s := range f.Sessions {
		sessions.Rows = append(sessions.Rows, []string{s.Month, s.Kind, s.Sessions.String(), s.Hours.String(), s.People.String()})
	}
	outcomes := Table{Slug: "outcomes", Title: "Completion and drop-out", Header: []string{"Outcome", "Count", "People"}}
	for _, o := range f.Outcomes {
		outcomes.Rows = append(outcomes.Rows, cellRow(o.What, o.Count, o.People))
	}
	load := Table{Slug: "load", Title: "Practitioners' load against capacity", Header: []string{"Load", "Practitioners"},
		Note: "Load is the number of members a practitioner supports in active relationships now."}
	for _, b := range f.Load.Bands {
		load.Rows = append(load.Rows, cellRow(b.Band, b.Practitioners))
	}
	load.Rows = append(load.Rows, cellRow("places offered (total capacity)", f.Load.Capacity), cellRow("members supported now", f.Load.Places))
	training := Table{Slug: "training", Title: "Training", Header: []string{"Course", "Enrolled", "Completed"},
		Note: "Training is not filtered by kind of support."}
	for _, c := range f.Training {
		training.Rows = append(training.Rows, cellRow(c.Course, c.Enrolled, c.Completed))
	}
	satisfaction := Table{Slug: "satisfaction", Title: "Satisfaction after sessions", Header: []string{"Kind", "Answers", "People", "Average rating (of 5)", "Good fit (%)"}}
	for _, s := range f.Satisfaction {
		satisfaction.Rows = append(satisfaction.Rows, cellRow(s.Kind, s.Answers, s.People, s.AverageRating, s.GoodFitPercent))
	}
	health := Table{Slug: "health", Title: "Relationship health", Header: []string{"Score", "Relationships"}}
	for _, b := range f.Health.Bands {
		health.Rows = append(health.Rows, cellRow(b.Band, b.Relationships))
	}
	atRisk := Table{Slug: "at-risk", Title: "Relationships most at risk", Header: []string{"Relationship", "Kind", "Score", "Rhythm (of 40)", "Goals (of 30)", "Feedback (of 30)", "Why"}}
	for _, h := range f.Health.AtRisk {
		fb := strconv.Itoa(h.Feedback)
		if !f.Health.FeedbackUsed {
			fb = "not used"
		}
		atRisk.Rows = append(atRisk.Rows, []string{h.Name, h.Kind, strconv.Itoa(h.Score), strconv.Itoa(h.Rhythm), strconv.Itoa(h.Goals), fb, strings.Join(h.Reasons, "; ")})
	}
	out := []Table{funnel, matching, sessions, outcomes, load, training, satisfaction, health, atRisk}
	for i := range out {
		t := &out[i]
		t.Numeric = make([]bool, len(t.Header))
		for j := 1; j < len(t.Header); j++ {
			t.Numeric[j] = t.Slug != "at-risk" || (j >= 2 && j <= 5)
		}
		if t.Slug == "sessions" {
			t.Numeric[1] = false
		}
	}
	return out
}

// TableBySlug finds one table of a report.
func TableBySlug(f *Figures, slug string) (Table, bool) {
	for _, t := range Tables(f) {
		if t.Slug == slug {
			return t, true
		}
	}
	return Table{}, false
}

// WriteCSV writes a table as CSV, header first. A text cell that a
// spreadsheet would run as a formula is prefixed with a quote.
func WriteCSV(w io.Writer, t Table) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	for _, row := range t.Rows {
		safe := make([]string, len(row))
		for i, v := range row {
			safe[i] = defuse(v)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("reports: write %s CSV: %w", t.Slug, err)
	}
	return nil
}

func defuse(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

// kindClass is the chart class of a kind of support.
func kindClass(kind string) string { return "bar bar-" + kind }

// Charts draws a report's charts.
type Charts struct {
	Funnel, Sessions, Load, Health Chart
}

// DrawCharts lays out the charts of a programme report.
func DrawCharts(f *Figures) Charts {
	var funnel, load, health []Item
	for _, s := range f.Funnel {
		funnel = append(funnel, Item{Label: s.Stage, Cell: s.People})
	}
	for _, b := range f.Load.Bands {
		load = append(load, Item{Label: b.Band, Cell: b.Practitioners})
	}
	for i, b := range f.Health.Bands {
		health = append(health, Item{Label: b.Band, Cell: b.Relationships, Class: "bar bar-health-" + strconv.Itoa(i)})
	}
	var months []string
	byKind := map[string][]Cell{}
	var kinds []string
	for _, s := range f.Sessions {
		if len(months) == 0 || months[len(months)-1] != s.Month {
			months = append(months, s.Month)
		}
		if _, ok := byKind[s.Kind]; !ok {
			kinds = append(kinds, s.Kind)
		}
		byKind[s.Kind] = append(byKind[s.Kind], s.Sessions)
	}
	var series []Series
	for _, k := range kinds {
		series = append(series, Series{Name: k, Class: kindClass(k), Values: byKind[k]})
	}
	return Charts{
		Funnel:   HBars("Pipeline funnel: people per stage", funnel),
		Sessions: Columns("Sessions held per month, by kind", months, series),
		Load:     HBars("Practitioners by load against capacity", load),
		Health:   HBars("Active relationships by health score", health),
	}
}

// Change is a headline figure now and in the snapshot compared with.
type Change struct {
	Name        string
	Now, Before Cell
}

// Delta says how the figure moved, or "" when either side is not shown.
func (c Change) Delta() string {
	if !c.Now.Shown() || !c.Before.Shown() {
		return ""
	}
	d := c.Now.Value - c.Before.Value
	s := strconv.FormatFloat(d, 'f', c.Now.Decimals, 64)
	if d > 0 {
		s = "+" + s
	}
	return s
}

// Headlines are the figures compared between two snapshots.
func Headlines(now, before *Figures) []Change {
	pick := func(f *Figures) []Cell {
		if f == nil {
			return []Cell{{Missing: true}, {Missing: true}, {Missing: true}, {Missing: true}, {Missing: true}, {Missing: true}}
		}
		stage := func(name string) Cell {
			for _, s := range f.Funnel {
				if s.Stage == name {
					return s.People
				}
			}
			return Cell{Missing: true}
		}
		held := Cell{Missing: true}
		for _, o := range f.Outcomes {
			if o.What == outcomeNames["completed"] {
				held = o.Count
			}
		}
		atRisk := Cell{Missing: true}
		if len(f.Health.Bands) > 0 {
			atRisk = f.Health.Bands[0].Relationships
		}
		return []Cell{stage("requested"), f.Matching.RatePercent, f.Matching.MedianDays, held, stage("active"), atRisk}
	}
	names := []string{"people who asked for support", "match rate (%)", "median days to match", "sessions held", "people in active relationships", "relationships at risk"}
	a, b := pick(now), pick(before)
	out := make([]Change, len(names))
	for i, n := range names {
		out[i] = Change{Name: n, Now: a[i], Before: b[i]}
	}
	return out
}
