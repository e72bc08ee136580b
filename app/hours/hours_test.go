package hours_test

import (
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/hours"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// held books a session of rel an hour from now, lets the clock pass it
// and marks it completed: a session held, as the calendar records it.
func held(t *testing.T, env *testkit.Env, org *testkit.Org, rel *relationships.Relationship, by *testkit.Person, minutes int) calendar.Session {
	t.Helper()
	ss, err := env.Services.Calendar.Book(env.Ctx(), org.ID, calendar.BookInput{RelationshipID: rel.ID, ActorID: by.ID,
		Start: env.Clock.Now().Add(time.Hour), Direct: true, Minutes: minutes})
	if err != nil {
		t.Fatalf("book: %v", err)
	}
	env.Clock.Advance(time.Hour + time.Duration(minutes)*time.Minute + time.Minute)
	if err := env.Services.Calendar.MarkAttendance(env.Ctx(), org.ID, ss[0].ID, calendar.StatusCompleted, nil); err != nil {
		t.Fatalf("mark attendance: %v", err)
	}
	return ss[0]
}

// TestAModeSwitchSplitsTheLogAndRevertsAtTheSessionsEnd: a coach records
// on a held session that it turned to mentoring for its last twenty
// minutes; the log splits the hour 40/20 and the relationship is coaching
// again after the session; kept, the switch would have lasted.
func TestAModeSwitchSplitsTheLogAndRevertsAtTheSessionsEnd(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		member := env.NewPerson(org, tenancy.RoleMember)
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		s := held(t, env, org, rel, coach, 60)
		b := env.SignIn(coach.User)
		path := "/o/" + org.Slug + "/calendar/sessions/" + s.ID.String()

		// The session has ended: the minute must be given, and be in it.
		for _, minute := range []string{"", "60", "-1", "soon"} {
			p := b.NoRedirects().Post(path+"/mode", map[string]string{"to_kind": "mentoring", "why": "Shared my own experience", "minute": minute})
			if p.Status != http.StatusUnprocessableEntity {
				t.Errorf("minute %q = %d, want 422", minute, p.Status)
			}
		}
		if p := b.NoRedirects().Post(path+"/mode", map[string]string{"to_kind": "mentoring", "why": "Shared my own experience", "minute": "40"}); p.Status != http.StatusSeeOther {
			t.Fatalf("switch = %d: %s", p.Status, p.Body)
		}
		if p := b.Get(path); !strings.Contains(p.Text("#mode-switches"), "reverts when the session ends") {
			t.Errorf("the session page does not say the switch reverts: %q", p.Text("#mode-switches"))
		}
		sw, err := env.Services.Relationships.ModeSwitches(env.Ctx(), org.ID, rel.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(sw) != 1 || !sw[0].At.Equal(s.StartsAt.Add(40*time.Minute)) || sw[0].RevertsAt == nil || !sw[0].RevertsAt.Equal(s.EndsAt) || sw[0].Kept {
			t.Fatalf("switch recorded = %+v", sw)
		}
		if mode := relationships.CurrentMode(rel, sw, env.Clock.Now()); mode != relationships.Coaching {
			t.Errorf("after the session the relationship works as %s, want coaching (reverted)", mode)
		}
		if mode := relationships.CurrentMode(rel, sw, s.StartsAt.Add(50*time.Minute)); mode != relationships.Mentoring {
			t.Errorf("in the session's last twenty minutes the mode is %s, want mentoring", mode)
		}
		p := b.Get("/o/" + org.Slug + "/hours")
		if c, m := p.Text("#coaching-hours"), p.Text("#mentoring-hours"); c != "0.67" || m != "0.33" {
			t.Errorf("hours log = coaching %s, mentoring %s; want 0.67 and 0.33", c, m)
		}
		// The relationship's progress page shares the same split.
		if p := b.Get("/o/" + org.Slug + "/relationships/" + rel.ID.String() + "/progress"); !strings.Contains(p.Text("#progress-stats"), "33%") {
			t.Errorf("progress page modes: %q", p.Text("#progress-stats"))
		}

		// A second session, switched to mentoring and kept: the next
		// session is mentoring from its start.
		s2 := held(t, env, org, rel, coach, 60)
		if p := b.NoRedirects().Post("/o/"+org.Slug+"/calendar/sessions/"+s2.ID.String()+"/mode",
			map[string]string{"to_kind": "mentoring", "why": "We agreed mentoring serves now", "minute": "30", "keep": "1"}); p.Status != http.StatusSeeOther {
			t.Fatalf("kept switch = %d", p.Status)
		}
		s3 := held(t, env, org, rel, coach, 60)
		sw, _ = env.Services.Relationships.ModeSwitches(env.Ctx(), org.ID, rel.ID)
		if mode := relationships.CurrentMode(rel, sw, env.Clock.Now()); mode != relationships.Mentoring {
			t.Errorf("after a kept switch the relationship works as %s, want mentoring", mode)
		}
		if c, m := hours.Split(hours.Held{ID: s3.ID, Kind: "coaching", StartsAt: s3.StartsAt, EndsAt: s3.EndsAt}, sw); c != 0 || m != 60 {
			t.Errorf("the session after a kept switch = %d coaching, %d mentoring", c, m)
		}
		// 40 + 30 coaching, 20 + 30 + 60 mentoring.
		p = b.Get("/o/" + org.Slug + "/hours")
		if c, m := p.Text("#coaching-hours"), p.Text("#mentoring-hours"); c != "1.17" || m != "1.83" {
			t.Errorf("hours log = coaching %s, mentoring %s; want 1.17 and 1.83", c, m)
		}
	})
}

