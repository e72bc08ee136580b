package reports_test

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// freshCounts are the pre-aggregates counted afresh from the sessions.
const freshCounts = `
SELECT 'session' AS t, s.org_id::text || ' ' || to_char(date_trunc('month', s.starts_at AT TIME ZONE g.time_zone), 'YYYY-MM') || ' ' || s.kind || ' ' || s.status
  || ' ' || COUNT(*) || ' ' || round(SUM(EXTRACT(EPOCH FROM (s.ends_at - s.starts_at)) / 60)::numeric, 3) AS v
FROM calendar_sessions AS s JOIN organisations AS g ON g.id = s.org_id
WHERE s.status IN ('completed', 'no_show', 'cancelled_late') GROUP BY s.org_id, s.kind, s.status, g.time_zone, date_trunc('month', s.starts_at AT TIME ZONE g.time_zone)
UNION ALL
SELECT 'people', org_id::text || ' ' || m || ' ' || kind || ' ' || status || ' ' || COUNT(DISTINCT user_id) FROM (
  SELECT s.org_id, to_char(date_trunc('month', s.starts_at AT TIME ZONE g.time_zone), 'YYYY-MM') AS m, s.kind, s.status, a.user_id
  FROM calendar_sessions AS s JOIN organisations AS g ON g.id = s.org_id
  JOIN session_attendees AS a ON a.org_id = s.org_id AND a.session_id = s.id AND a.status IN ('attended', 'no_show')
  WHERE s.status IN ('completed', 'no_show', 'cancelled_late') AND (s.status <> 'completed' OR a.status = 'attended')) AS x
GROUP BY org_id, m, kind, status`

// keptCounts are the pre-aggregates as the triggers kept them.
const keptCounts = `
SELECT 'session' AS t, org_id::text || ' ' || to_char(month, 'YYYY-MM') || ' ' || kind || ' ' || status || ' ' || sessions || ' ' || round(minutes::numeric, 3) AS v
FROM report_session_months WHERE sessions <> 0 OR minutes <> 0
UNION ALL
SELECT 'people', org_id::text || ' ' || to_char(month, 'YYYY-MM') || ' ' || kind || ' ' || status || ' ' || people FROM report_people_months WHERE people <> 0`

func counts(t *testing.T, env *testkit.Env, query string) []string {
	t.Helper()
	var rows []struct {
		T string `bun:"t"`
		V string `bun:"v"`
	}
	if err := env.OwnerDB.NewRaw(query).Scan(env.Ctx(), &rows); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		out = append(out, r.T+" "+r.V)
	}
	sort.Strings(out)
	return out
}

