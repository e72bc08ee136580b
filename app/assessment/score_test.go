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

func TestParseEditorAddsAndRemovesQuestionsAndAnswers(t *testing.T) {
	base := Default()
	v := url.Values{}
	v.Set("rm.outcome", "1")                        // remove a question
	v.Set("rm.stance.reflection", "1")              // remove an answer
	v.Set("na.format", "Online only")               // add an answer
	v.Set("nw.format.group", "3")                   // with a weight
	v.Set("nq.text", "How much time can you give?") // add a question
	v.Set("nq.a.1", "An hour a month")
	v.Set("nq.w.1.short_term", "2")
	v.Set("nq.a.3", "More")
	v.Set("nq.w.3.ongoing", "2")
	got, errs := ParseEditor(base, v)
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	if _, _, ok := got.Question("outcome"); ok || len(got.Questions) != len(base.Questions) {
		t.Fatalf("questions = %d, outcome kept = %v", len(got.Questions), ok)
	}
	st, _, _ := got.Question("stance")
	if _, ok := st.Answer("reflection"); ok || len(st.Answers) != 2 {
		t.Fatalf("stance answers = %+v", st.Answers)
	}
	f, _, _ := got.Question("format")
	if last := f.Answers[len(f.Answers)-1]; last.Label != "Online only" || last.Weights[KeyGroup] != 3 || last.ID == "" {
		t.Fatalf("new answer = %+v", last)
	} else if _, dup := f.Answer("one"); !dup || last.ID == "one" || last.ID == "group" || last.ID == "either" {
		t.Fatalf("new answer id %q clashes", last.ID)
	}
	nq := got.Questions[len(got.Questions)-1]
	if nq.Text != "How much time can you give?" || len(nq.Answers) != 2 || nq.Answers[0].ID == nq.Answers[1].ID || nq.Answers[1].Weights[KeyOngoing] != 2 {
		t.Fatalf("new question = %+v", nq)
	}
	for _, q := range got.Questions[:len(got.Questions)-1] {
		if q.ID == nq.ID {
			t.Fatalf("new question id %q clashes", nq.ID)
		}
	}

	// Structure is checked: at least one question, two answers each.
	all := url.Values{}
	for _, q := range base.Questions {
		all.Set(q.RemoveField(), "1")
	}
	oneAnswer := url.Values{"rm.stance.advice": {"1"}, "rm.stance.questions": {"1"}}
	for name, c := range map[string]struct {
		values url.Values
		field  string
	}{
		"no question left":               {all, "form"},
		"a question with one answer":     {oneAnswer, "q.stance.answers"},
		"a new question with one answer": {url.Values{"nq.text": {"Why?"}, "nq.a.1": {"Because"}}, "nq.answers"},
		"a new question without text":    {url.Values{"nq.a.1": {"A"}, "nq.a.2": {"B"}}, "nq.text"},
		"a new answer weight too big":    {url.Values{"na.stance": {"Silence"}, "nw.stance.coaching": {"11"}}, "nw.stance.coaching"},
		"a new answer without words":     {url.Values{"nw.stance.coaching": {"1"}}, "na.stance"},
		"a new question's bad weight":    {url.Values{"nq.text": {"Why?"}, "nq.a.1": {"A"}, "nq.a.2": {"B"}, "nq.w.2.group": {"x"}}, "nq.w.2.group"},
	} {
		if _, errs := ParseEditor(base, c.values); errs[c.field] == "" {
			t.Errorf("%s: accepted (errors %v)", name, errs)
		}
	}
}

func FuzzParseEditor(f *testing.F) {
	f.Add("w.stance.advice.mentoring", "3", "rm.outcome", "1")
	f.Add("q.situation.text", "Why?", "nq.text", "When?")
	f.Add("a.topics.trust", "", "na.format", "Online")
	f.Add("w.format.one.group", "-10", "rm.format.one", "1")
	f.Add("w.x.y.z", "999999999999999999999", "nq.a.1", "Yes")
	f.Add("rm.stance.advice", "1", "rm.stance.questions", "1")
	f.Add("nq.w.1.group", "2", "nq.a.1", "A")
	base := Default()
	f.Fuzz(func(t *testing.T, field1, value1, field2, value2 string) {
		v := url.Values{field1: {value1}}
		v.Add(field2, value2)
		got, errs := ParseEditor(base, v)
		if len(errs) > 0 {
			return
		}
		if len(got.Questions) == 0 || len(got.Questions) > MaxQuestions {
			t.Fatalf("accepted %d questions", len(got.Questions))
		}
		qids := map[string]bool{}
		for _, q := range got.Questions {
			if q.Text == "" || q.ID == "" || qids[q.ID] {
				t.Fatalf("accepted question %+v", q)
			}
			qids[q.ID] = true
			if len(q.Answers) < MinAnswers || len(q.Answers) > MaxAnswers {
				t.Fatalf("accepted %d answers", len(q.Answers))
			}
			aids := map[string]bool{}
			for _, a := range q.Answers {
				if a.Label == "" || a.ID == "" || aids[a.ID] {
					t.Fatalf("accepted answer %+v", a)
				}
				aids[a.ID] = true
				for _, w := range a.Weights {
					if w < -MaxWeight || w > MaxWeight || w == 0 {
						t.Fatalf("accepted weight %d", w)
					}
				}
			}
		}
		// Whatever was accepted can be scored.
		if _, err := Score(got, anyPositiveKind(got)); err != nil && !errors.Is(err, ErrUnanswered) {
			t.Fatalf("accepted a questionnaire that recommends nothing: %v", err)
		}
	})
}