// TestCSVDownloadsParseBack: the coaching log's CSV, as downloaded, in
// the accrediting body's fields; a client is named and reachable only
// with their consent.
func TestCSVDownloadsParseBack(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	member := env.NewPerson(org, tenancy.RoleMember)
	rel := env.NewRelationship(org, relationships.Coaching, coach, member)
	held(t, env, org, rel, coach, 90)
	b := env.SignIn(coach.User)
	read := func() [][]string {
		t.Helper()
		p := b.Get("/o/" + org.Slug + "/hours/coaching.csv")
		if p.Status != http.StatusOK || !strings.HasPrefix(p.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("coaching.csv = %d %s", p.Status, p.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(strings.NewReader(p.Body)).ReadAll()
		if err != nil {
			t.Fatalf("the CSV does not parse: %v", err)
		}
		return recs
	}
	recs := read()
	if strings.Join(recs[0], "|") != strings.Join(hours.PracticeColumns, "|") || len(recs) != 3 {
		t.Fatalf("CSV = %v", recs)
	}
	if r := recs[1]; r[0] != "Client 1" || r[1] != "" || r[2] != "individual" || r[6] != "1" || r[7] != "1.50" || r[8] != "0" {
		t.Errorf("row without consent = %v", r)
	}
	// The client consents to both; the practitioner marks them pro bono.
	mb := env.SignIn(member.User).NoRedirects()
	if p := mb.Post("/o/"+org.Slug+"/hours/consent/"+rel.ID.String(), map[string]string{"named": "1", "contact": "1"}); p.Status != http.StatusSeeOther {
		t.Fatalf("consent = %d", p.Status)
	}
	if p := b.NoRedirects().Post("/o/"+org.Slug+"/hours/clients/"+rel.ID.String(), map[string]string{"pseudonym": "CL"}); p.Status != http.StatusSeeOther {
		t.Fatalf("client setting = %d", p.Status)
	}
	recs = read()
	if r := recs[1]; r[0] != member.Name || r[1] != member.Email || r[7] != "0" || r[8] != "1.50" {
		t.Errorf("row with consent, pro bono = %v", r)
	}
	// Withdrawn, the pseudonym returns.
	mb.Post("/o/"+org.Slug+"/hours/consent/"+rel.ID.String(), map[string]string{})
	if r := read()[1]; r[0] != "CL" || r[1] != "" {
		t.Errorf("row after consent withdrawn = %v", r)
	}
	// Only the relationship's member consents; only its practitioner sets.
	other := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	ob := env.SignIn(other.User).NoRedirects()
	if p := ob.Post("/o/"+org.Slug+"/hours/clients/"+rel.ID.String(), map[string]string{"pseudonym": "X"}); p.Status != http.StatusForbidden {
		t.Errorf("another practitioner's client setting = %d, want 403", p.Status)
	}
	if p := b.NoRedirects().Post("/o/"+org.Slug+"/hours/consent/"+rel.ID.String(), map[string]string{"named": "1"}); p.Status != http.StatusForbidden {
		t.Errorf("the practitioner consenting for the client = %d, want 403", p.Status)
	}
}

// TestManualEntriesRefuseGarbage: a bad entry is answered 422 with the
// form, and stores nothing; a good one counts.
func TestManualEntriesRefuseGarbage(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	b := env.SignIn(coach.User).NoRedirects()
	good := map[string]string{"log": "coaching", "client": "Outside client", "format": "individual", "first_on": "2027-01-04", "last_on": "2027-02-01", "hours": "12.5", "paid": "1"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for name, form := range map[string]map[string]string{
		"no client":          with("client", ""),
		"unknown log":        with("log", "therapy"),
		"unknown format":     with("format", "crowd"),
		"group without size": with("format", "group"),
		"hours not a number": with("hours", "lots"),
		"negative hours":     with("hours", "-3"),
		"NaN hours":          with("hours", "NaN"),
		"huge hours":         with("hours", "1e9"),
		"not a date":         with("first_on", "yesterday"),
		"in the future":      with("last_on", "2099-01-01"),
		"last before first":  with("last_on", "2026-12-01"),
		"very long client":   with("client", strings.Repeat("x", 101)),
	} {
		if p := b.Post("/o/"+org.Slug+"/hours/entries", form); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s = %d, want 422", name, p.Status)
		}
	}
	if n := env.Count("hours_entries", "org_id = ?", org.ID); n != 0 {
		t.Fatalf("%d entries stored from bad forms", n)
	}
	if p := b.Post("/o/"+org.Slug+"/hours/entries", good); p.Status != http.StatusSeeOther {
		t.Fatalf("good entry = %d: %s", p.Status, p.Body)
	}
	if p := b.Post("/o/"+org.Slug+"/hours/entries", with("format", "group")); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("group without size = %d", p.Status)
	}
	gf := with("format", "group")
	gf["group_size"], gf["log"], gf["paid"] = "4", "mentoring", ""
	if p := b.Post("/o/"+org.Slug+"/hours/entries", gf); p.Status != http.StatusSeeOther {
		t.Fatalf("group entry = %d", p.Status)
	}
	book, err := env.Services.Hours.Build(env.Ctx(), org.ID, coach.ID)
	if err != nil {
		t.Fatal(err)
	}
	if book.Coaching.Totals != (hours.Totals{Minutes: 750, PaidMinutes: 750, Clients: 1}) ||
		book.Mentoring.Totals != (hours.Totals{Minutes: 750, ProBonoMinutes: 750, Clients: 4}) {
		t.Errorf("totals = %+v / %+v", book.Coaching.Totals, book.Mentoring.Totals)
	}
	// Another practitioner cannot delete the entry.
	id := book.Coaching.Rows[0].EntryID
	other := env.SignIn(env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach).User).NoRedirects()
	if p := other.Post("/o/"+org.Slug+"/hours/entries/"+id.String()+"/delete", nil); p.Status != http.StatusForbidden {
		t.Errorf("another's delete = %d, want 403", p.Status)
	}
	if p := b.Post("/o/"+org.Slug+"/hours/entries/"+id.String()+"/delete", nil); p.Status != http.StatusSeeOther {
		t.Errorf("own delete = %d", p.Status)
	}
}

