package assessment

import (
	"errors"
	"net/url"
	"slices"
	"testing"
)

func TestScoreRecommendsAndExplains(t *testing.T) {
	q := Default()
	cases := []struct {
		name                   string
		answers                Answers
		kind, runnerUp, format string
		duration               string
		ties                   []string
		topics                 []string
	}{
		{
			name:    "newcomer learning how things are done: mentoring",
			answers: Answers{"situation": {"new"}, "stance": {"advice"}, "outcome": {"fit"}, "format": {"one"}, "duration": {"short"}, "topics": {"onboarding", "teamwork"}},
			kind:    KeyMentoring, runnerUp: KeyCoaching, format: KeyOneToOne, duration: KeyShortTerm, topics: []string{"onboarding", "teamwork"},
		},
		{
			name:    "career transition: mentoring",
			answers: Answers{"situation": {"transition"}, "stance": {"advice"}, "outcome": {"choices"}, "format": {"group"}, "duration": {"ongoing"}},
			kind:    KeyMentoring, runnerUp: KeyCoaching, format: KeyGroup, duration: KeyOngoing,
		},
		{
			name:    "growth and own answers: coaching",
			answers: Answers{"situation": {"growth"}, "stance": {"questions"}, "outcome": {"choices"}, "format": {"one"}, "duration": {"ongoing"}},
			kind:    KeyCoaching, runnerUp: KeyMentoring, format: KeyOneToOne, duration: KeyOngoing,
		},
		{
			name:    "clarifying a situation: coaching, short term",
			answers: Answers{"situation": {"situation"}, "stance": {"questions"}, "outcome": {"choices"}, "format": {"one"}, "duration": {"unsure"}},
			kind:    KeyCoaching, runnerUp: KeyMentoring, format: KeyOneToOne, duration: KeyShortTerm, ties: nil,
		},
		{
			name:    "practitioner reflecting on practice: supervision",
			answers: Answers{"situation": {"practice"}, "stance": {"reflection"}, "outcome": {"blindspots"}, "format": {"group"}, "duration": {"ongoing"}, "topics": {"practice"}},
			kind:    KeySupervision, runnerUp: KeyMentoring, format: KeyGroup, duration: KeyOngoing, topics: []string{"practice"},
		},
		{
			name: "tie between mentoring and coaching: the fixed order picks mentoring, coaching is runner-up",
			// performance (coaching 3) + advice (mentoring 2) + fit (mentoring 1) = 3 : 3
			answers: Answers{"situation": {"performance"}, "stance": {"advice"}, "outcome": {"fit"}, "format": {"either"}, "duration": {"unsure"}},
			kind:    KeyMentoring, runnerUp: KeyCoaching, format: KeyOneToOne, duration: KeyShortTerm,
			ties: []string{"kind", "format", "duration"},
		},
		{
			name: "tie between coaching and supervision: coaching comes first in the order",
			// performance (coaching 3) + reflection (supervision 2) + blindspots (supervision 1) = 3 : 3
			answers: Answers{"situation": {"performance"}, "stance": {"reflection"}, "outcome": {"blindspots"}, "format": {"one"}, "duration": {"ongoing"}},
			kind:    KeyCoaching, runnerUp: KeySupervision, format: KeyOneToOne, duration: KeyOngoing, ties: []string{"kind"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Score(q, tc.answers)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Kind != tc.kind || rec.RunnerUp != tc.runnerUp || rec.Format != tc.format || rec.Duration != tc.duration {
				t.Fatalf("got %s (runner-up %s), %s, %s; want %s (%s), %s, %s", rec.Kind, rec.RunnerUp, rec.Format, rec.Duration, tc.kind, tc.runnerUp, tc.format, tc.duration)
			}
			if !slices.Equal(rec.Explanation.Ties, tc.ties) {
				t.Errorf("ties = %v, want %v", rec.Explanation.Ties, tc.ties)
			}
			if !slices.Equal(rec.Topics, tc.topics) {
				t.Errorf("topics = %v, want %v", rec.Topics, tc.topics)
			}
			// The explanation adds up: the contributions to each key sum to its total.
			for _, k := range AllKeys {
				sum := 0
				for _, c := range rec.Explanation.For(k) {
					sum += c.Points
					if c.Question == "" || c.Answer == "" {
						t.Errorf("contribution without its question or answer: %+v", c)
					}
				}
				if sum != rec.Explanation.Totals[k] {
					t.Errorf("%s: contributions sum to %d, total %d", k, sum, rec.Explanation.Totals[k])
				}
			}
			// Scoring is deterministic.
			again, _ := Score(q, tc.answers)
			if again.Kind != rec.Kind || again.RunnerUp != rec.RunnerUp || again.Explanation.Summary(KindKeys) != rec.Explanation.Summary(KindKeys) {
				t.Error("scoring the same answers twice differs")
			}
		})
	}
}

