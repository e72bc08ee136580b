// Package assessment owns the needs assessment and the signposting that
// follows it: questionnaires (versioned, editable by admins), a member's
// assessment with its answers saved as they go, the scored recommendation
// that explains itself, and the support request a coordinator confirms or
// overrides with a reason.
package assessment

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Dimension keys an answer can weigh on.
const (
	KeyMentoring   = "mentoring"
	KeyCoaching    = "coaching"
	KeySupervision = "supervision"
	KeyOneToOne    = "one_to_one"
	KeyGroup       = "group"
	KeyShortTerm   = "short_term"
	KeyOngoing     = "ongoing"
	// KeyCoachingApproach is a need of its own: support to apply a
	// coaching approach to one's leadership. It is not a kind of support:
	// the organisation chooses where it signposts (a coach or a course).
	KeyCoachingApproach = "coaching_approach"
)

// The three dimensions of a recommendation, each in its tie-break order:
// when two options score the same, the one listed first wins, so that the
// result never depends on map order. Mentoring leads the kinds because it
// asks least of a newcomer; one-to-one and short term are the lighter
// commitments.
var (
	KindKeys     = []string{KeyMentoring, KeyCoaching, KeySupervision}
	FormatKeys   = []string{KeyOneToOne, KeyGroup}
	DurationKeys = []string{KeyShortTerm, KeyOngoing}
	// AllKeys are every key in form order.
	AllKeys = []string{KeyMentoring, KeyCoaching, KeySupervision, KeyOneToOne, KeyGroup, KeyShortTerm, KeyOngoing, KeyCoachingApproach}
)

// KeyLabels are the words shown for each key.
var KeyLabels = map[string]string{
	KeyMentoring: "Mentoring", KeyCoaching: "Coaching", KeySupervision: "Supervision",
	KeyOneToOne: "One to one", KeyGroup: "Group", KeyShortTerm: "Short term", KeyOngoing: "Ongoing",
	KeyCoachingApproach: "A coaching approach to leadership",
}

// MaxWeight bounds a weight either way.
const MaxWeight = 10

// Answer is one choice of a question with its weights.
type Answer struct {
	ID      string         `json:"id"`
	Label   string         `json:"label"`
	Weights map[string]int `json:"weights,omitempty"`
	// Topic, when set, is recorded as one of the member's topics.
	Topic string `json:"topic,omitempty"`
}

// Question is one step of the questionnaire.
type Question struct {
	ID   string `json:"id"`
	Text string `json:"text"`
	Hint string `json:"hint,omitempty"`
	// Multiple allows several answers (topics); Optional allows none.
	Multiple bool     `json:"multiple,omitempty"`
	Optional bool     `json:"optional,omitempty"`
	Answers  []Answer `json:"answers"`
}

// Answer finds an answer of the question.
func (q *Question) Answer(id string) (*Answer, bool) {
	for i := range q.Answers {
		if q.Answers[i].ID == id {
			return &q.Answers[i], true
		}
	}
	return nil, false
}

// Questionnaire is one version of an organisation's questions.
type Questionnaire struct {
	bun.BaseModel `bun:"table:questionnaires"`

	ID        uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID  `bun:"org_id,type:uuid"`
	Version   int        `bun:"version"`
	Questions []Question `bun:"questions"`
	CreatedBy *uuid.UUID `bun:"created_by,type:uuid"`
	CreatedAt time.Time  `bun:"created_at"`
}

// Question finds a question by id.
func (q *Questionnaire) Question(id string) (*Question, int, bool) {
	for i := range q.Questions {
		if q.Questions[i].ID == id {
			return &q.Questions[i], i, true
		}
	}
	return nil, -1, false
}

// Answers are a member's choices: question id -> answer ids.
type Answers map[string][]string

// Assessment statuses.
const (
	StatusInProgress = "in_progress"
	StatusSubmitted  = "submitted"
	StatusConfirmed  = "confirmed"
	StatusOverridden = "overridden"
)

// Assessment is one member's needs assessment.
type Assessment struct {
	bun.BaseModel `bun:"table:assessments"`

	ID                   uuid.UUID   `bun:"id,pk,type:uuid"`
	OrgID                uuid.UUID   `bun:"org_id,type:uuid"`
	MemberID             uuid.UUID   `bun:"member_id,type:uuid"`
	QuestionnaireVersion int         `bun:"questionnaire_version"`
	Answers              Answers     `bun:"answers"`
	Status               string      `bun:"status"`
	RecKind              string      `bun:"rec_kind"`
	RecFormat            string      `bun:"rec_format"`
	RecDuration          string      `bun:"rec_duration"`
	RunnerUp             string      `bun:"runner_up"`
	Topics               string      `bun:"topics"`
	Explanation          Explanation `bun:"explanation"`
	FaceToFace           bool        `bun:"face_to_face"`
	RecordedBy           *uuid.UUID  `bun:"recorded_by,type:uuid"`
	DecidedBy            *uuid.UUID  `bun:"decided_by,type:uuid"`
	DecisionReason       string      `bun:"decision_reason"`
	SubmittedAt          *time.Time  `bun:"submitted_at"`
	DecidedAt            *time.Time  `bun:"decided_at"`
	CreatedAt            time.Time   `bun:"created_at"`
	UpdatedAt            time.Time   `bun:"updated_at"`
}

// Request statuses: the signposted request moves through matching.
const (
	RequestOpen     = "open"
	RequestProposed = "proposed"
	RequestMatched  = "matched"
	RequestClosed   = "closed"
)

// Request is a signposted request for support: what the coordinator
// decided the member should be matched to.
type Request struct {
	bun.BaseModel `bun:"table:support_requests"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID        uuid.UUID  `bun:"org_id,type:uuid"`
	MemberID     uuid.UUID  `bun:"member_id,type:uuid"`
	AssessmentID *uuid.UUID `bun:"assessment_id,type:uuid"`
	Kind         string     `bun:"kind"`
	Format       string     `bun:"format"`
	Duration     string     `bun:"duration"`
	Topics       string     `bun:"topics"`
	Languages    string     `bun:"languages"`
	Status       string     `bun:"status"`
	DecidedBy    *uuid.UUID `bun:"decided_by,type:uuid"`
	Reason       string     `bun:"reason"`
	// ReplacesRelationshipID is set on a request opened from a rematch:
	// matching leaves out that relationship's practitioners.
	ReplacesRelationshipID *uuid.UUID `bun:"replaces_relationship_id,type:uuid"`
	CreatedAt              time.Time  `bun:"created_at"`
	UpdatedAt              time.Time  `bun:"updated_at"`
}
