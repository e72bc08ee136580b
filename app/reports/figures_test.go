package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"html/template"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
)

// TestSuppressionEdges: a count of people is shown at zero and from five
// up; one to four is suppressed and keeps no value.
func TestSuppressionEdges(t *testing.T) {
	for n, want := range map[int]string{0: "0", 1: "fewer than 5", 4: "fewer than 5", 5: "5", 6: "6", 120: "120"} {
		c := People(n)
		if c.String() != want {
			t.Errorf("People(%d) = %q, want %q", n, c, want)
		}
		if c.Suppressed && c.Value != 0 {
			t.Errorf("People(%d) suppressed but keeps %v", n, c.Value)
		}
	}
	// A figure about people follows the people, not its own size.
	if c := About(37.5, 1, 4); !c.Suppressed || c.Value != 0 {
		t.Errorf("About(37.5, 4 people) = %+v", c)
	}
	if c := About(37.5, 1, 5); c.String() != "37.5" {
		t.Errorf("About(37.5, 5 people) = %q", c)
	}
	// Part: the rest of the whole is a group too.
	for _, tc := range []struct{ part, whole int }{{4, 10}, {5, 6}, {5, 9}, {6, 10}, {6, 6}, {0, 4}, {0, 6}, {10, 15}} {
		c := Part(tc.part, tc.whole)
		rest := tc.whole - tc.part
		wantSuppressed := (tc.part > 0 && tc.part < 5) || (rest > 0 && rest < 5)
		if c.Suppressed != wantSuppressed {
			t.Errorf("Part(%d of %d) suppressed %v, want %v", tc.part, tc.whole, c.Suppressed, wantSuppressed)
		}
	}
}

func TestMatchFiguresByPerson(t *testing.T) {
	day := time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)
	var rows []requestRow
	// Ten people ask; six are matched after 1, 2, 3, 4, 5 and 10 days.
	// One of them asked twice (the second request still open).
	for i := range 10 {
		r := requestRow{MemberID: uuid.Must(uuid.NewV7()), Status: "open", CreatedAt: day}
		if i < 6 {
			d := []int{1, 2, 3, 4, 5, 10}[i]
			at := day.Add(time.Duration(d) * 24 * time.Hour)
			r.Status, r.MatchedAt = "matched", &at
		}
		rows = append(rows, r)
	}
	rows = append(rows, requestRow{MemberID: rows[0].MemberID, Status: "open", CreatedAt: day})
	m := matchFigures(rows)
	// 6 matched, 4 not: the rest is fewer than five, so matched and the
	// rate are held back; the median (3.5 days, over six) is shown.
	if m.Requests.String() != "10" || !m.Matched.Suppressed || !m.RatePercent.Suppressed || m.MedianDays.String() != "3.5" {
		t.Fatalf("match figures: %+v", m)
	}
	// Five more people, not matched: 6 of 15, the rest 9.
	for range 5 {
		rows = append(rows, requestRow{MemberID: uuid.Must(uuid.NewV7()), Status: "open", CreatedAt: day})
	}
	m = matchFigures(rows)
	if m.Requests.String() != "15" || m.Matched.String() != "6" || m.RatePercent.String() != "40" {
		t.Fatalf("match figures: %+v", m)
	}
	if m := matchFigures(nil); m.Requests.String() != "0" || !m.RatePercent.Missing || !m.MedianDays.Missing {
		t.Fatalf("no requests: %+v", m)
	}
}

func TestLoadBands(t *testing.T) {
	for _, tc := range []struct {
		load, capacity int
		want           string
	}{{0, 3, "no one"}, {1, 3, "under half"}, {2, 4, "half to full"}, {2, 3, "half to full"}, {3, 3, "full"}, {4, 3, "over capacity"}, {1, 0, "over capacity"}} {
		if got := loadBand(tc.load, tc.capacity); got != tc.want {
			t.Errorf("loadBand(%d, %d) = %q, want %q", tc.load, tc.capacity, got, tc.want)
		}
	}
}

func TestHealthScore(t *testing.T) {
	asOf := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	long := asOf.AddDate(-1, 0, 0)
	// 90 days at a fortnightly rhythm: 6 sessions expected.
	r := healthRow{ID: uuid.Must(uuid.NewV7()), StartedAt: &long, CadenceDays: 14, Held: 3, Goals: 2, GoalsMoving: 1, Ratings: 2, Rating: 3}
	h := score(r, asOf, true)
	// rhythm 40*3/6 = 20, goals 30*1/2 = 15, feedback 30*(3-1)/4 = 15.
	if h.Rhythm != 20 || h.Goals != 15 || h.Feedback != 15 || h.Score != 50 {
		t.Fatalf("score: %+v", h)
	}
	// Without feedback, rhythm and goals are scaled to 100: 35/70.
	if h := score(r, asOf, false); h.Score != 50 || h.Feedback != 0 {
		t.Fatalf("score without feedback: %+v", h)
	}
	// A relationship started a week ago cannot have missed its rhythm.
	recent := asOf.AddDate(0, 0, -7)
	h = score(healthRow{StartedAt: &recent, CadenceDays: 14}, asOf, true)
	if h.Rhythm != 40 || h.Score != 55 || len(h.Reasons) != 1 || h.Reasons[0] != "no goals recorded" {
		t.Fatalf("new relationship: %+v", h)
	}
}

