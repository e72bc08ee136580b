// Package topics keeps each organisation's vocabulary of topics: the
// words that the needs assessment records, that practitioners choose on
// their profile and that matching compares. Free text is matched to the
// vocabulary whatever its case, spacing or punctuation, and through each
// topic's synonyms, so that "challenging conversations" and the
// assessment's `conversations` are one topic.
package topics

import (
	"strings"
	"time"
	"unicode"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Topic is one entry of an organisation's vocabulary.
type Topic struct {
	bun.BaseModel `bun:"table:topics"`

	OrgID uuid.UUID `bun:"org_id,pk,type:uuid"`
	// Key is what requests and profiles store; it never changes.
	Key   string `bun:"key,pk"`
	Label string `bun:"label"`
	// Synonyms are comma-separated other ways of saying it.
	Synonyms  string    `bun:"synonyms"`
	Position  int       `bun:"position"`
	CreatedAt time.Time `bun:"created_at"`
}

// SynonymList reads the synonyms.
func (t *Topic) SynonymList() []string {
	var out []string
	for _, s := range strings.Split(t.Synonyms, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Defaults is the vocabulary an organisation starts with: the keys are
// those of the default needs assessment's topic answers.
var Defaults = []Topic{
	{Key: "leadership", Label: "Leading people", Synonyms: "leadership, leading, management, managing people"},
	{Key: "career", Label: "Career and next steps", Synonyms: "career development, next steps, promotion"},
	{Key: "onboarding", Label: "Settling into a new role", Synonyms: "new role, induction, newcomer"},
	{Key: "teamwork", Label: "Teamwork", Synonyms: "team work, teams, team working, collaboration"},
	{Key: "conversations", Label: "Challenging conversations", Synonyms: "difficult conversations, hard conversations, conflict, feedback conversations"},
	{Key: "trust", Label: "Building trust", Synonyms: "trust building"},
	{Key: "wellbeing", Label: "Wellbeing and balance", Synonyms: "well-being, work-life balance, balance, stress"},
	{Key: "practice", Label: "My practice as a coach or mentor", Synonyms: "reflective practice, coaching practice, mentoring practice"},
}

// Normalise folds text for comparison: lower case, every run of spaces,
// hyphens and punctuation one space.
func Normalise(s string) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			space = false
		} else {
			space = true
		}
	}
	return b.String()
}

// KeyOf makes a key for a new topic from its label.
func KeyOf(label string) string { return strings.ReplaceAll(Normalise(label), " ", "-") }

// Vocabulary is an organisation's topics, in their order.
type Vocabulary []Topic

// Match finds the topic that text names (its key, label or a synonym).
func (v Vocabulary) Match(text string) (Topic, bool) {
	n := Normalise(text)
	if n == "" {
		return Topic{}, false
	}
	for _, t := range v {
		if Normalise(t.Key) == n || Normalise(t.Label) == n {
			return t, true
		}
		for _, s := range t.SynonymList() {
			if Normalise(s) == n {
				return t, true
			}
		}
	}
	return Topic{}, false
}

// Canonical maps each item to its topic's key, or, where no topic
// matches, to the normalised text (so that two people's same free text
// still meets); duplicates and empty items go.
func (v Vocabulary) Canonical(items []string) []string {
	var out []string
	for _, it := range items {
		c := Normalise(it)
		if t, ok := v.Match(it); ok {
			c = t.Key
		}
		if c != "" && !contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// Label is how a canonical item reads: its topic's label, else itself.
func (v Vocabulary) Label(item string) string {
	for _, t := range v {
		if t.Key == item {
			return t.Label
		}
	}
	return item
}

// Split reads a comma-separated list.
func Split(s string) []string {
	var out []string
	for _, it := range strings.Split(s, ",") {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
