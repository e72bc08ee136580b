package reports_test

import (
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

var quarter = reports.Params{From: "2027-01-01", To: "2027-03-31"}

// TestProgrammeFiguresAgainstAHandCount compiles the quarter of
// seedProgramme on both databases and compares every figure with the
// count worked out by hand there.
func TestProgrammeFiguresAgainstAHandCount(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		p := seedProgramme(t, env)
		env.Clock.Set(at("2027-04-15T09:00:00Z"))
		f, err := env.Services.Reports.Compile(env.Ctx(), p.org.ID, quarter, nil)
		if err != nil {
			t.Fatal(err)
		}
		tables := map[string]string{}
		for _, tbl := range reports.Tables(f) {
			var rows []string
			for _, r := range tbl.Rows {
				rows = append(rows, strings.Join(r, " | "))
			}
			tables[tbl.Slug] = strings.Join(rows, "\n")
		}
		want := map[string]string{
			"funnel": "assessed | 6\nsignposted | 5\nrequested | fewer than 5\nmatched | 7\nactive | 7\nconcluded | fewer than 5",
			"matching": "people who asked for support | fewer than 5\nof them, matched | fewer than 5\nmatch rate (%) | fewer than 5\n" +
				"median days from request to match | –",
			"sessions": "2027-01 | mentoring | 0 | 0.0 | 0\n2027-01 | coaching | 5 | 5.0 | 5\n" +
				"2027-02 | mentoring | 0 | 0.0 | 0\n2027-02 | coaching | fewer than 5 | fewer than 5 | fewer than 5\n" +
				"2027-03 | mentoring | fewer than 5 | fewer than 5 | fewer than 5\n2027-03 | coaching | 6 | 6.0 | 6",
			"outcomes": "sessions held | 17 | 7\nsessions missed (no-show) | fewer than 5 | fewer than 5\nsessions cancelled late | 0 | 0\n" +
				"relationships completed | fewer than 5 | fewer than 5\nrelationships ended early | 0 | 0",
			// c1 full (3 of 3), c2 half to full (3 of 6), the mentor with no one.
			"load": "no one | fewer than 5\nunder half | 0\nhalf to full | fewer than 5\nfull | fewer than 5\nover capacity | 0\n" +
				"places offered (total capacity) | fewer than 5\nmembers supported now | 6",
			"training":     "",
			"satisfaction": "coaching | 6 | 6 | 4.0 | 83\nmentoring | fewer than 5 | fewer than 5 | fewer than 5 | fewer than 5",
			// m2–m6 at risk (5), m1 healthy (1: suppressed).
			"health": "at risk (under 50) | 5\nwatch (50–74) | 0\nhealthy (75+) | fewer than 5",
		}
		for slug, w := range want {
			if got := tables[slug]; got != w {
				t.Errorf("%s:\n got: %s\nwant: %s", slug, got, w)
			}
		}
		// At risk, worst first: m6 (1 session of 5 expected: 8 → 11),
		// m5 (2 of 5: 16 → 23), then m2–m4 (3 of 5: 24 → 34).
		risk := f.Health.AtRisk
		if len(risk) != 5 || risk[0].RelationshipID != p.rels[5].ID || risk[0].Score != 11 || risk[1].RelationshipID != p.rels[4].ID || risk[1].Score != 23 || risk[2].Score != 34 {
			t.Fatalf("at risk: %+v", risk)
		}
		if !strings.Contains(risk[0].Name, p.members[5].Name) || risk[0].Reasons[0] != "1 session held of 5 expected in 80 days" {
			t.Fatalf("at risk, first: %+v", risk[0])
		}
		if f.Health.FeedbackUsed {
			t.Fatal("feedback counted in health though the organisation keeps answers from coordinators")
		}

		// The kind filter: mentoring only.
		f, err = env.Services.Reports.Compile(env.Ctx(), p.org.ID, reports.Params{From: quarter.From, To: quarter.To, Kind: "mentoring"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Funnel[3].People.String() + " " + f.Funnel[5].People.String(); got != "fewer than 5 fewer than 5" {
			t.Fatalf("mentoring funnel matched/concluded: %s", got)
		}
		if len(f.Health.AtRisk) != 0 || len(f.Sessions) != 3 || f.Sessions[2].Kind != "mentoring" {
			t.Fatalf("mentoring: at risk %v, sessions %+v", f.Health.AtRisk, f.Sessions)
		}
	})
}
