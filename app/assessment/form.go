package assessment

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Field names of the questionnaire editor:
//
//	q.<question>.text            the question's text
//	a.<question>.<answer>        an answer's label
//	w.<question>.<answer>.<key>  an answer's weight on a key (an integer)
//	rm.<question>                remove the question (a checkbox)
//	rm.<question>.<answer>       remove the answer (a checkbox)
//	na.<question>                a new answer's label for the question
//	nw.<question>.<key>          the new answer's weight on a key
//	nq.text, nq.hint             a new question's text and hint
//	nq.multiple, nq.optional     its checkboxes
//	nq.a.<n>, nq.w.<n>.<key>     its answers (n from 1 to NewAnswerRows)
func textField(qid string) string           { return "q." + qid + ".text" }
func answersField(qid string) string        { return "q." + qid + ".answers" }
func labelField(qid, aid string) string     { return "a." + qid + "." + aid }
func weightField(qid, aid, k string) string { return "w." + qid + "." + aid + "." + k }
func removeField(qid string) string         { return "rm." + qid }
func removeAnswerField(qid, aid string) string {
	return "rm." + qid + "." + aid
}
func newAnswerField(qid string) string          { return "na." + qid }
func newAnswerWeightField(qid, k string) string { return "nw." + qid + "." + k }
func newQuestionLabel(n int) string             { return "nq.a." + strconv.Itoa(n) }
func newQuestionWeight(n int, k string) string  { return "nq.w." + strconv.Itoa(n) + "." + k }

// Limits of the editor.
const (
	maxTextLen   = 300
	MaxQuestions = 30
	MaxAnswers   = 20
	MinAnswers   = 2
	// NewAnswerRows is how many answers a new question offers to fill in.
	NewAnswerRows = 4
)

// EditorErrors maps a field name to what is wrong with it.
type EditorErrors map[string]string

// ParseEditor applies the editor's form values to a copy of base: texts,
// labels and weights of the questions and answers base has, their
// removal, a new answer for any question, and one new question. Missing
// fields keep base's value; bad ones are reported by field name and leave
// the result unusable. The result must keep at least one question, each
// with at least two answers.
func ParseEditor(base Questionnaire, values url.Values) (Questionnaire, EditorErrors) {
	errs := EditorErrors{}
	out := Questionnaire{Version: base.Version}
	for _, q := range base.Questions {
		if checked(values, removeField(q.ID)) {
			continue
		}
		nq := q
		nq.Answers = nil
		if vs, ok := values[textField(q.ID)]; ok {
			nq.Text = checkText(errs, textField(q.ID), first(vs), "A question needs some words.")
		}
		for _, a := range q.Answers {
			if checked(values, removeAnswerField(q.ID, a.ID)) {
				continue
			}
			na := a
			na.Weights = map[string]int{}
			for k, v := range a.Weights {
				na.Weights[k] = v
			}
			if vs, ok := values[labelField(q.ID, a.ID)]; ok {
				na.Label = checkText(errs, labelField(q.ID, a.ID), first(vs), "An answer needs some words.")
			}
			readWeights(errs, values, na.Weights, func(k string) string { return weightField(q.ID, a.ID, k) })
			nq.Answers = append(nq.Answers, na)
		}
		// A new answer for this question, when its label or a weight is given.
		if label, weights, given := newAnswer(errs, values, newAnswerField(q.ID), func(k string) string { return newAnswerWeightField(q.ID, k) }); given {
			nq.Answers = append(nq.Answers, Answer{ID: freshAnswerID(nq.Answers), Label: label, Weights: weights})
		}
		if len(nq.Answers) < MinAnswers {
			errs[answersField(q.ID)] = "A question needs at least two answers."
		} else if len(nq.Answers) > MaxAnswers {
			errs[answersField(q.ID)] = "A question has at most " + strconv.Itoa(MaxAnswers) + " answers."
		}
		out.Questions = append(out.Questions, nq)
	}
	if q, given := newQuestion(errs, values, out.Questions); given {
		out.Questions = append(out.Questions, q)
	}
	switch {
	case len(out.Questions) == 0:
		errs["form"] = "Keep at least one question."
	case len(out.Questions) > MaxQuestions:
		errs["form"] = "Use at most " + strconv.Itoa(MaxQuestions) + " questions."
	}
	if len(errs) == 0 {
		if _, err := Score(out, anyPositiveKind(out)); err != nil && !strings.Contains(err.Error(), "unanswered") {
			errs["form"] = "No answer counts towards any kind of support any more: give at least one answer a positive mentoring, coaching or supervision weight."
		}
	}
	return out, errs
}

