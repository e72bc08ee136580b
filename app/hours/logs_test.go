package hours

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

var t0 = time.Date(2027, time.March, 1, 9, 0, 0, 0, time.UTC)

func at(min int) time.Time { return t0.Add(time.Duration(min) * time.Minute) }

func ptr[T any](v T) *T { return &v }

// sw is a switch made in session sid at minute min of t0's session (60
// minutes), reverting at its end unless kept.
func sw(sid uuid.UUID, min int, to relationships.Kind, kept bool) relationships.ModeSwitch {
	m := relationships.ModeSwitch{SessionID: &sid, ToKind: to, At: at(min), Kept: kept}
	if !kept {
		m.RevertsAt = ptr(at(60))
	}
	return m
}

// TestSessionSplitAndRevert: a session's minutes divide by the switches
// recorded in it, and an unkept switch reverts when the session ends.
func TestSessionSplitAndRevert(t *testing.T) {
	sid := uuid.New()
	C, M := relationships.Coaching, relationships.Mentoring
	cases := []struct {
		name         string
		primary      relationships.Kind
		switches     []relationships.ModeSwitch
		coach, mentr int
		after        relationships.Kind // the relationship's mode after the session
	}{
		{"no switch", C, nil, 60, 0, C},
		{"mentoring for the last twenty minutes, not kept", C, []relationships.ModeSwitch{sw(sid, 40, M, false)}, 40, 20, C},
		{"mentoring for the last twenty minutes, kept", C, []relationships.ModeSwitch{sw(sid, 40, M, true)}, 40, 20, M},
		{"mentoring from 10 to 30 then back", C, []relationships.ModeSwitch{sw(sid, 10, M, false), sw(sid, 30, C, false)}, 40, 20, C},
		{"a mentoring relationship coaching from minute 15", M, []relationships.ModeSwitch{sw(sid, 15, C, false)}, 45, 15, M},
		{"switch at the start", C, []relationships.ModeSwitch{sw(sid, 0, M, false)}, 0, 60, C},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			split := relationships.SessionSplit(tc.primary, tc.switches, sid, at(0), at(60))
			if split[C] != tc.coach || split[M] != tc.mentr {
				t.Errorf("split = %v, want coaching %d, mentoring %d", split, tc.coach, tc.mentr)
			}
			if got := relationships.ModeAt(tc.primary, tc.switches, at(60)); got != tc.after {
				t.Errorf("mode after the session = %s, want %s", got, tc.after)
			}
			if len(tc.switches) > 0 {
				if got := relationships.ModeAt(tc.primary, tc.switches, at(59)); got != tc.switches[len(tc.switches)-1].ToKind {
					t.Errorf("mode in the session's last minute = %s, want %s", got, tc.switches[len(tc.switches)-1].ToKind)
				}
			}
		})
	}
	// The next session starts in the reverted mode, and counts it.
	next := uuid.New()
	later := relationships.SessionSplit(C, []relationships.ModeSwitch{sw(sid, 40, M, false)}, next, at(24*60), at(25*60))
	if later[C] != 60 || later[M] != 0 {
		t.Errorf("the next day's session = %v, want all coaching (the switch reverted)", later)
	}
	kept := relationships.SessionSplit(C, []relationships.ModeSwitch{sw(sid, 40, M, true)}, next, at(24*60), at(25*60))
	if kept[M] != 60 {
		t.Errorf("the next day's session after a kept switch = %v, want all mentoring", kept)
	}
}

func held(rel uuid.UUID, kind relationships.Kind, format relationships.Format, day, minutes, attended int) Held {
	start := t0.AddDate(0, 0, day)
	return Held{ID: uuid.New(), RelationshipID: rel, Kind: string(kind), Format: string(format), Title: "Team leads",
		StartsAt: start, EndsAt: start.Add(time.Duration(minutes) * time.Minute), Attended: attended}
}

