// Package courses owns mentor training: the catalogue of an
// organisation's courses with their modules, lessons and quizzes;
// enrolments; progress through lessons and quizzes; certificates; and the
// record of who completed a course that qualifies them as a trained mentor.
//
// Paying for a course is the billing package's business: it asks this
// package, through the functions that take a bun.IDB, to record a pending
// enrolment, to open it when Stripe says the payment went through, and to
// revoke it after a refund.
package courses

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/uptrace/bun"
)

// Course statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Enrolment sources.
const (
	SourceFree     = "free"
	SourcePurchase = "purchase"
	SourceSeat     = "seat"
	SourceGrant    = "grant"
)

// Enrolment statuses.
const (
	EnrolPending   = "pending"
	EnrolActive    = "active"
	EnrolRevoked   = "revoked"
	EnrolCompleted = "completed"
)

// Audit actions recorded by this package.
const (
	ActionEnrolmentGranted = "courses.enrolment_granted"
	ActionCourseCreated    = "courses.course_created"
	ActionCourseUpdated    = "courses.course_updated"
)

// Currencies a price may be set in; all have two decimal places.
var Currencies = []string{"gbp", "eur", "usd"}

// Course is one training course of an organisation.
type Course struct {
	bun.BaseModel `bun:"table:courses"`

	ID              uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID           uuid.UUID `bun:"org_id,type:uuid"`
	Title           string    `bun:"title"`
	Summary         string    `bun:"summary"`
	PriceMinor      int64     `bun:"price_minor"`
	Currency        string    `bun:"currency"`
	QualifiesMentor bool      `bun:"qualifies_mentor"`
	// EnforceOrder opens each lesson only after the ones before it (and
	// each module after the previous module's quiz).
	EnforceOrder bool `bun:"enforce_order"`
	// DripDays > 0 releases module n (from 0) n*DripDays days after a
	// place is activated.
	DripDays  int       `bun:"drip_days"`
	Status    string    `bun:"status"`
	SeedKey   *string   `bun:"seed_key"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Free reports whether the course costs nothing.
func (c *Course) Free() bool { return c.PriceMinor <= 0 }

// Published reports whether members can see the course.
func (c *Course) Published() bool { return c.Status == StatusPublished }

// Price shows the price for people, "Free" when it is.
func (c *Course) Price() string {
	if c.Free() {
		return "Free"
	}
	return FormatMoney(c.PriceMinor, c.Currency)
}

// FormatMoney shows an amount in minor units, such as £12.50.
func FormatMoney(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	amount := fmt.Sprintf("%d.%02d", minor/100, minor%100)
	switch strings.ToLower(currency) {
	case "gbp":
		return sign + "£" + amount
	case "eur":
		return sign + "€" + amount
	case "usd":
		return sign + "$" + amount
	}
	return sign + amount + " " + strings.ToUpper(currency)
}

// Module groups lessons and at most one quiz.
type Module struct {
	bun.BaseModel `bun:"table:course_modules"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	CourseID  uuid.UUID `bun:"course_id,type:uuid"`
	Position  int       `bun:"position"`
	Title     string    `bun:"title"`
	CreatedAt time.Time `bun:"created_at"`

	Lessons []Lesson `bun:"-"`
	Quiz    *Quiz    `bun:"-"`
}

// Lesson is Markdown text in a module.
type Lesson struct {
	bun.BaseModel `bun:"table:course_lessons"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	CourseID  uuid.UUID `bun:"course_id,type:uuid"`
	ModuleID  uuid.UUID `bun:"module_id,type:uuid"`
	Position  int       `bun:"position"`
	Title     string    `bun:"title"`
	Body      string    `bun:"body"`
	CreatedAt time.Time `bun:"created_at"`
	UpdatedAt time.Time `bun:"updated_at"`
}

// Quiz closes a module: multiple-choice questions and a pass mark.
type Quiz struct {
	bun.BaseModel `bun:"table:course_quizzes"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	CourseID  uuid.UUID `bun:"course_id,type:uuid"`
	ModuleID  uuid.UUID `bun:"module_id,type:uuid"`
	PassMark  int       `bun:"pass_mark"`
	CreatedAt time.Time `bun:"created_at"`

	Questions []Question `bun:"-"`
}