// TestPreAggregatesEqualAFreshCount: on PostgreSQL the report's sessions
// and people per month come from tables kept by triggers; after sessions
// are held, missed, moved between kinds, deleted, attendees changed, an
// account deleted (outside any tenant) and the organisation's time zone
// changed, the kept counts equal a fresh count, and the report compiled
// from them equals the one compiled from the sessions, for whole and
// partial months and a kind filter.
func TestPreAggregatesEqualAFreshCount(t *testing.T) {
	env := testkit.New(t, testkit.OnEngine(db.Postgres))
	p := seedProgramme(t, env)
	o := p.org
	raw := *env.Services.Reports
	raw.Store = &reports.Store{DB: env.DB, Raw: true}
	check := func(step string) {
		t.Helper()
		if fresh, kept := counts(t, env, freshCounts), counts(t, env, keptCounts); !reflect.DeepEqual(fresh, kept) {
			t.Fatalf("%s: kept counts differ from a fresh count:\nfresh %q\nkept  %q", step, fresh, kept)
		}
		env.Clock.Set(at("2027-04-15T09:00:00Z"))
		for _, params := range []reports.Params{quarter, {From: "2027-01-12", To: "2027-03-20"}, {From: "2027-02-01", To: "2027-03-31", Kind: "coaching"},
			{From: "2027-02-10", To: "2027-02-20"}, {From: "2027-01-01", To: "2027-03-15", Kind: "mentoring"}} {
			got, err := env.Services.Reports.Compile(env.Ctx(), o.ID, params, nil)
			if err != nil {
				t.Fatal(err)
			}
			want, err := raw.Compile(env.Ctx(), o.ID, params, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Sessions, want.Sessions) || !reflect.DeepEqual(got.Outcomes, want.Outcomes) {
				t.Fatalf("%s, %+v: pre-aggregated\n%+v\n%+v\nfrom the sessions\n%+v\n%+v", step, params, got.Sessions, got.Outcomes, want.Sessions, want.Outcomes)
			}
		}
	}
	check("seeded")

	tx := func(fn func(ctx context.Context, tx bun.Tx) error) {
		t.Helper()
		if err := env.DB.InTenant(env.Ctx(), o.ID, fn); err != nil {
			t.Fatal(err)
		}
	}
	var ids []uuid.UUID
	tx(func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("calendar_sessions").Column("id").Where("org_id = ?", o.ID).OrderExpr("starts_at, id").Scan(ctx, &ids)
	})
	if len(ids) < 6 {
		t.Fatalf("%d sessions seeded", len(ids))
	}
	// A held session marked missed; another moved to mentoring; one
	// deleted (by the owner, below); an attendee marked absent.
	tx(func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Table("calendar_sessions").Set("status = ?", calendar.StatusNoShow).Where("org_id = ? AND id = ?", o.ID, ids[0]).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Table("session_attendees").Set("status = ?", calendar.AttendeeNoShow).Where("org_id = ? AND session_id = ?", o.ID, ids[0]).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Table("calendar_sessions").Set("kind = 'mentoring'").Where("org_id = ? AND id = ?", o.ID, ids[1]).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Table("session_attendees").Set("status = ?", calendar.AttendeeNoShow).Where("org_id = ? AND session_id = ?", o.ID, ids[3]).Exec(ctx)
		return err
	})
	// The application's role never deletes a session (migrations/grants.txt):
	// sessions go by the cascades (a relationship, an organisation, an
	// account deleted), which run as the tables' owner. The owner deletes
	// this one, in the tenant, for the trigger to take its counts away.
	if err := env.OwnerDB.InTenant(env.Ctx(), o.ID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Table("calendar_sessions").Where("org_id = ? AND id = ?", o.ID, ids[2]).Exec(ctx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	check("changed")
	// A session booked and held through the calendar, with its people.
	start := at("2027-03-30T10:00:00Z")
	s := &calendar.Session{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, RelationshipID: p.rels[5].ID, PractitionerID: p.coaches[1].ID, Kind: "coaching",
		StartsAt: start, EndsAt: start.Add(90 * time.Minute), BusyFrom: start, BusyTo: start.Add(90 * time.Minute), TimeZone: "UTC",
		Status: calendar.StatusScheduled, Version: 1, Capacity: 1, CreatedAt: start, UpdatedAt: start}
	insert(t, env, o.ID, s, &calendar.Attendee{ID: uuid.Must(uuid.NewV7()), OrgID: o.ID, SessionID: s.ID, UserID: p.members[5].ID, Status: calendar.AttendeeBooked, CreatedAt: start, UpdatedAt: start})
	env.Clock.Set(start.Add(2 * time.Hour))
	for range 2 {
		if err := env.Services.Calendar.MarkAttendance(env.Ctx(), o.ID, s.ID, calendar.StatusCompleted, nil); err != nil {
			t.Fatal(err)
		}
	}
	check("marked")
	// An account deleted, outside any tenant: its bookings go.
	if _, err := env.OwnerDB.NewDelete().Table("users").Where("id = ?", p.members[1].ID).Exec(env.Ctx()); err != nil {
		t.Fatal(err)
	}
	check("account deleted")
	// The organisation moves far west: sessions at the start of a month
	// fall in the month before.
	tx(func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("organisations").Set("time_zone = 'Pacific/Honolulu'").Where("id = ?", o.ID).Exec(ctx)
		return err
	})
	check(fmt.Sprint("zone changed"))
}
