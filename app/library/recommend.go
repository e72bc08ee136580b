package library

import (
	"slices"
	"strings"
)

// Needs are what a person said they need and what they are working on:
// the topics and the kind of support of their needs assessment, and the
// goals of their relationships.
type Needs struct {
	Topics []string // assessment topic keys: trust, teamwork, conversations …
	Kind   string   // recommended kind of support: mentoring, coaching, supervision
	Goals  []string // goal descriptions
}

// Empty reports whether there is nothing to recommend from.
func (n Needs) Empty() bool { return len(n.Topics) == 0 && n.Kind == "" && len(n.Goals) == 0 }

// topicShelf says, for each topic of the needs assessment, which shelf
// and which tags of the library speak to it, and how to name it.
var topicShelf = map[string]struct {
	category string
	tags     []string
	label    string
}{
	"leadership":    {CatLeadership, []string{"leadership"}, "leading people"},
	"trust":         {CatTrust, []string{"trust"}, "trust"},
	"teamwork":      {CatTeamwork, []string{"teamwork", "team"}, "teamwork"},
	"conversations": {CatConversations, []string{"challenging conversations", "feedback"}, "challenging conversations"},
	"career":        {"", []string{"career"}, "your next career step"},
	"onboarding":    {"", []string{"onboarding", "new role"}, "settling into a new role"},
	"wellbeing":     {"", []string{"wellbeing"}, "wellbeing"},
	"practice":      {CatPractice, []string{"practitioners", "supervision"}, "your practice"},
}

// Recommendation is an article chosen for a person, with why.
type Recommendation struct {
	Article Article
	Score   int
	Reasons []string
	// topic is the first of the person's topics the article speaks to.
	topic string
}

// Recommended is what a page shows first: a heading that says what it is
// about ("Working on trust and teamwork: three tools") and the items.
type Recommended struct {
	Heading string
	Items   []Recommendation
}

// Recommend picks up to limit of the published articles for needs: a
// topic's shelf counts 3, one of a topic's tags 2, a goal's word in the
// tags 3 (or in the title 1), the recommended kind of support in the tags
// 1. Each topic's best article comes first; ties go to the title's order,
// so the result is the same on every call.
func Recommend(articles []Article, needs Needs, limit int) Recommended {
	goalWords := wordsOf(needs.Goals)
	var recs []Recommendation
	matched := map[string]bool{}
	for _, a := range articles {
		if a.Kind == KindAgenda || !a.Published() {
			continue
		}
		r := Recommendation{Article: a}
		tags := a.TagList()
		for _, t := range needs.Topics {
			shelf, ok := topicShelf[t]
			if !ok {
				continue
			}
			hit := false
			if shelf.category != "" && a.Category == shelf.category {
				r.Score += 3
				hit = true
			}
			if slices.ContainsFunc(shelf.tags, func(tag string) bool { return slices.Contains(tags, tag) }) {
				r.Score += 2
				hit = true
			}
			if hit {
				matched[t] = true
				if r.topic == "" {
					r.topic = t
				}
				r.Reasons = append(r.Reasons, "You said you are working on "+shelf.label+".")
			}
		}
		if needs.Kind != "" && slices.Contains(tags, needs.Kind) {
			r.Score++
			r.Reasons = append(r.Reasons, "It is about "+needs.Kind+", the support suggested for you.")
		}
		titleWords := strings.Fields(Fold(a.Title))
		tagWords := strings.Fields(strings.Join(tags, " "))
		for _, w := range goalWords {
			switch {
			case slices.ContainsFunc(tagWords, func(tw string) bool { return sameWord(tw, w) }):
				r.Score += 3
				r.Reasons = append(r.Reasons, "It matches your goal about “"+w+"”.")
			case slices.ContainsFunc(titleWords, func(tw string) bool { return sameWord(tw, w) }):
				r.Score++
				r.Reasons = append(r.Reasons, "It matches your goal about “"+w+"”.")
			}
		}
		if r.Score > 0 {
			r.Reasons = slices.Compact(r.Reasons)
			recs = append(recs, r)
		}
	}
	slices.SortStableFunc(recs, func(a, b Recommendation) int {
		if a.Score != b.Score {
			return b.Score - a.Score
		}
		return strings.Compare(strings.ToLower(a.Article.Title), strings.ToLower(b.Article.Title))
	})
	recs = spread(recs, limit)
	return Recommended{Heading: heading(needs, matched, goalWords, recs), Items: recs}
}

