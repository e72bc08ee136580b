package busy_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// newEnv is a test environment whose calendars may be read from this
// machine (the tests' servers listen on loopback).
func newEnv(t *testing.T, opts ...testkit.Option) *testkit.Env {
	return testkit.New(t, append(opts, testkit.WithConfig(func(c *config.Config) { c.CalendarsPrivate = "on" }))...)
}

// connect connects a calendar for a new coach of a new organisation.
func connect(t *testing.T, env *testkit.Env, in busy.ConnectInput) (*testkit.Org, *testkit.Person, *busy.Calendar) {
	t.Helper()
	org := env.NewOrg()
	coach := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindCoach)
	c, err := env.Services.Busy.Connect(env.Ctx(), org.ID, coach.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	return org, coach, c
}

func refresh(t *testing.T, env *testkit.Env, c *busy.Calendar) *busy.Calendar {
	t.Helper()
	if err := env.Services.Busy.HandleRefresh(env.Ctx(), workers.RefreshCalendarPayload{OrgID: c.OrgID, CalendarID: c.ID}); err != nil {
		t.Fatal(err)
	}
	got, err := env.Services.Busy.Store.Get(env.Ctx(), c.OrgID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// stored lists the coach's stored busy intervals between the window's
// ends, as spans.
func stored(t *testing.T, env *testkit.Env, orgID, coachID uuid.UUID) []string {
	t.Helper()
	var spans []busy.Span
	err := env.DB.InTenant(env.Ctx(), orgID, func(ctx context.Context, tx bun.Tx) error {
		bs, err := env.Services.Busy.Between(ctx, tx, orgID, coachID, testkit.Epoch.AddDate(-1, 0, 0), testkit.Epoch.AddDate(1, 0, 0))
		for _, b := range bs {
			spans = append(spans, busy.Span{From: b.From, To: b.To})
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return spanStrings(spans)
}

// TestRefreshStoresBusyTimesOnce: a coach's secret address, served over
// HTTP, is read into its busy intervals (the same as Expand gives, in the
// coach's zone); a refresh run twice stores them once.
func TestRefreshStoresBusyTimesOnce(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			env := newEnv(t, testkit.OnEngine(engine))
			srv := icsServer(t)
			org, coach, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: srv.URL + "/coach.ics"}})
			if !c.Refreshing() {
				t.Error("a new calendar is not marked as being read")
			}
			if n := env.Count("outbox", "task_type = ? AND org_id = ?", workers.TypeRefreshCalendar, org.ID); n != 1 {
				t.Errorf("%d refresh tasks recorded on connecting, want 1", n)
			}
			got := refresh(t, env, c)
			if got.RefreshedAt == nil || got.ErrorKind != "" || got.Refreshing() {
				t.Fatalf("after a refresh: refreshed %v, error %q", got.RefreshedAt, got.ErrorKind)
			}
			first := stored(t, env, org.ID, coach.ID)
			// The coach's zone is the organisation's (UTC in the test kit)
			// unless their own: here UTC, so the all-day dentist is 4 March UTC.
			if len(first) != 7 || !strings.Contains(strings.Join(first, " "), "2027-03-04T00:00Z/2027-03-05T00:00Z") {
				t.Errorf("stored %v", first)
			}
			again := refresh(t, env, c)
			if second := stored(t, env, org.ID, coach.ID); strings.Join(second, " ") != strings.Join(first, " ") {
				t.Errorf("a second refresh stored %v, want %v", second, first)
			}
			if n := env.Count("busy_intervals", "calendar_id = ?", c.ID); n != len(first) || again.BusyCount != len(first) {
				t.Errorf("%d rows (count %d) after two refreshes, want %d", n, again.BusyCount, len(first))
			}
		})
	}
}

