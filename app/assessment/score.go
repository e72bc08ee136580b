package assessment

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Contribution is one answer's share of the recommendation.
type Contribution struct {
	Question string `json:"question"`
	Answer   string `json:"answer"`
	Key      string `json:"key"`
	Points   int    `json:"points"`
}

// Explanation says how a recommendation came about.
type Explanation struct {
	// Totals per key.
	Totals map[string]int `json:"totals"`
	// Contributions lists every answer that moved a total, in question order.
	Contributions []Contribution `json:"contributions"`
	// Ties names the dimensions decided by the fixed order rather than by
	// points, so that the coordinator knows to look twice.
	Ties []string `json:"ties,omitempty"`
	// Manual is set for a face-to-face outcome recorded by a coordinator.
	Manual bool `json:"manual,omitempty"`
}

// For lists the contributions to one key.
func (e Explanation) For(key string) []Contribution {
	var out []Contribution
	for _, c := range e.Contributions {
		if c.Key == key {
			out = append(out, c)
		}
	}
	return out
}

// Recommendation is the result of scoring an assessment.
type Recommendation struct {
	Kind, Format, Duration string
	// RunnerUp is the second kind (by points, then the fixed order).
	RunnerUp    string
	Topics      []string
	Explanation Explanation
}

// Errors of scoring.
var (
	ErrUnanswered = errors.New("assessment: a required question is unanswered")
	ErrNoSignal   = errors.New("assessment: the answers point to no kind of support")
)

// Score turns answers into a recommendation. It is a pure function: the
// same questionnaire and answers always give the same result. Unknown
// question or answer ids are ignored (a questionnaire may have changed
// since), but every required question must have a known answer.
func Score(q Questionnaire, answers Answers) (Recommendation, error) {
	rec := Recommendation{Explanation: Explanation{Totals: map[string]int{}}}
	for _, k := range AllKeys {
		rec.Explanation.Totals[k] = 0
	}
	for _, question := range q.Questions {
		chosen := 0
		for _, aid := range answers[question.ID] {
			a, ok := question.Answer(aid)
			if !ok {
				continue
			}
			chosen++
			if a.Topic != "" && !slices.Contains(rec.Topics, a.Topic) {
				rec.Topics = append(rec.Topics, a.Topic)
			}
			for _, k := range AllKeys {
				if w := a.Weights[k]; w != 0 {
					rec.Explanation.Totals[k] += w
					rec.Explanation.Contributions = append(rec.Explanation.Contributions,
						Contribution{Question: question.Text, Answer: a.Label, Key: k, Points: w})
				}
			}
			if !question.Multiple {
				break
			}
		}
		if chosen == 0 && !question.Optional {
			return Recommendation{}, fmt.Errorf("%w: %s", ErrUnanswered, question.Text)
		}
	}
	t := rec.Explanation.Totals
	kinds := rank(KindKeys, t)
	if t[kinds[0]] <= 0 {
		return Recommendation{}, ErrNoSignal
	}
	rec.Kind, rec.RunnerUp = kinds[0], kinds[1]
	formats, durations := rank(FormatKeys, t), rank(DurationKeys, t)
	rec.Format, rec.Duration = formats[0], durations[0]
	if t[kinds[0]] == t[kinds[1]] {
		rec.Explanation.Ties = append(rec.Explanation.Ties, "kind")
	}
	if t[formats[0]] == t[formats[1]] {
		rec.Explanation.Ties = append(rec.Explanation.Ties, "format")
	}
	if t[durations[0]] == t[durations[1]] {
		rec.Explanation.Ties = append(rec.Explanation.Ties, "duration")
	}
	sort.Strings(rec.Topics)
	return rec, nil
}

// rank orders keys by total, highest first; equal totals keep the keys'
// own (tie-break) order.
func rank(keys []string, totals map[string]int) []string {
	out := slices.Clone(keys)
	sort.SliceStable(out, func(i, j int) bool { return totals[out[i]] > totals[out[j]] })
	return out
}

// Summary is a one-line account of the totals of a dimension.
func (e Explanation) Summary(keys []string) string {
	parts := make([]string, 0, len(keys))
	for _, k := range rank(keys, e.Totals) {
		parts = append(parts, fmt.Sprintf("%s %d", strings.ToLower(KeyLabels[k]), e.Totals[k]))
	}
	return strings.Join(parts, ", ")
}

// CoachingApproach reports whether the answers ask for support to apply a
// coaching approach to one's leadership: an outcome beside the kind of
// support, signposted as the organisation chose.
func (e Explanation) CoachingApproach() bool { return e.Totals[KeyCoachingApproach] > 0 }

// Tied reports whether a dimension was decided by the fixed order.
func (e Explanation) Tied(dimension string) bool { return slices.Contains(e.Ties, dimension) }
