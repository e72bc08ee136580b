package reports_test

import (
	"errors"
	"testing"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// TestProgressOfARelationship: m1's coaching relationship of
// seedProgramme, seen by m1 and by their coach on 2027-04-01.
func TestProgressOfARelationship(t *testing.T) {
	env := testkit.New(t)
	p := seedProgramme(t, env)
	rel := p.rels[0]
	// A switch to mentoring during February's session, and back on 1 March.
	var feb uuid.UUID
	if err := env.OwnerDB.NewSelect().Table("calendar_sessions").Column("id").Where("relationship_id = ? AND starts_at = ?", rel.ID, at("2027-02-15T10:00:00Z")).Scan(env.Ctx(), &feb); err != nil {
		t.Fatal(err)
	}
	insert(t, env, p.org.ID,
		&relationships.ModeSwitch{ID: uuid.Must(uuid.NewV7()), OrgID: p.org.ID, RelationshipID: rel.ID, SessionID: &feb, FromKind: relationships.Coaching, ToKind: relationships.Mentoring, SwitchedBy: p.coaches[0].ID, At: at("2027-02-15T10:30:00Z")},
		&relationships.ModeSwitch{ID: uuid.Must(uuid.NewV7()), OrgID: p.org.ID, RelationshipID: rel.ID, FromKind: relationships.Mentoring, ToKind: relationships.Coaching, SwitchedBy: p.coaches[0].ID, At: at("2027-03-01T09:00:00Z")})
	env.Clock.Set(at("2027-04-01T09:00:00Z"))
	svc := env.Services.Reports

	mine, err := svc.Progress(env.Ctx(), p.org.ID, rel.ID, p.members[0].ID, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// Held 15 Jan, 15 Feb, 15 Mar: gaps of 31 and 28 days, 29.5 kept
	// against 14 agreed; next due 14 days after 15 March.
	if mine.Held != 3 || mine.Hours != 3 || mine.Attended != 3 || mine.AgreedDays != 14 || mine.KeptDays != 29.5 || len(mine.Gaps) != 2 {
		t.Fatalf("progress: held %d hours %v attended %d agreed %d kept %v", mine.Held, mine.Hours, mine.Attended, mine.AgreedDays, mine.KeptDays)
	}
	if mine.NextDue == nil || !mine.NextDue.Equal(at("2027-03-29T10:00:00Z")) {
		t.Fatalf("next due %v", mine.NextDue)
	}
	// The switch came half way through February's hour: 30 minutes of
	// mentoring in three hours (the session is split at the switch, as
	// the hours log splits it).
	if len(mine.Modes) != 2 || mine.Modes[0].Kind != "mentoring" || mine.Modes[0].Minutes != 30 || mine.Modes[0].Percent != 17 || mine.Modes[1].Percent != 83 {
		t.Fatalf("modes: %+v", mine.Modes)
	}
	if len(mine.Goals) != 1 || mine.Goals[0].Updates != 1 || mine.Goals[0].LastMoved == nil {
		t.Fatalf("goals: %+v", mine.Goals)
	}
	// The member sees their own rating (5 in March); the coach, with one
	// answer in the month, does not.
	if len(mine.Feedback) != 1 || mine.Feedback[0].Rating.String() != "5.0" || mine.FeedbackShown != 1 {
		t.Fatalf("member's feedback: %+v", mine.Feedback)
	}
	coach, err := svc.Progress(env.Ctx(), p.org.ID, rel.ID, p.coaches[0].ID, "Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	if len(coach.Feedback) != 1 || !coach.Feedback[0].Rating.Suppressed || coach.FeedbackShown != 0 {
		t.Fatalf("coach's feedback: %+v", coach.Feedback)
	}
	// Months from the start (January) to now (April).
	if len(mine.Months) != 4 || mine.Months[0].Month != "2027-01" || mine.Months[3].Sessions != 0 {
		t.Fatalf("months: %+v", mine.Months)
	}
	tables := reports.ProgressTables(mine)
	if tables[0].Rows[0][1] != "3" || tables[0].Rows[7][1] != "29.5" {
		t.Fatalf("summary table: %v", tables[0].Rows)
	}
	// Anyone else in the organisation: forbidden; another organisation: not found.
	for _, who := range []uuid.UUID{p.members[1].ID, p.org.Owner.ID, p.coaches[1].ID} {
		if _, err := svc.Progress(env.Ctx(), p.org.ID, rel.ID, who, "UTC"); !errors.Is(err, web.ErrForbidden) {
			t.Fatalf("a non-participant got %v", err)
		}
	}
	if _, err := svc.Progress(env.Ctx(), env.NewOrg().ID, rel.ID, p.members[0].ID, "UTC"); !errors.Is(err, db.ErrNotFound) {
		t.Fatalf("another organisation got %v", err)
	}
}