// Question is one multiple-choice question.
type Question struct {
	bun.BaseModel `bun:"table:quiz_questions"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID `bun:"org_id,type:uuid"`
	QuizID      uuid.UUID `bun:"quiz_id,type:uuid"`
	Position    int       `bun:"position"`
	Prompt      string    `bun:"prompt"`
	Explanation string    `bun:"explanation"`

	Options []Option `bun:"-"`
}

// Option is one answer to a question.
type Option struct {
	bun.BaseModel `bun:"table:quiz_options"`

	ID         uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID      uuid.UUID `bun:"org_id,type:uuid"`
	QuestionID uuid.UUID `bun:"question_id,type:uuid"`
	Position   int       `bun:"position"`
	Label      string    `bun:"label"`
	Correct    bool      `bun:"correct"`
}

// Enrolment is a person's place on a course.
type Enrolment struct {
	bun.BaseModel `bun:"table:enrolments"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID        uuid.UUID  `bun:"org_id,type:uuid"`
	CourseID     uuid.UUID  `bun:"course_id,type:uuid"`
	UserID       uuid.UUID  `bun:"user_id,type:uuid"`
	Source       string     `bun:"source"`
	Status       string     `bun:"status"`
	PriceMinor   int64      `bun:"price_minor"`
	Currency     string     `bun:"currency"`
	LastLessonID *uuid.UUID `bun:"last_lesson_id,type:uuid"`
	// LessonOpenedAt is when LastLessonID was last opened: completing
	// that lesson records the time since as time spent on it.
	LessonOpenedAt *time.Time `bun:"lesson_opened_at"`
	ActivatedAt    *time.Time `bun:"activated_at"`
	StartedAt      *time.Time `bun:"started_at"`
	CompletedAt    *time.Time `bun:"completed_at"`
	RevokedAt      *time.Time `bun:"revoked_at"`
	CreatedAt      time.Time  `bun:"created_at"`
	UpdatedAt      time.Time  `bun:"updated_at"`
}

// HasAccess reports whether the person may study the course.
func (e *Enrolment) HasAccess() bool {
	return e != nil && (e.Status == EnrolActive || e.Status == EnrolCompleted)
}

// Started reports whether the person has begun working through the course.
func (e *Enrolment) Started() bool { return e != nil && e.StartedAt != nil }

// LessonProgress records a lesson a person completed.
type LessonProgress struct {
	bun.BaseModel `bun:"table:lesson_progress"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID `bun:"org_id,type:uuid"`
	UserID      uuid.UUID `bun:"user_id,type:uuid"`
	CourseID    uuid.UUID `bun:"course_id,type:uuid"`
	LessonID    uuid.UUID `bun:"lesson_id,type:uuid"`
	CompletedAt time.Time `bun:"completed_at"`
	// Seconds is the time from opening the lesson to completing it,
	// capped at MaxLessonTime; 0 when it was completed without opening.
	Seconds int `bun:"seconds"`
}

// MaxLessonTime caps the time recorded for one lesson: a page left open
// overnight is not study time.
const MaxLessonTime = 2 * time.Hour

// QuizAttempt is one submitted quiz.
type QuizAttempt struct {
	bun.BaseModel `bun:"table:quiz_attempts"`

	ID        uuid.UUID            `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID            `bun:"org_id,type:uuid"`
	UserID    uuid.UUID            `bun:"user_id,type:uuid"`
	CourseID  uuid.UUID            `bun:"course_id,type:uuid"`
	QuizID    uuid.UUID            `bun:"quiz_id,type:uuid"`
	Correct   int                  `bun:"correct"`
	Total     int                  `bun:"total"`
	Passed    bool                 `bun:"passed"`
	Answers   map[string]uuid.UUID `bun:"answers,type:json"`
	CreatedAt time.Time            `bun:"created_at"`
}