// TestSupervisionSignedOffByTheNamedSupervisorOnce: supervision recorded
// from a supervision session counts by itself; its record is signed off
// by the session's supervisor only, and once.
func TestSupervisionSignedOffByTheNamedSupervisorOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		supervisor := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindSupervisor)
		member := env.NewPerson(org, tenancy.RoleMember)
		rel := env.NewRelationship(org, relationships.Coaching, coach, member)
		sup := env.NewRelationship(org, relationships.Supervision, supervisor, coach)
		for range 3 {
			held(t, env, org, rel, coach, 60)
		}
		s := held(t, env, org, sup, supervisor, 90)
		b := env.SignIn(coach.User).NoRedirects()
		base := "/o/" + org.Slug + "/hours"

		// The session counts before it is recorded: 1.5 hours for 3.
		p := b.Get(base + "/supervision")
		if got := p.Text("#ratio-text"); got != "1:2" {
			t.Errorf("ratio = %q, want 1:2", got)
		}
		// Themes that name a client are refused.
		p = b.Post(base+"/supervision", map[string]string{"session_id": s.ID.String(), "themes": "Working with " + member.Name})
		if p.Status != http.StatusUnprocessableEntity || env.Count("supervision_records", "org_id = ?", org.ID) != 0 {
			t.Fatalf("themes with a client's name = %d", p.Status)
		}
		if p := b.Post(base+"/supervision", map[string]string{"session_id": s.ID.String(), "themes": "Endings and contracting"}); p.Status != http.StatusSeeOther {
			t.Fatalf("record from session = %d: %s", p.Status, p.Body)
		}
		if p := b.Post(base+"/supervision", map[string]string{"session_id": s.ID.String(), "themes": "Again"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("recording the session twice = %d, want 422", p.Status)
		}
		// Another practitioner's session is not theirs to record.
		if p := b.Post(base+"/supervision", map[string]string{"session_id": uuid.NewString(), "themes": "x"}); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("an unknown session = %d, want 422", p.Status)
		}
		book, err := env.Services.Hours.Build(env.Ctx(), org.ID, coach.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(book.Supervision) != 1 || book.Supervision[0].Pending || book.Supervision[0].Minutes != 90 || *book.Supervision[0].SupervisorID != supervisor.ID {
			t.Fatalf("supervision log = %+v", book.Supervision)
		}
		id := book.Supervision[0].ID.String()

		// Only the named supervisor signs: not the supervisee, not another
		// practitioner, not the owner.
		for who, u := range map[string]*testkit.Person{"supervisee": coach, "another practitioner": env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindSupervisor), "owner": org.Owner} {
			if p := env.SignIn(u.User).NoRedirects().Post(base+"/signoff/"+id, nil); p.Status != http.StatusForbidden {
				t.Errorf("%s signing off = %d, want 403", who, p.Status)
			}
		}
		sb := env.SignIn(supervisor.User).NoRedirects()
		if p := sb.Get(base + "/signoff"); !strings.Contains(p.Text("#signoff-table"), "Endings and contracting") {
			t.Errorf("the supervisor's sign-off page: %q", p.Text("#signoff-table"))
		}
		if p := sb.Post(base+"/signoff/"+id, nil); p.Status != http.StatusSeeOther {
			t.Fatalf("sign-off = %d", p.Status)
		}
		first := env.Clock.Now()
		env.Clock.Advance(time.Hour)
		if p := sb.Post(base+"/signoff/"+id, nil); p.Status != http.StatusConflict {
			t.Errorf("second sign-off = %d, want 409", p.Status)
		}
		book, _ = env.Services.Hours.Build(env.Ctx(), org.ID, coach.ID)
		if at := book.Supervision[0].SignedOffAt; at == nil || !at.Equal(first) {
			t.Errorf("signed off at %v, want %v (once)", at, first)
		}
		// Another organisation's admin gets nothing.
		otherOrg := env.NewOrg()
		if p := env.SignIn(otherOrg.Owner.User).NoRedirects().Post("/o/"+otherOrg.Slug+"/hours/signoff/"+id, nil); p.Status != http.StatusNotFound {
			t.Errorf("another organisation's sign-off = %d, want 404", p.Status)
		}
	})
}

