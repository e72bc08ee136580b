package assessment

import (
	"context"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/topics"
)

// topicsQuestion is the question whose answers record the member's topics.
const topicsQuestion = "topics"

// OfferTopics makes the needs assessment offer the organisation's topic
// vocabulary, in its order: when an admin saves the vocabulary, the topics
// question's answers become its topics (an answer a topic already had
// keeps its id and weights, so that earlier answers still read). The
// change is a new version of the questionnaire, as an admin's edit is:
// assessments begun on the old one keep it. Nothing is saved when the
// answers would not change, or when the questionnaire has no topics
// question.
func (s *Store) OfferTopics(ctx context.Context, orgID, by uuid.UUID, now time.Time, v topics.Vocabulary) error {
	q, err := s.Current(ctx, orgID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(q.Questions, func(qu Question) bool { return qu.ID == topicsQuestion })
	if i < 0 {
		return nil
	}
	old := q.Questions[i].Answers
	answers := make([]Answer, 0, len(v))
	for _, t := range v {
		a := Answer{ID: t.Key, Label: t.Label, Topic: t.Key}
		if j := slices.IndexFunc(old, func(a Answer) bool { return a.Topic == t.Key }); j >= 0 {
			a.ID, a.Weights = old[j].ID, old[j].Weights
		}
		answers = append(answers, a)
	}
	if slices.EqualFunc(old, answers, func(a, b Answer) bool {
		return a.ID == b.ID && a.Label == b.Label && a.Topic == b.Topic
	}) {
		return nil
	}
	questions := slices.Clone(q.Questions)
	questions[i].Answers = answers
	q.Questions = questions
	_, err = s.SaveQuestionnaire(ctx, orgID, by, now, q)
	return err
}
