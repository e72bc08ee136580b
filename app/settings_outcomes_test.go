package app_test

import (
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestOutcomeSettingsAreSavedAndKept: the settings form saves whether
// coordinators read individual feedback, the quiet weeks and the weeks
// before concluding; concluding before the coordinators have heard is
// refused; the form shows them again as saved.
func TestOutcomeSettingsAreSavedAndKept(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	path := "/o/" + org.Slug + "/settings"
	form := map[string]string{"name": org.Name, "time_zone": "Europe/London", "min_cancel_notice_hours": "24", "proposal_days": "5",
		"reminder_offsets": "24h", "feedback_to_coordinators": "on", "quiet_weeks": "4", "conclude_after_weeks": "8"}
	if p := b.Post(path, form); p.Status != 422 {
		t.Fatalf("concluding after 8 weeks with 4 quiet weeks: %d, want 422", p.Status)
	}
	form["conclude_after_weeks"] = "10"
	if p := b.Post(path, form); p.Status != 200 {
		t.Fatalf("save: %d", p.Status)
	}
	got, err := env.Services.Tenancy.Store.OrgByID(env.Ctx(), org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s := got.Settings; !s.FeedbackToCoordinators || s.QuietWeeks != 4 || s.ConcludeAfterWeeks != 10 {
		t.Fatalf("saved %+v", s)
	}
	doc := b.Get(path).Doc()
	if v, _ := doc.Find(`input[name="quiet_weeks"]`).Attr("value"); v != "4" {
		t.Errorf("quiet weeks shown as %q", v)
	}
	if doc.Find(`input[name="feedback_to_coordinators"][checked]`).Length() != 1 {
		t.Error("feedback to coordinators not shown ticked")
	}
	// Unticked, it is off again.
	delete(form, "feedback_to_coordinators")
	b.Post(path, form)
	if got, _ := env.Services.Tenancy.Store.OrgByID(env.Ctx(), org.ID); got.Settings.FeedbackToCoordinators || got.Settings.QuietWeeks != 4 {
		t.Fatalf("after unticking: %+v", got.Settings)
	}
}