// TestSupervisionDueProposesASlot: below the chosen standard the page
// warns, and proposes booking with the supervisor; the standard is the
// practitioner's to choose, and bad values are refused.
func TestSupervisionDueProposesASlot(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	supervisor := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindSupervisor)
	member := env.NewPerson(org, tenancy.RoleMember)
	rel := env.NewRelationship(org, relationships.Coaching, coach, member)
	sup := env.NewRelationship(org, relationships.Supervision, supervisor, coach)
	held(t, env, org, rel, coach, 60)
	b := env.SignIn(coach.User).NoRedirects()
	base := "/o/" + org.Slug + "/hours"
	p := b.Get(base + "/supervision")
	if !strings.Contains(p.Text("#supervision-due"), "Supervision is due") {
		t.Fatalf("no warning without supervision: %q", p.Text("#ratio"))
	}
	if href, _ := p.Doc().Find("#supervision-due a").Attr("href"); href != "/o/"+org.Slug+"/calendar/book/"+sup.ID.String() {
		t.Errorf("the prompt links to %q, want the booking page with the supervisor", href)
	}
	for _, form := range []map[string]string{{"standard": "weekly"}, {"standard": "ratio", "ratio_hours": "0"}, {"standard": "quarter", "quarter_minutes": "x"}} {
		if p := b.Post(base+"/standard", form); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("standard %v = %d, want 422", form, p.Status)
		}
	}
	if p := b.Post(base+"/standard", map[string]string{"standard": "ratio", "ratio_hours": "35"}); p.Status != http.StatusSeeOther {
		t.Fatalf("standard = %d", p.Status)
	}
	// An hour of practice at 1:35 needs two minutes; a 30-minute outside
	// supervision meets it.
	if p := b.Post(base+"/supervision", map[string]string{"supervisor_name": "Outside Supervisor", "format": "group", "held_on": env.Clock.Now().Format(time.DateOnly), "minutes": "30", "themes": "Boundaries"}); p.Status != http.StatusSeeOther {
		t.Fatalf("outside supervision = %d: %s", p.Status, p.Body)
	}
	p = b.Get(base + "/supervision")
	if p.Text("#ratio-text") != "1:2" || p.Doc().Find("#supervision-due").Length() != 0 || p.Doc().Find("#supervision-ok").Length() != 1 {
		t.Errorf("after supervision: ratio %q, due %d", p.Text("#ratio-text"), p.Doc().Find("#supervision-due").Length())
	}
	for name, form := range map[string]map[string]string{
		"no supervisor":        {"format": "individual", "held_on": "2027-01-01", "minutes": "60"},
		"not a colleague":      {"supervisor_id": uuid.NewString(), "format": "individual", "held_on": "2027-01-01", "minutes": "60"},
		"no minutes":           {"supervisor_name": "X", "format": "individual", "held_on": "2027-01-01"},
		"an e-mail in themes":  {"supervisor_name": "X", "format": "individual", "held_on": "2027-01-01", "minutes": "60", "themes": "write to a@b.example"},
		"a script link":        {"supervisor_name": "X", "format": "individual", "held_on": "2027-01-01", "minutes": "60", "link": "javascript:alert(1)"},
		"a date in the future": {"supervisor_name": "X", "format": "individual", "held_on": "2099-01-01", "minutes": "60"},
	} {
		if p := b.Post(base+"/supervision", form); p.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s = %d, want 422", name, p.Status)
		}
	}
}