// spread takes the best item of each topic first, then the best of the
// rest, so that a person working on two things sees both.
func spread(ranked []Recommendation, limit int) []Recommendation {
	var picks []Recommendation
	taken := make([]bool, len(ranked))
	seen := map[string]bool{}
	for i, r := range ranked {
		if len(picks) < limit && r.topic != "" && !seen[r.topic] {
			seen[r.topic], taken[i] = true, true
			picks = append(picks, r)
		}
	}
	for i, r := range ranked {
		if len(picks) < limit && !taken[i] {
			picks = append(picks, r)
		}
	}
	slices.SortStableFunc(picks, func(a, b Recommendation) int { return b.Score - a.Score })
	return picks
}

// heading names what the recommendations are about, in the person's
// terms: the topics they chose that matched, else their goals.
func heading(needs Needs, matched map[string]bool, goalWords []string, recs []Recommendation) string {
	if len(recs) == 0 {
		return ""
	}
	var about []string
	for _, t := range needs.Topics {
		if matched[t] {
			about = append(about, topicShelf[t].label)
		}
	}
	if len(about) > 2 {
		about = about[:2]
	}
	subject := strings.Join(about, " and ")
	if subject == "" && len(goalWords) > 0 {
		subject = "your goals"
	}
	if subject == "" {
		subject = needs.Kind
	}
	noun := "resources"
	tools := 0
	for _, r := range recs {
		if r.Article.Kind == KindTool {
			tools++
		}
	}
	if tools == len(recs) {
		noun = "tools"
	}
	if len(recs) == 1 {
		noun = strings.TrimSuffix(noun, "s")
	}
	return "Working on " + subject + ": " + countWord(len(recs)) + " " + noun
}

func countWord(n int) string {
	words := []string{"no", "one", "two", "three", "four", "five", "six"}
	if n < len(words) {
		return words[n]
	}
	return "several"
}

// stopWords are left out of goals: they say nothing about a topic.
var stopWords = map[string]bool{
	"about": true, "after": true, "being": true, "better": true, "build": true, "could": true, "every": true,
	"from": true, "have": true, "into": true, "make": true, "more": true, "much": true, "need": true, "other": true,
	"over": true, "some": true, "than": true, "that": true, "their": true, "them": true, "then": true, "there": true,
	"they": true, "this": true, "want": true, "what": true, "when": true, "where": true, "which": true, "with": true,
	"within": true, "would": true, "your": true, "able": true, "become": true, "improve": true, "work": true,
	"working": true, "weeks": true, "months": true, "week": true, "month": true, "year": true,
}

// wordsOf are the distinct telling words of goals, in order.
func wordsOf(goals []string) []string {
	var out []string
	for _, g := range goals {
		for _, w := range strings.Fields(Fold(g)) {
			if len(w) < 4 || stopWords[w] || slices.Contains(out, w) {
				continue
			}
			out = append(out, w)
		}
	}
	return out
}

// sameWord matches a word with a tag or title word sharing its stem
// roughly: one is the start of the other ("team" and "teamwork",
// "conversation" and "conversations"), both at least four letters.
func sameWord(a, b string) bool {
	if len(a) < 4 || len(b) < 4 {
		return a == b
	}
	return strings.HasPrefix(a, b) || strings.HasPrefix(b, a)
}