// renderChart executes the svg-chart partial on its own, as pages do.
func renderChart(t *testing.T, c Chart) []byte {
	t.Helper()
	src, err := os.ReadFile("../../templates/partials/chart.html")
	if err != nil {
		t.Fatal(err)
	}
	tpl := template.Must(template.New("").Parse(string(src)))
	var b bytes.Buffer
	if err := tpl.ExecuteTemplate(&b, "svg-chart", c); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type svgDoc struct {
	XMLName xml.Name `xml:"figure"`
	SVG     struct {
		XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
		ViewBox string   `xml:"viewBox,attr"`
		Title   string   `xml:"title"`
		Rects   []struct {
			Class string  `xml:"class,attr"`
			X     float64 `xml:"x,attr"`
			Y     float64 `xml:"y,attr"`
			W     float64 `xml:"width,attr"`
			H     float64 `xml:"height,attr"`
			Title string  `xml:"title"`
		} `xml:"rect"`
		Texts []struct {
			Text string `xml:",chardata"`
		} `xml:"text"`
	} `xml:"svg"`
}

func parseSVG(t *testing.T, b []byte) svgDoc {
	t.Helper()
	var doc svgDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("the chart is not well-formed XML: %v\n%s", err, b)
	}
	return doc
}

// TestChartsAreWellFormedSVG parses the charts with encoding/xml and
// checks their bars: proportional, none for suppressed figures, and text
// escaped (a course or person named with markup stays text).
func TestChartsAreWellFormedSVG(t *testing.T) {
	c := HBars(`Funnel <script>"&'`, []Item{
		{Label: "assessed", Cell: People(10)}, {Label: "signposted", Cell: People(5)},
		{Label: "requested", Cell: People(3)}, {Label: "matched", Cell: People(0)},
	})
	doc := parseSVG(t, renderChart(t, c))
	if doc.SVG.Title != `Funnel <script>"&'` || doc.SVG.ViewBox == "" {
		t.Fatalf("title %q viewBox %q", doc.SVG.Title, doc.SVG.ViewBox)
	}
	if len(doc.SVG.Rects) != 2 {
		t.Fatalf("want 2 bars (10 and 5; none for the suppressed and the zero), got %d", len(doc.SVG.Rects))
	}
	if w0, w1 := doc.SVG.Rects[0].W, doc.SVG.Rects[1].W; w0 != 2*w1 || w0 <= 0 {
		t.Fatalf("bar widths %v and %v, want 2:1", w0, w1)
	}
	var texts []string
	for _, tx := range doc.SVG.Texts {
		texts = append(texts, tx.Text)
	}
	if !strings.Contains(strings.Join(texts, "|"), "requested|fewer than 5") {
		t.Fatalf("the suppressed row is not explained: %v", texts)
	}

	cols := Columns("Sessions", []string{"2027-01", "2027-02"}, []Series{
		{Name: "coaching", Class: "bar bar-coaching", Values: []Cell{About(8, 0, 5), About(2, 0, 2)}},
		{Name: "mentoring", Class: "bar bar-mentoring", Values: []Cell{About(4, 0, 6), People(0)}},
	})
	doc = parseSVG(t, renderChart(t, cols))
	var bars []float64
	for _, r := range doc.SVG.Rects {
		if r.Title != "" {
			bars = append(bars, r.H)
		}
	}
	// 8 and 4 are drawn (the axis tops at 8: steps of 2); the suppressed
	// February coaching and the zero are not.
	if len(bars) != 2 || bars[0] != 180 || bars[1] != 90 {
		t.Fatalf("column heights %v, want [180 90]", bars)
	}
	if !bytes.Contains(renderChart(t, cols), []byte(">&lt;5<")) {
		t.Fatal("the suppressed column is not marked <5")
	}
}

func TestCSVParsesBack(t *testing.T) {
	f := &Figures{
		Funnel:   funnelFigures(map[string]int{"assessed": 12, "signposted": 4}),
		Training: []CourseRow{{Course: `=HYPERLINK("x"), "quoted"`, Enrolled: People(7), Completed: People(2)}},
	}
	for _, slug := range []string{"funnel", "training"} {
		tbl, ok := TableBySlug(f, slug)
		if !ok {
			t.Fatalf("no %s table", slug)
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, tbl); err != nil {
			t.Fatal(err)
		}
		records, err := csv.NewReader(&b).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(records) != len(tbl.Rows)+1 || strings.Join(records[0], ",") != strings.Join(tbl.Header, ",") {
			t.Fatalf("%s: %v", slug, records)
		}
		switch slug {
		case "funnel":
			if records[1][0] != "assessed" || records[1][1] != "12" || records[2][1] != "fewer than 5" || records[3][1] != "0" {
				t.Fatalf("funnel CSV: %v", records)
			}
		case "training":
			if records[1][0] != `'=HYPERLINK("x"), "quoted"` || records[1][1] != "7" || records[1][2] != "fewer than 5" {
				t.Fatalf("training CSV: %v", records)
			}
		}
	}
}