// TestSupervisionThemesAreSealedAndExported: a supervision's themes are
// stored sealed, like private notes, and the person's export opens them.
func TestSupervisionThemesAreSealedAndExported(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
		b := env.SignIn(coach.User).NoRedirects()
		const themes = "Contracting with a sponsor who wants reports"
		if p := b.Post("/o/"+org.Slug+"/hours/supervision", map[string]string{"supervisor_name": "Outside Supervisor", "format": "individual",
			"held_on": env.Clock.Now().Format(time.DateOnly), "minutes": "60", "themes": themes}); p.Status != http.StatusSeeOther {
			t.Fatalf("record = %d", p.Status)
		}
		var row struct {
			Ciphertext []byte `bun:"themes_ciphertext"`
			KeyID      string `bun:"key_id"`
		}
		if err := env.OwnerDB.NewSelect().Table("supervision_records").Column("themes_ciphertext", "key_id").Where("org_id = ?", org.ID).Scan(env.Ctx(), &row); err != nil {
			t.Fatal(err)
		}
		if len(row.Ciphertext) == 0 || row.KeyID == "" || strings.Contains(string(row.Ciphertext), "sponsor") {
			t.Fatalf("the themes are not sealed: %q under %q", row.Ciphertext, row.KeyID)
		}
		if p := b.Get("/o/" + org.Slug + "/hours/supervision"); !strings.Contains(p.Text("#supervision-table"), themes) {
			t.Errorf("the log does not show the themes: %q", p.Text("#supervision-table"))
		}
		exp, err := env.Services.Account.Export(env.Ctx(), coach.ID)
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, part := range exp.Parts {
			for _, tb := range part.Tables {
				if tb.Name != "supervision_received" {
					continue
				}
				for _, r := range tb.Rows {
					for i, c := range tb.Columns {
						if c == "themes" && r[i] == themes {
							found = true
						}
					}
				}
			}
		}
		if !found {
			t.Errorf("the export does not open the themes: %+v", exp.Parts)
		}
	})
}