func TestScoreNamesTheAnswersThatLedToIt(t *testing.T) {
	rec, err := Score(Default(), Answers{"situation": {"new"}, "stance": {"advice"}, "outcome": {"fit"}, "format": {"one"}, "duration": {"short"}})
	if err != nil {
		t.Fatal(err)
	}
	got := rec.Explanation.For(KeyMentoring)
	if len(got) != 3 || got[0].Points != 4 || got[0].Question != "What brings you here?" {
		t.Fatalf("mentoring contributions = %+v", got)
	}
	if s := rec.Explanation.Summary(KindKeys); s != "mentoring 7, coaching 0, supervision 0" {
		t.Errorf("summary = %q", s)
	}
}

func TestScoreRefusesIncompleteAnswers(t *testing.T) {
	q := Default()
	for name, answers := range map[string]Answers{
		"nothing":          {},
		"unknown answer":   {"situation": {"nope"}, "stance": {"advice"}, "outcome": {"fit"}, "format": {"one"}, "duration": {"short"}},
		"missing question": {"situation": {"new"}, "stance": {"advice"}, "outcome": {"fit"}, "format": {"one"}},
	} {
		if _, err := Score(q, answers); !errors.Is(err, ErrUnanswered) {
			t.Errorf("%s: err = %v, want ErrUnanswered", name, err)
		}
	}
	// All weights on kinds gone: no signal.
	flat := Questionnaire{Questions: []Question{{ID: "a", Text: "A", Answers: []Answer{{ID: "x", Label: "X", Weights: map[string]int{KeyGroup: 1}}}}}}
	if _, err := Score(flat, Answers{"a": {"x"}}); !errors.Is(err, ErrNoSignal) {
		t.Errorf("no kind weights: err = %v, want ErrNoSignal", err)
	}
}

func TestParseEditor(t *testing.T) {
	base := Default()
	v := url.Values{}
	v.Set("q.stance.text", "  What kind of help?  ")
	v.Set("w.stance.advice.mentoring", "5")
	v.Set("w.stance.advice.coaching", "-2")
	v.Set("w.stance.questions.coaching", "0")
	got, errs := ParseEditor(base, v)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	st, _, _ := got.Question("stance")
	adv, _ := st.Answer("advice")
	qs, _ := st.Answer("questions")
	if st.Text != "What kind of help?" || adv.Weights[KeyMentoring] != 5 || adv.Weights[KeyCoaching] != -2 || len(qs.Weights) != 0 {
		t.Fatalf("parsed %+v", st)
	}
	// The base is not changed.
	bst, _, _ := base.Question("stance")
	if ba, _ := bst.Answer("advice"); ba.Weights[KeyMentoring] != 2 {
		t.Fatal("ParseEditor changed its base")
	}
	for field, value := range map[string]string{
		"w.stance.advice.mentoring": "11",
		"w.stance.advice.group":     "two",
		"q.stance.text":             " ",
		"a.stance.advice":           "",
	} {
		bad := url.Values{field: {value}}
		if _, errs := ParseEditor(base, bad); errs[field] == "" {
			t.Errorf("%s=%q accepted", field, value)
		}
	}
	// Taking every kind weight away leaves nothing to recommend.
	zero := url.Values{}
	for _, q := range base.Questions {
		for _, a := range q.Answers {
			for _, k := range KindKeys {
				zero.Set(q.WeightField(a, k), "0")
			}
		}
	}
	if _, errs := ParseEditor(base, zero); errs["form"] == "" {
		t.Error("a questionnaire without kind weights was accepted")
	}
}

func FuzzParseEditor(f *testing.F) {
	f.Add("w.stance.advice.mentoring", "3")
	f.Add("q.situation.text", "Why?")
	f.Add("a.topics.trust", "")
	f.Add("w.format.one.group", "-10")
	f.Add("w.x.y.z", "999999999999999999999")
	base := Default()
	f.Fuzz(func(t *testing.T, field, value string) {
		got, errs := ParseEditor(base, url.Values{field: {value}})
		if len(got.Questions) != len(base.Questions) {
			t.Fatal("the shape changed")
		}
		if len(errs) > 0 {
			return
		}
		for _, q := range got.Questions {
			if q.Text == "" {
				t.Fatal("accepted an empty question")
			}
			for _, a := range q.Answers {
				if a.Label == "" {
					t.Fatal("accepted an empty answer")
				}
				for _, w := range a.Weights {
					if w < -MaxWeight || w > MaxWeight || w == 0 {
						t.Fatalf("accepted weight %d", w)
					}
				}
			}
		}
	})
}