// TestCredentialsAreEncryptedAtRest: the stored row holds neither the
// secret address nor the CalDAV password, and opens to them with the
// notes' keys.
func TestCredentialsAreEncryptedAtRest(t *testing.T) {
	env := newEnv(t)
	secret := "https://calendar.example.test/calendar/ical/coach%40example.test/private-5up3r53cr3t/basic.ics"
	_, _, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: secret}})
	_, _, d := connect(t, env, busy.ConnectInput{Kind: busy.KindCalDAV, Credentials: busy.Credentials{URL: "https://dav.example.test/", Username: "coach", Password: "app-pass-w0rd-xyz"}})
	for _, cal := range []*busy.Calendar{c, d} {
		var raw struct {
			Ciphertext []byte `bun:"ciphertext"`
			Label      string `bun:"label"`
		}
		err := env.OwnerDB.NewSelect().Table("external_calendars").Column("ciphertext", "label").Where("id = ?", cal.ID).Scan(env.Ctx(), &raw)
		if err != nil {
			t.Fatal(err)
		}
		for _, plain := range []string{"5up3r53cr3t", "app-pass-w0rd-xyz", "basic.ics"} {
			if bytes.Contains(raw.Ciphertext, []byte(plain)) || strings.Contains(raw.Label, plain) {
				t.Errorf("calendar %s stores %q in the clear", cal.ID, plain)
			}
		}
	}
	cr, err := env.Services.Busy.Credentials(c)
	if err != nil || cr.URL != secret {
		t.Errorf("opened %q, %v", cr.URL, err)
	}
	if cr, err := env.Services.Busy.Credentials(d); err != nil || cr.Password != "app-pass-w0rd-xyz" || cr.Username != "coach" {
		t.Errorf("opened %+v, %v", cr, err)
	}
	// Sealed to its own calendar: moved onto another, it does not open.
	moved := *d
	moved.Ciphertext, moved.Nonce, moved.KeyID = c.Ciphertext, c.Nonce, c.KeyID
	if _, err := env.Services.Busy.Credentials(&moved); err == nil {
		t.Error("one calendar's sealed address opens as another's")
	}
}

// TestFailedRefreshKeepsTheLastIntervalsUntilStale: a calendar that
// stops answering (401) says so on its page, keeps blocking with the
// intervals of its last good refresh, and stops blocking once they are
// older than the stale limit, visibly.
func TestFailedRefreshKeepsTheLastIntervalsUntilStale(t *testing.T) {
	env := newEnv(t)
	srv := icsServer(t)
	org, coach, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: srv.URL + "/coach.ics"}})
	refresh(t, env, c)
	// The address is revoked: the server now refuses it.
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusUnauthorized) })
	env.Clock.Advance(time.Hour)
	got := refresh(t, env, c)
	if got.ErrorKind != busy.FailUnauthorised || got.RefreshedAt == nil || got.RefreshedAt.After(testkit.Epoch) {
		t.Fatalf("after a refused refresh: kind %q, refreshed %v", got.ErrorKind, got.RefreshedAt)
	}
	if n := len(stored(t, env, org.ID, coach.ID)); n != 7 {
		t.Errorf("%d intervals kept after a failed refresh, want the 7 of the last good one", n)
	}
	b := env.SignIn(coach.User)
	page := b.Get("/o/" + org.Slug + "/calendar/connected")
	if !strings.Contains(page.Body, busy.FailureText(busy.FailUnauthorised)) || strings.Contains(page.Body, "Out of date") {
		t.Errorf("the page after a refused refresh does not say why, or calls it out of date:\n%s", page.Text("#own-calendars"))
	}
	var fresh []busy.Busy
	read := func() {
		err := env.DB.InTenant(env.Ctx(), org.ID, func(ctx context.Context, tx bun.Tx) error {
			var err error
			fresh, err = env.Services.Busy.Between(ctx, tx, org.ID, coach.ID, testkit.Epoch, testkit.Epoch.AddDate(0, 2, 0))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	read()
	if len(fresh) == 0 || !fresh[0].FreshUntil.Equal(testkit.Epoch.Add(busy.DefaultStaleAfter)) {
		t.Fatalf("busy times block until %v, want a day after the last good refresh", fresh)
	}
	env.Clock.Advance(busy.DefaultStaleAfter)
	page = b.Get("/o/" + org.Slug + "/calendar/connected")
	if !strings.Contains(page.Text("#own-calendars"), "Out of date") {
		t.Errorf("a calendar not refreshed for a day is not marked out of date:\n%s", page.Text("#own-calendars"))
	}
}

// TestScanAsksForDueCalendars: the periodic scan records a refresh of
// each calendar not tried within the interval, and none of one just read.
func TestScanAsksForDueCalendars(t *testing.T) {
	env := newEnv(t)
	srv := icsServer(t)
	org, _, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: srv.URL + "/coach.ics"}})
	refresh(t, env, c)
	count := func() int {
		return env.Count("outbox", "task_type = ? AND org_id = ?", workers.TypeRefreshCalendar, org.ID)
	}
	before := count()
	if err := env.Services.Busy.ScanDue(env.Ctx(), workers.Periodic{}); err != nil {
		t.Fatal(err)
	}
	if count() != before {
		t.Error("a calendar just read was asked for again")
	}
	env.Clock.Advance(busy.DefaultEvery)
	if err := env.Services.Busy.ScanDue(env.Ctx(), workers.Periodic{}); err != nil {
		t.Fatal(err)
	}
	if count() != before+1 {
		t.Errorf("%d refresh tasks after the interval, want %d", count(), before+1)
	}
}