// Certificate says that a person completed a course.
type Certificate struct {
	bun.BaseModel `bun:"table:certificates"`

	ID          uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID `bun:"org_id,type:uuid"`
	UserID      uuid.UUID `bun:"user_id,type:uuid"`
	CourseID    uuid.UUID `bun:"course_id,type:uuid"`
	Code        string    `bun:"code"`
	HolderName  string    `bun:"holder_name"`
	CourseTitle string    `bun:"course_title"`
	IssuedAt    time.Time `bun:"issued_at"`
}

// TrainedMentor records that a person qualified as a mentor.
type TrainedMentor struct {
	bun.BaseModel `bun:"table:trained_mentors"`

	ID          uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID       uuid.UUID  `bun:"org_id,type:uuid"`
	UserID      uuid.UUID  `bun:"user_id,type:uuid"`
	CourseID    *uuid.UUID `bun:"course_id,type:uuid"`
	QualifiedAt time.Time  `bun:"qualified_at"`
}

// TrainedMentorRecorder is told, in the transaction that completes a
// course qualifying as mentor training, that a person is now a trained
// mentor (relationships.Store stamps the practitioner profile).
type TrainedMentorRecorder interface {
	MarkTrainedMentor(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, at time.Time) error
}

// Outline is a course with its modules, each with lessons and quiz.
type Outline struct {
	Course  *Course
	Modules []Module
}

// Lessons lists every lesson in order.
func (o *Outline) Lessons() []Lesson {
	var out []Lesson
	for _, m := range o.Modules {
		out = append(out, m.Lessons...)
	}
	return out
}

// Quizzes lists every quiz in order.
func (o *Outline) Quizzes() []*Quiz {
	var out []*Quiz
	for i := range o.Modules {
		if q := o.Modules[i].Quiz; q != nil && len(q.Questions) > 0 {
			out = append(out, q)
		}
	}
	return out
}

// Lesson finds a lesson of the course and its module, or db.ErrNotFound.
func (o *Outline) Lesson(id uuid.UUID) (*Lesson, *Module, error) {
	for i := range o.Modules {
		for j := range o.Modules[i].Lessons {
			if o.Modules[i].Lessons[j].ID == id {
				return &o.Modules[i].Lessons[j], &o.Modules[i], nil
			}
		}
	}
	return nil, nil, fmt.Errorf("courses: lesson %s: %w", id, db.ErrNotFound)
}

// Quiz finds a quiz of the course and its module, or db.ErrNotFound.
func (o *Outline) Quiz(id uuid.UUID) (*Quiz, *Module, error) {
	for i := range o.Modules {
		if q := o.Modules[i].Quiz; q != nil && q.ID == id {
			return q, &o.Modules[i], nil
		}
	}
	return nil, nil, fmt.Errorf("courses: quiz %s: %w", id, db.ErrNotFound)
}

// Module finds a module of the course.
func (o *Outline) Module(id uuid.UUID) *Module {
	for i := range o.Modules {
		if o.Modules[i].ID == id {
			return &o.Modules[i]
		}
	}
	return nil
}

// Progress is how far a person is through a course.
type Progress struct {
	Done          map[uuid.UUID]bool // lessons completed
	Passed        map[uuid.UUID]bool // quizzes passed
	LessonsDone   int
	LessonsTotal  int
	QuizzesPassed int
	QuizzesTotal  int
	// Next is where to resume: the last lesson opened if not yet done,
	// else the first lesson not done.
	Next *Lesson
	// NextQuiz is the first quiz not passed whose module's lessons are done.
	NextQuiz *Quiz
}

// Steps is the number of things to do, for the progress bar.
func (p *Progress) Steps() int { return p.LessonsTotal + p.QuizzesTotal }

// StepsDone is the number of things done.
func (p *Progress) StepsDone() int { return p.LessonsDone + p.QuizzesPassed }

// Complete reports whether every lesson is done and every quiz passed.
func (p *Progress) Complete() bool {
	return p.Steps() > 0 && p.StepsDone() == p.Steps()
}

// Paid shows what the person paid for the place, or "" when nothing.
func (e *Enrolment) Paid() string {
	if e.PriceMinor <= 0 {
		return ""
	}
	return FormatMoney(e.PriceMinor, e.Currency)
}