// newQuestion reads the new question block: given is false when it was
// left empty.
func newQuestion(errs EditorErrors, values url.Values, existing []Question) (Question, bool) {
	text := strings.TrimSpace(values.Get("nq.text"))
	q := Question{Hint: strings.TrimSpace(values.Get("nq.hint")), Multiple: checked(values, "nq.multiple"), Optional: checked(values, "nq.optional")}
	for n := 1; n <= NewAnswerRows; n++ {
		label, weights, given := newAnswer(errs, values, newQuestionLabel(n), func(k string) string { return newQuestionWeight(n, k) })
		if given {
			q.Answers = append(q.Answers, Answer{ID: freshAnswerID(q.Answers), Label: label, Weights: weights})
		}
	}
	if text == "" && len(q.Answers) == 0 && q.Hint == "" {
		return q, false
	}
	q.Text = checkText(errs, "nq.text", text, "A question needs some words.")
	if utf8.RuneCountInString(q.Hint) > maxTextLen || !utf8.ValidString(q.Hint) {
		errs["nq.hint"] = "Use at most 300 characters."
	}
	if len(q.Answers) < MinAnswers {
		errs["nq.answers"] = "A question needs at least two answers."
	}
	ids := make([]string, len(existing))
	for i, e := range existing {
		ids[i] = e.ID
	}
	q.ID = freshID("q", ids)
	return q, true
}

// newAnswer reads a new answer's label and weights; given is false when
// they were all left empty.
func newAnswer(errs EditorErrors, values url.Values, labelName string, weightName func(string) string) (string, map[string]int, bool) {
	weights := map[string]int{}
	given := false
	for _, k := range AllKeys {
		if strings.TrimSpace(values.Get(weightName(k))) != "" {
			given = true
		}
	}
	label := strings.TrimSpace(values.Get(labelName))
	if label == "" && !given {
		return "", nil, false
	}
	label = checkText(errs, labelName, label, "An answer needs some words.")
	readWeights(errs, values, weights, weightName)
	return label, weights, true
}

// readWeights applies the weight fields present in values to weights.
func readWeights(errs EditorErrors, values url.Values, weights map[string]int, name func(string) string) {
	for _, k := range AllKeys {
		vs, ok := values[name(k)]
		if !ok {
			continue
		}
		raw := strings.TrimSpace(first(vs))
		if raw == "" {
			delete(weights, k)
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < -MaxWeight || n > MaxWeight {
			errs[name(k)] = "Use a whole number from -10 to 10."
			continue
		}
		if n == 0 {
			delete(weights, k)
		} else {
			weights[k] = n
		}
	}
}

func checkText(errs EditorErrors, field, raw, emptyMsg string) string {
	text := strings.TrimSpace(raw)
	switch {
	case text == "":
		errs[field] = emptyMsg
	case utf8.RuneCountInString(text) > maxTextLen:
		errs[field] = "Use at most 300 characters."
	case web.TextProblem(field, text) != "":
		errs[field] = web.TextProblem(field, text)
	}
	return text
}

func checked(values url.Values, field string) bool { return strings.TrimSpace(values.Get(field)) != "" }

// freshID is prefix followed by the smallest number not yet taken.
func freshID(prefix string, taken []string) string {
	for n := len(taken) + 1; ; n++ {
		id := prefix + strconv.Itoa(n)
		if !slices.Contains(taken, id) {
			return id
		}
	}
}

func freshAnswerID(as []Answer) string {
	ids := make([]string, len(as))
	for i, a := range as {
		ids[i] = a.ID
	}
	return freshID("a", ids)
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
func (q Question) AnswersField() string                  { return answersField(q.ID) }
func (q Question) LabelField(a Answer) string            { return labelField(q.ID, a.ID) }
func (q Question) WeightField(a Answer, k string) string { return weightField(q.ID, a.ID, k) }
func (q Question) RemoveField() string                   { return removeField(q.ID) }
func (q Question) RemoveAnswerField(a Answer) string     { return removeAnswerField(q.ID, a.ID) }
func (q Question) NewAnswerField() string                { return newAnswerField(q.ID) }
func (q Question) NewAnswerWeightField(k string) string  { return newAnswerWeightField(q.ID, k) }

// WeightText is an answer's weight on a key as the editor shows it.
func (a Answer) WeightText(k string) string {
	if w := a.Weights[k]; w != 0 {
		return strconv.Itoa(w)
	}
	return ""
}

// EditorView is what the questionnaire editor shows: the questionnaire
// it edits, and the values and errors of a refused save.
type EditorView struct {
	Q      Questionnaire
	Values url.Values
	Errors EditorErrors
	Keys   []string
	Labels map[string]string
}

// Val is the submitted value of field, or def when none was submitted.
func (v EditorView) Val(field, def string) string {
	if vs, ok := v.Values[field]; ok {
		return first(vs)
	}
	return def
}

// Checked reports whether a checkbox was ticked in the refused save.
func (v EditorView) Checked(field string) bool { return checked(v.Values, field) }

// Err is the error of a field.
func (v EditorView) Err(field string) string { return v.Errors[field] }

// NewRows numbers the answer rows of the new question.
func (v EditorView) NewRows() []int {
	out := make([]int, NewAnswerRows)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// NewLabel and NewWeight name the new question's fields.
func (v EditorView) NewLabel(n int) string            { return newQuestionLabel(n) }
func (v EditorView) NewWeight(n int, k string) string { return newQuestionWeight(n, k) }