// davBackend is an in-memory CalDAV backend for go-webdav's caldav
// handler: one user, one calendar of events, one of tasks.
type davBackend struct {
	objects []caldav.CalendarObject
}

const davHome = "/dav/coach/calendars/"

func (b *davBackend) CurrentUserPrincipal(ctx context.Context) (string, error) {
	return "/dav/coach/", nil
}
func (b *davBackend) CalendarHomeSetPath(ctx context.Context) (string, error) { return davHome, nil }
func (b *davBackend) CreateCalendar(ctx context.Context, c *caldav.Calendar) error {
	return webdav.NewHTTPError(http.StatusForbidden, nil)
}
func (b *davBackend) ListCalendars(ctx context.Context) ([]caldav.Calendar, error) {
	return []caldav.Calendar{
		{Path: davHome + "work/", Name: "Work", SupportedComponentSet: []string{ical.CompEvent}},
		{Path: davHome + "tasks/", Name: "Tasks", SupportedComponentSet: []string{ical.CompToDo}},
	}, nil
}
func (b *davBackend) GetCalendar(ctx context.Context, path string) (*caldav.Calendar, error) {
	cals, _ := b.ListCalendars(ctx)
	for _, c := range cals {
		if c.Path == path {
			return &c, nil
		}
	}
	return nil, webdav.NewHTTPError(http.StatusNotFound, nil)
}
func (b *davBackend) GetCalendarObject(ctx context.Context, path string, req *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	for _, o := range b.objects {
		if o.Path == path {
			return &o, nil
		}
	}
	return nil, webdav.NewHTTPError(http.StatusNotFound, nil)
}
func (b *davBackend) ListCalendarObjects(ctx context.Context, path string, req *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	var out []caldav.CalendarObject
	for _, o := range b.objects {
		if strings.HasPrefix(o.Path, path) {
			out = append(out, o)
		}
	}
	return out, nil
}
func (b *davBackend) QueryCalendarObjects(ctx context.Context, path string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	all, _ := b.ListCalendarObjects(ctx, path, nil)
	return caldav.Filter(q, all)
}
func (b *davBackend) PutCalendarObject(ctx context.Context, path string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	return nil, webdav.NewHTTPError(http.StatusForbidden, nil)
}
func (b *davBackend) DeleteCalendarObject(ctx context.Context, path string) error {
	return webdav.NewHTTPError(http.StatusForbidden, nil)
}

