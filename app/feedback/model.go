// Package feedback asks the members of a completed session how it went:
// a rating out of 5, an optional comment and whether the pairing is a
// good fit. "Not a good fit" opens a rematch request with the
// coordinators (app/matching's flow). Answers are private: coordinators
// read individual answers only where the organisation allows it, and
// practitioners see aggregates over at least MinAnswers answers. Each
// answer keeps its date and relationship (for an accreditation log).
package feedback

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// MinAnswers is the fewest answers an aggregate shown to a practitioner
// (or, where individual answers are kept from them, a coordinator) is
// made of.
const MinAnswers = 5

// Fit answers.
const (
	FitGood    = "good"
	FitNotGood = "not_good"
)

// Feedback is one person's request for feedback on one session, and
// their answer once given.
type Feedback struct {
	bun.BaseModel `bun:"table:feedback"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	RelationshipID uuid.UUID  `bun:"relationship_id,type:uuid"`
	SessionID      *uuid.UUID `bun:"session_id,type:uuid"`
	AuthorID       uuid.UUID  `bun:"author_id,type:uuid"`
	// CheckIn names a check-in at a milestone of the relationship (30d,
	// 90d …); "" for feedback on a session.
	CheckIn    string     `bun:"check_in"`
	Rating     int        `bun:"rating"`
	Fit        string     `bun:"fit"`
	Comment    string     `bun:"comment"`
	AskedAt    time.Time  `bun:"asked_at"`
	AnsweredAt *time.Time `bun:"answered_at"`
}

// Answered reports whether the person answered.
func (f *Feedback) Answered() bool { return f.AnsweredAt != nil }

// Answer is what a person gives.
type Answer struct {
	Rating  int
	Fit     string
	Comment string
}

// Problem says what is wrong with an answer, or "".
func (a Answer) Problem() string {
	switch {
	case a.Rating < 1 || a.Rating > 5:
		return "Choose a rating from 1 to 5."
	case a.Fit != FitGood && a.Fit != FitNotGood:
		return "Say whether the pairing is a good fit."
	case len(a.Comment) > 2000:
		return "Keep the comment under 2,000 characters."
	}
	return ""
}

// Summary is an aggregate of answers: shown only when Answers reaches
// MinAnswers (Shown).
type Summary struct {
	Answers        int
	AverageRating  float64
	GoodFitPercent int
}

// Shown reports whether the summary is over enough answers to show.
func (s Summary) Shown() bool { return s.Answers >= MinAnswers }