// TestBuildLogsAgainstHandComputedTotals: the logs of a hand-made month
// of sessions, entries and settings, checked against totals computed by
// hand.
func TestBuildLogsAgainstHandComputedTotals(t *testing.T) {
	ann, ben, grp := uuid.New(), uuid.New(), uuid.New()
	annID, benID := uuid.New(), uuid.New()
	s := []Held{
		held(ann, relationships.Coaching, relationships.OneToOne, 0, 60, 1),
		held(ann, relationships.Coaching, relationships.OneToOne, 14, 60, 1),  // mentoring 20 of its 60
		held(ben, relationships.Mentoring, relationships.OneToOne, 3, 90, 1),  // all mentoring
		held(grp, relationships.Coaching, relationships.Group, 7, 120, 5),     // group of 5
		held(grp, relationships.Coaching, relationships.Group, 21, 120, 6),    // then 6
		held(ben, relationships.Mentoring, relationships.OneToOne, 10, 45, 1), // coaching 45
	}
	sid := s[1].ID
	in := Input{
		Sessions: s,
		Switches: map[uuid.UUID][]relationships.ModeSwitch{
			ann: {{SessionID: &sid, ToKind: relationships.Mentoring, At: s[1].StartsAt.Add(40 * time.Minute), RevertsAt: &s[1].EndsAt}},
			ben: {{SessionID: &s[5].ID, ToKind: relationships.Coaching, At: s[5].StartsAt, RevertsAt: &s[5].EndsAt}},
		},
		Members: map[uuid.UUID][]Member{
			ann: {{RelationshipID: ann, UserID: annID, Name: "Ann Able", Email: "ann@example.test"}},
			ben: {{RelationshipID: ben, UserID: benID, Name: "Ben Bold", Email: "ben@example.test"}},
		},
		Clients:  map[uuid.UUID]Client{ben: {Paid: false, Pseudonym: "BB"}},
		Consents: map[uuid.UUID]map[uuid.UUID]Consent{ann: {annID: {Named: true, Contact: false}}},
		Entries: []Entry{
			{ID: uuid.New(), Log: LogCoaching, Client: "Outside client", Format: Individual, GroupSize: 1, Paid: true, FirstOn: t0.AddDate(0, -2, 0), LastOn: t0.AddDate(0, -1, 0), Minutes: 300},
			{ID: uuid.New(), Log: LogMentoring, Client: "Outside group", Format: Group, GroupSize: 3, Paid: false, FirstOn: t0.AddDate(0, -1, 0), LastOn: t0.AddDate(0, -1, 0), Minutes: 30},
		},
	}
	coaching, mentoring := BuildLogs(in)

	// Coaching: Ann 60+40 = 100 paid; group 240 paid (6 at most); Ben 45
	// pro bono; outside 300 paid. 685 minutes, 640 paid, 45 pro bono;
	// clients 1 + 6 + 1 + 1 = 9.
	if want := (Totals{Minutes: 685, PaidMinutes: 640, ProBonoMinutes: 45, Clients: 9}); coaching.Totals != want {
		t.Errorf("coaching totals = %+v, want %+v", coaching.Totals, want)
	}
	// Mentoring: Ann 20 paid; Ben 90 pro bono; outside group 30 pro bono.
	// 140 minutes, 20 paid, 120 pro bono; clients 1 + 1 + 3 = 5.
	if want := (Totals{Minutes: 140, PaidMinutes: 20, ProBonoMinutes: 120, Clients: 5}); mentoring.Totals != want {
		t.Errorf("mentoring totals = %+v, want %+v", mentoring.Totals, want)
	}
	rows := map[string]Row{}
	for _, r := range coaching.Rows {
		rows["c:"+r.Client] = r
	}
	for _, r := range mentoring.Rows {
		rows["m:"+r.Client] = r
	}
	for key, want := range map[string]struct {
		minutes, sessions, size int
		contact                 string
		first, last             time.Time
	}{
		"c:Ann Able":       {100, 2, 1, "", s[0].StartsAt, s[1].StartsAt},
		"m:Ann Able":       {20, 1, 1, "", s[1].StartsAt, s[1].StartsAt},
		"c:Team leads":     {240, 2, 6, "", s[3].StartsAt, s[4].StartsAt},
		"c:BB":             {45, 1, 1, "", s[5].StartsAt, s[5].StartsAt},
		"m:BB":             {90, 1, 1, "", s[2].StartsAt, s[2].StartsAt},
		"c:Outside client": {300, 0, 1, "", t0.AddDate(0, -2, 0), t0.AddDate(0, -1, 0)},
	} {
		r, ok := rows[key]
		if !ok {
			t.Errorf("no row %s in %v", key, rows)
			continue
		}
		if r.Minutes != want.minutes || r.Sessions != want.sessions || r.GroupSize != want.size || r.Contact != want.contact ||
			!r.First.Equal(want.first) || !r.Last.Equal(want.last) {
			t.Errorf("row %s = %+v, want %+v", key, r, want)
		}
	}
	// Thresholds: 685 minutes is 11.41 hours of ACC's 100 (11%), 640 paid
	// of 75 hours (14%), 9 clients of 8 (met); ACC not met.
	acc := coaching.Progress[0]
	if acc.Name != "ICF ACC" || acc.HoursPct != 11 || acc.PaidPct != 14 || acc.ClientsPct != 100 || acc.Met {
		t.Errorf("ACC progress = %+v", acc)
	}
	if mentoring.Progress[0].Name != "EMCC EIA Foundation" || mentoring.Progress[0].ClientsPct != 100 || mentoring.Progress[0].HoursPct != 4 {
		t.Errorf("EIA Foundation progress = %+v", mentoring.Progress[0])
	}
}

