package assessment

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Field names of the questionnaire editor:
//
//	q.<question>.text          the question's text
//	a.<question>.<answer>      an answer's label
//	w.<question>.<answer>.<key> an answer's weight on a key (an integer)
func textField(qid string) string           { return "q." + qid + ".text" }
func labelField(qid, aid string) string     { return "a." + qid + "." + aid }
func weightField(qid, aid, k string) string { return "w." + qid + "." + aid + "." + k }

// Limits of the editor.
const (
	maxTextLen = 300
)

// EditorErrors maps a field name to what is wrong with it.
type EditorErrors map[string]string

// ParseEditor applies the editor's form values to a copy of base: texts,
// labels and weights of the questions and answers base already has
// (the shape is not edited here). Missing fields keep base's value; bad
// ones are reported by field name and leave the result unusable.
func ParseEditor(base Questionnaire, values url.Values) (Questionnaire, EditorErrors) {
	errs := EditorErrors{}
	out := Questionnaire{Version: base.Version, Questions: make([]Question, len(base.Questions))}
	for i, q := range base.Questions {
		nq := q
		nq.Answers = make([]Answer, len(q.Answers))
		if vs, ok := values[textField(q.ID)]; ok {
			text := strings.TrimSpace(first(vs))
			switch {
			case text == "":
				errs[textField(q.ID)] = "A question needs some words."
			case utf8.RuneCountInString(text) > maxTextLen || !utf8.ValidString(text):
				errs[textField(q.ID)] = "Use at most 300 characters."
			}
			nq.Text = text
		}
		for j, a := range q.Answers {
			na := a
			na.Weights = map[string]int{}
			for k, v := range a.Weights {
				na.Weights[k] = v
			}
			if vs, ok := values[labelField(q.ID, a.ID)]; ok {
				label := strings.TrimSpace(first(vs))
				switch {
				case label == "":
					errs[labelField(q.ID, a.ID)] = "An answer needs some words."
				case utf8.RuneCountInString(label) > maxTextLen || !utf8.ValidString(label):
					errs[labelField(q.ID, a.ID)] = "Use at most 300 characters."
				}
				na.Label = label
			}
			for _, k := range AllKeys {
				vs, ok := values[weightField(q.ID, a.ID, k)]
				if !ok {
					continue
				}
				raw := strings.TrimSpace(first(vs))
				if raw == "" {
					delete(na.Weights, k)
					continue
				}
				n, err := strconv.Atoi(raw)
				if err != nil || n < -MaxWeight || n > MaxWeight {
					errs[weightField(q.ID, a.ID, k)] = "Use a whole number from -10 to 10."
					continue
				}
				if n == 0 {
					delete(na.Weights, k)
				} else {
					na.Weights[k] = n
				}
			}
			nq.Answers[j] = na
		}
		out.Questions[i] = nq
	}
	if len(errs) == 0 {
		if _, err := Score(out, anyPositiveKind(out)); err != nil && !strings.Contains(err.Error(), "unanswered") {
			errs["form"] = "No answer counts towards any kind of support any more: give at least one answer a positive mentoring, coaching or supervision weight."
		}
	}
	return out, errs
}

// anyPositiveKind picks, for every question, the answer with the highest
// kind weight, to check that some answers still lead somewhere.
func anyPositiveKind(q Questionnaire) Answers {
	ans := Answers{}
	for _, question := range q.Questions {
		best, bestW := "", -1<<31
		for _, a := range question.Answers {
			sum := 0
			for _, k := range KindKeys {
				sum += a.Weights[k]
			}
			if sum > bestW {
				best, bestW = a.ID, sum
			}
		}
		if best != "" {
			ans[question.ID] = []string{best}
		}
	}
	return ans
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

// Field name helpers for the editor template.
func (q Question) TextField() string                     { return textField(q.ID) }
func (q Question) LabelField(a Answer) string            { return labelField(q.ID, a.ID) }
func (q Question) WeightField(a Answer, k string) string { return weightField(q.ID, a.ID, k) }