// davServer serves the coach's calendar (testdata/coach.ics, one object
// per UID) by CalDAV to user "coach" with password "app-password".
func davServer(t *testing.T) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile("testdata/coach.ics")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := busy.ParseICS(body)
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]*ical.Calendar{}
	var order []string
	for _, child := range cal.Children {
		if child.Name != ical.CompEvent {
			continue
		}
		// go-webdav's own query filter (caldav.Filter) cannot read an
		// EXDATE line of several dates: the objects carry one a line, as
		// most servers write them.
		var exdates []ical.Prop
		for _, p := range child.Props[ical.PropExceptionDates] {
			for _, v := range strings.Split(p.Value, ",") {
				exdates = append(exdates, ical.Prop{Name: p.Name, Params: p.Params, Value: v})
			}
		}
		if exdates != nil {
			child.Props[ical.PropExceptionDates] = exdates
		}
		// Nor a Windows zone name: the copy names the IANA zone it maps to.
		for name, props := range child.Props {
			for i := range props {
				if tz := props[i].Params.Get(ical.PropTimezoneID); tz != "" {
					props[i].Params = ical.Params{ical.PropTimezoneID: {busy.ZoneName(tz)}}
				}
			}
			child.Props[name] = props
		}
		uid := child.Props.Get(ical.PropUID).Value
		if byUID[uid] == nil {
			c := ical.NewCalendar()
			c.Props.SetText(ical.PropVersion, "2.0")
			c.Props.SetText(ical.PropProductID, "-//test//dav//EN")
			for _, tz := range cal.Children {
				if tz.Name == ical.CompTimezone {
					c.Children = append(c.Children, tz)
				}
			}
			byUID[uid] = c
			order = append(order, uid)
		}
		byUID[uid].Children = append(byUID[uid].Children, child)
	}
	b := &davBackend{}
	for i, uid := range order {
		b.objects = append(b.objects, caldav.CalendarObject{Path: davHome + "work/" + string(rune('a'+i)) + ".ics", Data: byUID[uid], ETag: uid})
	}
	h := &caldav.Handler{Backend: b, Prefix: "/dav"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "coach" || p != "app-password" {
			w.Header().Set("WWW-Authenticate", `Basic realm="dav"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestCalDAVAccount: a CalDAV account (go-webdav's caldav handler, in
// process) is read like the secret address: the same busy times from the
// same events split into one object per event; a wrong app password is
// "unauthorised".
func TestCalDAVAccount(t *testing.T) {
	env := newEnv(t)
	srv := davServer(t)
	org, coach, c := connect(t, env, busy.ConnectInput{Kind: busy.KindCalDAV, Credentials: busy.Credentials{URL: srv.URL + "/dav/", Username: "coach", Password: "app-password"}})
	got := refresh(t, env, c)
	if got.ErrorKind != "" {
		t.Fatalf("CalDAV refresh failed: %s %s", got.ErrorKind, got.ErrorMessage)
	}
	viaDAV := stored(t, env, org.ID, coach.ID)

	ics := icsServer(t)
	org2, coach2, c2 := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: ics.URL + "/coach.ics"}})
	refresh(t, env, c2)
	if viaICS := stored(t, env, org2.ID, coach2.ID); strings.Join(viaDAV, " ") != strings.Join(viaICS, " ") {
		t.Errorf("CalDAV gave %v, the same events by address %v", viaDAV, viaICS)
	}
	if !strings.Contains(got.Label, "coach at 127.0.0.1") {
		t.Errorf("label %q", got.Label)
	}
	_, _, wrong := connect(t, env, busy.ConnectInput{Kind: busy.KindCalDAV, Credentials: busy.Credentials{URL: srv.URL + "/dav/", Username: "coach", Password: "not-it"}})
	if got := refresh(t, env, wrong); got.ErrorKind != busy.FailUnauthorised {
		t.Errorf("a wrong app password: kind %q (%s), want unauthorised", got.ErrorKind, got.ErrorMessage)
	}
}

// TestResealMovesCredentialsToTheNewestKey: after a new notes key is put
// first, `toolbox notes reseal` (Store.Reseal) seals the calendars'
// credentials with it; they open with the new key alone.
func TestResealMovesCredentialsToTheNewestKey(t *testing.T) {
	env := newEnv(t)
	org, _, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: "https://calendar.example.test/secret-xyz/basic.ics"}})
	old, err := relationships.DeriveNotesKey(env.Services.Config.SecretKey)
	if err != nil {
		t.Fatal(err)
	}
	fresh := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	both, err := relationships.NewKeyring("k9:"+fresh+","+relationships.DerivedKeyID+":"+base64.StdEncoding.EncodeToString(old), "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := env.Services.Busy.Store.Reseal(env.Ctx(), both, org.ID)
	if err != nil || n != 1 {
		t.Fatalf("resealed %d, %v; want 1", n, err)
	}
	onlyNew, err := relationships.NewKeyring("k9:"+fresh, "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := env.Services.Busy.Store.Get(env.Ctx(), org.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	svc := *env.Services.Busy
	svc.Keys = onlyNew
	if cr, err := svc.Credentials(got); err != nil || cr.URL != "https://calendar.example.test/secret-xyz/basic.ics" || got.KeyID != "k9" {
		t.Errorf("after the reseal: key %s, %+v, %v", got.KeyID, cr, err)
	}
}

// TestDeactivatedPractitionersCalendarIsNotRead: once a practitioner is
// deactivated, their calendar is no longer fetched.
func TestDeactivatedPractitionersCalendarIsNotRead(t *testing.T) {
	env := newEnv(t)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write([]byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nEND:VCALENDAR\r\n"))
	}))
	t.Cleanup(srv.Close)
	org, coach, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: srv.URL + "/basic.ics"}})
	if got := refresh(t, env, c); got.ErrorKind != "" || hits.Load() != 1 {
		t.Fatalf("first refresh: %q, %d requests", got.ErrorKind, hits.Load())
	}
	if err := env.Services.Tenancy.Deactivate(env.Ctx(), org.ID, tenancy.Actor{UserID: org.Owner.ID, Role: tenancy.RoleOwner}, coach.ID); err != nil {
		t.Fatal(err)
	}
	if got := refresh(t, env, c); got.ErrorKind != busy.FailInactive || hits.Load() != 1 {
		t.Errorf("refresh after deactivation: %q, %d requests; want inactive and no request", got.ErrorKind, hits.Load())
	}
}

// TestPersonalDataOfConnectedCalendars: a practitioner's export lists
// their calendars (never the sealed credentials) and busy times; deleting
// their account deletes both.
func TestPersonalDataOfConnectedCalendars(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			env := newEnv(t, testkit.OnEngine(engine))
			srv := icsServer(t)
			org, coach, c := connect(t, env, busy.ConnectInput{Kind: busy.KindICS, Credentials: busy.Credentials{URL: srv.URL + "/coach.ics"}})
			refresh(t, env, c)
			ex, err := env.Services.Account.Export(env.Ctx(), coach.ID)
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string]int{}
			for _, part := range ex.Parts {
				if part.Domain != "busy" {
					continue
				}
				for _, tbl := range part.Tables {
					rows[tbl.Name] = len(tbl.Rows)
					for _, col := range tbl.Columns {
						if col == "ciphertext" || col == "nonce" {
							t.Errorf("the export of %s carries %s", tbl.Name, col)
						}
					}
				}
			}
			if rows["connected_calendars"] != 1 || rows["busy_times"] != 7 {
				t.Errorf("exported %v, want 1 calendar and 7 busy times", rows)
			}
			b := env.SignIn(coach.User)
			b.Get("/account/delete")
			if p := b.Post("/account/delete", map[string]string{"password": testkit.Password}); p.Status != http.StatusOK {
				t.Fatalf("delete = %d", p.Status)
			}
			if n, m := env.Count("external_calendars", "org_id = ?", org.ID), env.Count("busy_intervals", "org_id = ?", org.ID); n+m != 0 {
				t.Errorf("%d calendars and %d busy times remain after the account was deleted", n, m)
			}
		})
	}
}