// TestThresholds: totals against each credential, at and around its
// limits.
func TestThresholds(t *testing.T) {
	h := 60
	cases := []struct {
		name   string
		totals Totals
		met    []bool // ACC, PCC, MCC
	}{
		{"nothing", Totals{}, []bool{false, false, false}},
		{"ACC exactly", Totals{Minutes: 100 * h, PaidMinutes: 75 * h, Clients: 8}, []bool{true, false, false}},
		{"ACC one paid minute short", Totals{Minutes: 100 * h, PaidMinutes: 75*h - 1, Clients: 8}, []bool{false, false, false}},
		{"ACC one client short", Totals{Minutes: 200 * h, PaidMinutes: 200 * h, Clients: 7}, []bool{false, false, false}},
		{"PCC exactly", Totals{Minutes: 500 * h, PaidMinutes: 450 * h, Clients: 25}, []bool{true, true, false}},
		{"PCC hours without its paid hours", Totals{Minutes: 600 * h, PaidMinutes: 400 * h, Clients: 30}, []bool{true, false, false}},
		{"MCC exactly", Totals{Minutes: 2500 * h, PaidMinutes: 2250 * h, Clients: 35}, []bool{true, true, true}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Against(tc.totals, CoachingThresholds)
			for i, p := range got {
				if p.Met != tc.met[i] {
					t.Errorf("%s met = %v, want %v (%+v)", p.Name, p.Met, tc.met[i], p)
				}
				if p.Met && (p.HoursPct != 100 || p.PaidPct != 100 || p.ClientsPct != 100) {
					t.Errorf("%s is met at %d/%d/%d%%", p.Name, p.HoursPct, p.PaidPct, p.ClientsPct)
				}
			}
		})
	}
	// 50 hours is half of ACC's hours, a tenth of PCC's, 2% of MCC's.
	got := Against(Totals{Minutes: 50 * h}, CoachingThresholds)
	if got[0].HoursPct != 50 || got[1].HoursPct != 10 || got[2].HoursPct != 2 {
		t.Errorf("50 hours = %d%%, %d%%, %d%%", got[0].HoursPct, got[1].HoursPct, got[2].HoursPct)
	}
}

func item(daysAgo, minutes int, now time.Time) Item {
	return Item{Record: Record{Minutes: minutes, HeldAt: now.AddDate(0, 0, -daysAgo)}}
}

