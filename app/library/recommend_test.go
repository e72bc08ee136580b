package library

import (
	"strings"
	"testing"
)

// fixture is a small library: one item per shelf, plus tagged tools.
func fixture() []Article {
	mk := func(title string, kind Kind, cat, tags string) Article {
		return Article{Title: title, Kind: kind, Category: cat, Tags: strings.Join(SplitTags(tags), ","), Status: StatusPublished}
	}
	return []Article{
		mk("Models of leadership", KindArticle, CatLeadership, "leadership, models"),
		mk("Trust equation worksheet", KindTool, CatTrust, "trust, worksheet"),
		mk("Repairing trust", KindTool, CatTrust, "trust, repair"),
		mk("Team charter template", KindTool, CatTeamwork, "teamwork, team, charter"),
		mk("Retrospectives", KindTool, CatTeamwork, "teamwork, meetings"),
		mk("Conversation planner", KindTool, CatConversations, "challenging conversations, difficult conversation"),
		mk("Three kinds of support", KindArticle, CatSupport, "mentoring, coaching, supervision"),
		mk("Contracting checklist", KindTool, CatPractice, "contracting, practitioners"),
		mk("Agenda: first meeting", KindAgenda, CatPractice, "agenda, trust, teamwork"),
		{Title: "Hidden trust tool", Kind: KindTool, Category: CatTrust, Tags: "trust", Status: StatusHidden},
	}
}

func titles(r Recommended) []string {
	var out []string
	for _, it := range r.Items {
		out = append(out, it.Article.Title)
	}
	return out
}

func TestRecommendFromAssessmentTopics(t *testing.T) {
	r := Recommend(fixture(), Needs{Topics: []string{"trust", "teamwork"}, Kind: "coaching"}, 3)
	got := titles(r)
	// The best of each topic first (ties by title), then the best of the rest.
	want := []string{"Repairing trust", "Retrospectives", "Team charter template"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("recommended %q, want %q", got, want)
	}
	if r.Heading != "Working on trust and teamwork: three tools" {
		t.Errorf("heading = %q", r.Heading)
	}
	for _, it := range r.Items {
		if len(it.Reasons) == 0 || !strings.HasPrefix(it.Reasons[0], "You said you are working on") {
			t.Errorf("%s has no reason: %q", it.Article.Title, it.Reasons)
		}
	}
}

func TestRecommendLeavesOutAgendasAndHiddenItems(t *testing.T) {
	for _, it := range Recommend(fixture(), Needs{Topics: []string{"trust", "teamwork"}}, 20).Items {
		if it.Article.Kind == KindAgenda || !it.Article.Published() {
			t.Errorf("recommended %s", it.Article.Title)
		}
	}
}

func TestRecommendFromGoals(t *testing.T) {
	r := Recommend(fixture(), Needs{Goals: []string{"Agree a charter with my new team", "Hold the difficult conversation with Sam"}}, 2)
	got := titles(r)
	if len(got) != 2 || got[0] != "Conversation planner" || got[1] != "Team charter template" {
		t.Fatalf("recommended %q", got)
	}
	if r.Heading != "Working on your goals: two tools" {
		t.Errorf("heading = %q", r.Heading)
	}
	if !strings.Contains(strings.Join(r.Items[1].Reasons, " "), "your goal about “charter”") {
		t.Errorf("reasons = %q", r.Items[0].Reasons)
	}
}

func TestRecommendTheKindOfSupportAlone(t *testing.T) {
	r := Recommend(fixture(), Needs{Kind: "supervision"}, 3)
	if got := titles(r); len(got) != 1 || got[0] != "Three kinds of support" {
		t.Fatalf("recommended %q", got)
	}
	if r.Heading != "Working on supervision: one resource" {
		t.Errorf("heading = %q", r.Heading)
	}
}

func TestNothingToRecommendFromNothing(t *testing.T) {
	if r := Recommend(fixture(), Needs{}, 3); len(r.Items) != 0 || r.Heading != "" {
		t.Fatalf("recommended %q from no needs", titles(r))
	}
}

// TestStarterContentServesEveryAssessmentTopic: whatever topic a member
// chooses in the default questionnaire, the starter library has three
// things to recommend.
func TestStarterContentServesEveryAssessmentTopic(t *testing.T) {
	items, err := Starter()
	if err != nil {
		t.Fatal(err)
	}
	for topic := range topicShelf {
		if topic == "wellbeing" || topic == "career" {
			continue // no shelf of their own yet: tags only
		}
		if r := Recommend(items, Needs{Topics: []string{topic}}, 3); len(r.Items) < 3 {
			t.Errorf("topic %s: only %q", topic, titles(r))
		}
	}
}

func TestFoldFoldsAccentsCaseAndPunctuation(t *testing.T) {
	for in, want := range map[string]string{
		"Café":                     "cafe",
		"  Straße, Zürich! ":       "strasse zurich",
		"Résumé—naïve coöperation": "resume naive cooperation",
		"ÆSIR øre":                 "aesir ore",
		"":                         "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