// TestRatioAndItsWarning: the ratio of supervision to practice by either
// standard, with the warning when it falls below.
func TestRatioAndItsWarning(t *testing.T) {
	now := t0
	ratio := func(n int) Settings { return Settings{Standard: StandardRatio, RatioHours: n} }
	quarter := func(m int) Settings { return Settings{Standard: StandardQuarter, QuarterMinutes: m} }
	cases := []struct {
		name      string
		settings  Settings
		items     []Item
		practice  int
		text      string
		due       bool
		shortfall int
	}{
		{"1:35 met exactly", ratio(35), []Item{item(10, 60, now)}, 35 * 60, "1:35", false, 0},
		{"1:35 one hour short: 70 hours need two", ratio(35), []Item{item(10, 60, now)}, 70 * 60, "1:70", true, 60},
		{"1:35 with 36 hours needs 62 minutes", ratio(35), []Item{item(10, 60, now)}, 36 * 60, "1:36", true, 2},
		{"1:35 and no practice", ratio(35), nil, 0, "no supervision yet", false, 0},
		{"1:35 and practice without supervision", ratio(35), nil, 600, "no supervision yet", true, 18},
		{"an hour a quarter, held last month", quarter(60), []Item{item(30, 60, now)}, 2000, "1:33.3", false, 0},
		{"an hour a quarter, held four months ago", quarter(60), []Item{item(120, 90, now)}, 2000, "1:22.2", true, 60},
		{"an hour a quarter, half of it recent", quarter(60), []Item{item(120, 60, now), item(20, 30, now)}, 900, "1:10", true, 30},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ComputeRatio(tc.settings, tc.items, tc.practice, now)
			if r.Text() != tc.text || r.Due != tc.due || r.Shortfall != tc.shortfall {
				t.Errorf("ratio = %q due %v short %d, want %q due %v short %d", r.Text(), r.Due, r.Shortfall, tc.text, tc.due, tc.shortfall)
			}
		})
	}
}

// TestCSVParsesBack: both CSV exports read back into their fields.
func TestCSVParsesBack(t *testing.T) {
	l := &Log{Kind: LogCoaching, Rows: []Row{
		{Client: "Ann, \"the\" Able", Contact: "ann@example.test", Format: Individual, GroupSize: 1, Paid: true, First: t0, Last: t0.AddDate(0, 0, 14), Sessions: 2, Minutes: 100},
		{Client: "=cmd()", Format: Group, GroupSize: 6, Paid: false, First: t0, Last: t0, Sessions: 1, Minutes: 45},
	}, Totals: Totals{Minutes: 145, PaidMinutes: 100, ProBonoMinutes: 45, Clients: 7}}
	var buf bytes.Buffer
	if err := WritePracticeCSV(&buf, l); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	want := [][]string{
		PracticeColumns,
		{"Ann, \"the\" Able", "ann@example.test", "individual", "", "2027-03-01", "2027-03-15", "2", "1.67", "0"},
		{"'=cmd()", "", "group", "6", "2027-03-01", "2027-03-01", "1", "0", "0.75"},
		{"Total", "", "", "7 clients", "", "", "", "1.67", "0.75"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d: %v", len(recs), len(want), recs)
	}
	for i := range want {
		for j := range want[i] {
			if recs[i][j] != want[i][j] {
				t.Errorf("record %d field %d = %q, want %q", i, j, recs[i][j], want[i][j])
			}
		}
	}
	signed := t0.AddDate(0, 0, 2)
	sup := uuid.New()
	buf.Reset()
	if err := WriteSupervisionCSV(&buf, []Item{{Supervisor: "Sam Super", Record: Record{Format: Group, Minutes: 90, HeldAt: t0, Themes: "Endings; boundaries",
		SupervisorID: &sup, SignedOffAt: &signed}}}); err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatalf("the supervision CSV does not parse: %v", err)
	}
	if got := recs[1]; len(recs) != 2 || got[0] != "2027-03-01" || got[1] != "Sam Super" || got[2] != "group" || got[3] != "1.50" || got[4] != "Endings; boundaries" || got[7] != "2027-03-03" {
		t.Errorf("supervision CSV = %v", recs)
	}
}

// TestThemesWithoutIdentifiers: what the themes of a supervision may
// not carry.
func TestThemesWithoutIdentifiers(t *testing.T) {
	clients := []string{"Ann Able", "Ben Bold"}
	for text, want := range map[string]string{
		"Endings and boundaries":              "",
		"A client who asked me for advice":    "",
		"Mail me at ann@example.test":         "an e-mail address",
		"Her number is +44 7700 900123":       "a phone number",
		"Working with ann able on delegation": "a client's name",
		"Sessions in 2027 ran 45 minutes, ok": "",
		"Ben Bold's team":                     "a client's name",
	} {
		if got := identifies(text, clients); got != want {
			t.Errorf("identifies(%q) = %q, want %q", text, got, want)
		}
	}
}
