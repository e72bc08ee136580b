package courses

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Errors the enrolment rules report.
var (
	// ErrAlreadyEnrolled refuses a second enrolment on the same course.
	ErrAlreadyEnrolled = errors.New("courses: already enrolled")
	// ErrNotEnrolled means the person has no access to the course.
	ErrNotEnrolled = errors.New("courses: not enrolled")
)

// Store holds the courses SQL. Methods take the organisation and run in
// db.InTenant; the package functions that take a bun.IDB run in the
// caller's transaction, which must be scoped to that organisation.
type Store struct {
	DB *db.DB
}

func (s *Store) tenant(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, tx bun.Tx) error) error {
	return s.DB.InTenant(ctx, orgID, fn)
}

// Courses lists an organisation's courses, drafts too when withDrafts.
func (s *Store) Courses(ctx context.Context, orgID uuid.UUID, withDrafts bool) ([]Course, error) {
	var out []Course
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if !withDrafts {
			q = q.Where("status = ?", StatusPublished)
		}
		return q.OrderExpr("lower(title), id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: list: %w", err)
	}
	return out, nil
}

// CountCourses counts an organisation's courses, drafts included.
func (s *Store) CountCourses(ctx context.Context, orgID uuid.UUID) (int, error) {
	var n int
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		var c int64
		c, err = tx.NewSelect().Model((*Course)(nil)).Where("org_id = ?", orgID).Count(ctx)
		n = int(c)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("courses: count: %w", err)
	}
	return n, nil
}

// CourseTx loads one course of the organisation in tx.
func CourseTx(ctx context.Context, tx bun.IDB, orgID, id uuid.UUID) (*Course, error) {
	c := new(Course)
	if err := tx.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("courses: course %s: %w", id, db.Classify(err))
	}
	return c, nil
}

// Course loads one course.
func (s *Store) Course(ctx context.Context, orgID, id uuid.UUID) (*Course, error) {
	var c *Course
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		c, err = CourseTx(ctx, tx, orgID, id)
		return err
	})
	return c, err
}

// Outline loads a course with its modules, lessons and quizzes.
func (s *Store) Outline(ctx context.Context, orgID, id uuid.UUID) (*Outline, error) {
	var o *Outline
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		o, err = outlineTx(ctx, tx, orgID, id)
		return err
	})
	return o, err
}

func outlineTx(ctx context.Context, tx bun.IDB, orgID, id uuid.UUID) (*Outline, error) {
	c, err := CourseTx(ctx, tx, orgID, id)
	if err != nil {
		return nil, err
	}
	o := &Outline{Course: c}
	if err := tx.NewSelect().Model(&o.Modules).Where("org_id = ? AND course_id = ?", orgID, id).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("courses: modules of %s: %w", id, err)
	}
	var lessons []Lesson
	if err := tx.NewSelect().Model(&lessons).Where("org_id = ? AND course_id = ?", orgID, id).OrderExpr("position, id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("courses: lessons of %s: %w", id, err)
	}
	var quizzes []Quiz
	if err := tx.NewSelect().Model(&quizzes).Where("org_id = ? AND course_id = ?", orgID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("courses: quizzes of %s: %w", id, err)
	}
	var questions []Question
	var options []Option
	if len(quizzes) > 0 {
		ids := make([]uuid.UUID, len(quizzes))
		for i, q := range quizzes {
			ids[i] = q.ID
		}
		if err := tx.NewSelect().Model(&questions).Where("org_id = ?", orgID).Where("quiz_id IN (?)", bun.In(ids)).OrderExpr("position, id").Scan(ctx); err != nil {
			return nil, fmt.Errorf("courses: questions of %s: %w", id, err)
		}
		if len(questions) > 0 {
			qids := make([]uuid.UUID, len(questions))
			for i, q := range questions {
				qids[i] = q.ID
			}
			if err := tx.NewSelect().Model(&options).Where("org_id = ?", orgID).Where("question_id IN (?)", bun.In(qids)).OrderExpr("position, id").Scan(ctx); err != nil {
				return nil, fmt.Errorf("courses: options of %s: %w", id, err)
			}
		}
	}
	for i := range questions {
		for _, op := range options {
			if op.QuestionID == questions[i].ID {
				questions[i].Options = append(questions[i].Options, op)
			}
		}
	}
	for i := range quizzes {
		for _, q := range questions {
			if q.QuizID == quizzes[i].ID {
				quizzes[i].Questions = append(quizzes[i].Questions, q)
			}
		}
	}
	for i := range o.Modules {
		m := &o.Modules[i]
		for _, l := range lessons {
			if l.ModuleID == m.ID {
				m.Lessons = append(m.Lessons, l)
			}
		}
		for j := range quizzes {
			if quizzes[j].ModuleID == m.ID {
				q := quizzes[j]
				m.Quiz = &q
			}
		}
	}
	return o, nil
}

// CreateCourse adds a course.
func (s *Store) CreateCourse(ctx context.Context, c *Course) error {
	return s.tenant(ctx, c.OrgID, func(ctx context.Context, tx bun.Tx) error { return insertCourse(ctx, tx, c) })
}

func insertCourse(ctx context.Context, tx bun.IDB, c *Course) error {
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("courses: create course: %w", db.Classify(err))
	}
	return nil
}

// UpdateCourse saves a course's own fields. Enrolments keep the price
// they were made at.
func (s *Store) UpdateCourse(ctx context.Context, c *Course) error {
	return s.tenant(ctx, c.OrgID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(c).
			Column("title", "summary", "price_minor", "currency", "qualifies_mentor", "enforce_order", "drip_days", "status", "updated_at").
			Where("org_id = ? AND id = ?", c.OrgID, c.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("courses: update course %s: %w", c.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
}

// AddModule appends a module to a course.
func (s *Store) AddModule(ctx context.Context, orgID, courseID uuid.UUID, title string, now time.Time) (*Module, error) {
	m := &Module{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, CourseID: courseID, Title: title, CreatedAt: now}
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := CourseTx(ctx, tx, orgID, courseID); err != nil {
			return err
		}
		return insertModule(ctx, tx, m)
	})
	return m, err
}

func insertModule(ctx context.Context, tx bun.IDB, m *Module) error {
	var max sql.NullInt64
	if err := tx.NewSelect().Model((*Module)(nil)).ColumnExpr("max(position)").Where("org_id = ? AND course_id = ?", m.OrgID, m.CourseID).Scan(ctx, &max); err != nil {
		return fmt.Errorf("courses: module position: %w", err)
	}
	m.Position = int(max.Int64) + 1
	if _, err := tx.NewInsert().Model(m).Exec(ctx); err != nil {
		return fmt.Errorf("courses: add module: %w", db.Classify(err))
	}
	return nil
}

// moduleTx loads a module of a course.
func moduleTx(ctx context.Context, tx bun.IDB, orgID, courseID, id uuid.UUID) (*Module, error) {
	m := new(Module)
	if err := tx.NewSelect().Model(m).Where("org_id = ? AND course_id = ? AND id = ?", orgID, courseID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("courses: module %s: %w", id, db.Classify(err))
	}
	return m, nil
}

// AddLesson appends a lesson to a module.
func (s *Store) AddLesson(ctx context.Context, l *Lesson) error {
	return s.tenant(ctx, l.OrgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := moduleTx(ctx, tx, l.OrgID, l.CourseID, l.ModuleID); err != nil {
			return err
		}
		return insertLesson(ctx, tx, l)
	})
}

func insertLesson(ctx context.Context, tx bun.IDB, l *Lesson) error {
	if l.ID == uuid.Nil {
		l.ID = uuid.Must(uuid.NewV7())
	}
	var max sql.NullInt64
	if err := tx.NewSelect().Model((*Lesson)(nil)).ColumnExpr("max(position)").Where("org_id = ? AND module_id = ?", l.OrgID, l.ModuleID).Scan(ctx, &max); err != nil {
		return fmt.Errorf("courses: lesson position: %w", err)
	}
	l.Position = int(max.Int64) + 1
	if _, err := tx.NewInsert().Model(l).Exec(ctx); err != nil {
		return fmt.Errorf("courses: add lesson: %w", db.Classify(err))
	}
	return nil
}

// UpdateLesson saves a lesson's title and body.
func (s *Store) UpdateLesson(ctx context.Context, l *Lesson) error {
	return s.tenant(ctx, l.OrgID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model(l).Column("title", "body", "updated_at").
			Where("org_id = ? AND course_id = ? AND id = ?", l.OrgID, l.CourseID, l.ID).Exec(ctx)
		if err != nil {
			return fmt.Errorf("courses: update lesson %s: %w", l.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
}

// SetPassMark creates the module's quiz if needed and sets its pass mark.
func (s *Store) SetPassMark(ctx context.Context, orgID, courseID, moduleID uuid.UUID, passMark int, now time.Time) (*Quiz, error) {
	var q *Quiz
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if q, err = ensureQuiz(ctx, tx, orgID, courseID, moduleID, now); err != nil {
			return err
		}
		q.PassMark = passMark
		_, err = tx.NewUpdate().Model(q).Column("pass_mark").Where("org_id = ? AND id = ?", orgID, q.ID).Exec(ctx)
		return err
	})
	return q, err
}

func ensureQuiz(ctx context.Context, tx bun.IDB, orgID, courseID, moduleID uuid.UUID, now time.Time) (*Quiz, error) {
	if _, err := moduleTx(ctx, tx, orgID, courseID, moduleID); err != nil {
		return nil, err
	}
	q := new(Quiz)
	err := tx.NewSelect().Model(q).Where("org_id = ? AND module_id = ?", orgID, moduleID).Scan(ctx)
	if err == nil {
		return q, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("courses: quiz of module %s: %w", moduleID, err)
	}
	q = &Quiz{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, CourseID: courseID, ModuleID: moduleID, PassMark: 70, CreatedAt: now}
	if _, err := tx.NewInsert().Model(q).Exec(ctx); err != nil {
		return nil, fmt.Errorf("courses: create quiz: %w", db.Classify(err))
	}
	return q, nil
}

// AddQuestion adds a question with its options to the module's quiz
// (creating the quiz); correct is the index of the right option.
func (s *Store) AddQuestion(ctx context.Context, orgID, courseID, moduleID uuid.UUID, prompt, explanation string, options []string, correct int, now time.Time) error {
	return s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		q, err := ensureQuiz(ctx, tx, orgID, courseID, moduleID, now)
		if err != nil {
			return err
		}
		return insertQuestion(ctx, tx, q, prompt, explanation, options, correct)
	})
}

func insertQuestion(ctx context.Context, tx bun.IDB, q *Quiz, prompt, explanation string, options []string, correct int) error {
	var max sql.NullInt64
	if err := tx.NewSelect().Model((*Question)(nil)).ColumnExpr("max(position)").Where("org_id = ? AND quiz_id = ?", q.OrgID, q.ID).Scan(ctx, &max); err != nil {
		return fmt.Errorf("courses: question position: %w", err)
	}
	qu := &Question{ID: uuid.Must(uuid.NewV7()), OrgID: q.OrgID, QuizID: q.ID, Position: int(max.Int64) + 1, Prompt: prompt, Explanation: explanation}
	if _, err := tx.NewInsert().Model(qu).Exec(ctx); err != nil {
		return fmt.Errorf("courses: add question: %w", err)
	}
	for i, label := range options {
		op := &Option{ID: uuid.Must(uuid.NewV7()), OrgID: q.OrgID, QuestionID: qu.ID, Position: i + 1, Label: label, Correct: i == correct}
		if _, err := tx.NewInsert().Model(op).Exec(ctx); err != nil {
			return fmt.Errorf("courses: add option: %w", err)
		}
	}
	return nil
}

// DeleteQuestion removes a question (and its options) from a quiz of the course.
func (s *Store) DeleteQuestion(ctx context.Context, orgID, courseID, questionID uuid.UUID) error {
	return s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewDelete().Model((*Question)(nil)).
			Where("org_id = ? AND id = ?", orgID, questionID).
			Where("quiz_id IN (?)", tx.NewSelect().Model((*Quiz)(nil)).Column("id").Where("org_id = ? AND course_id = ?", orgID, courseID)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("courses: delete question %s: %w", questionID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return db.ErrNotFound
		}
		return nil
	})
}

// EnrolmentTx loads a person's enrolment on a course in tx.
func EnrolmentTx(ctx context.Context, tx bun.IDB, orgID, courseID, userID uuid.UUID) (*Enrolment, error) {
	e := new(Enrolment)
	err := tx.NewSelect().Model(e).Where("org_id = ? AND course_id = ? AND user_id = ?", orgID, courseID, userID).Scan(ctx)
	if err != nil {
		return nil, fmt.Errorf("courses: enrolment of %s on %s: %w", userID, courseID, db.Classify(err))
	}
	return e, nil
}

// EnrolmentByIDTx loads an enrolment by id in tx.
func EnrolmentByIDTx(ctx context.Context, tx bun.IDB, orgID, id uuid.UUID) (*Enrolment, error) {
	e := new(Enrolment)
	if err := tx.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
		return nil, fmt.Errorf("courses: enrolment %s: %w", id, db.Classify(err))
	}
	return e, nil
}

// Enrolment loads a person's enrolment on a course; db.ErrNotFound when
// there is none.
func (s *Store) Enrolment(ctx context.Context, orgID, courseID, userID uuid.UUID) (*Enrolment, error) {
	var e *Enrolment
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		e, err = EnrolmentTx(ctx, tx, orgID, courseID, userID)
		return err
	})
	return e, err
}

// Enrolments lists a person's enrolments, by course id.
func (s *Store) Enrolments(ctx context.Context, orgID, userID uuid.UUID) (map[uuid.UUID]*Enrolment, error) {
	var list []Enrolment
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&list).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: enrolments of %s: %w", userID, err)
	}
	out := make(map[uuid.UUID]*Enrolment, len(list))
	for i := range list {
		out[list[i].CourseID] = &list[i]
	}
	return out, nil
}

// EnrolmentRow is an enrolment with the person's name, for admins.
type EnrolmentRow struct {
	Enrolment
	Name  string `bun:"name"`
	Email string `bun:"email"`
}

// CourseEnrolments lists the enrolments on a course with names.
func (s *Store) CourseEnrolments(ctx context.Context, orgID, courseID uuid.UUID) ([]EnrolmentRow, error) {
	var out []EnrolmentRow
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().TableExpr("enrolments AS e").
			Join("JOIN users AS u ON u.id = e.user_id").
			ColumnExpr("e.*, u.name, u.email").
			Where("e.org_id = ? AND e.course_id = ?", orgID, courseID).
			OrderExpr("lower(u.name), e.id").Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: enrolments on %s: %w", courseID, err)
	}
	return out, nil
}

// Enrol records an enrolment in tx: a new one, or a revoked one made
// again. An enrolment that is pending, active or completed refuses with
// ErrAlreadyEnrolled, except that a pending one is returned as it is when
// the new one would be pending too (a second try at the same checkout).
func Enrol(ctx context.Context, tx bun.IDB, now time.Time, c *Course, userID uuid.UUID, source, status string) (*Enrolment, error) {
	e, err := EnrolmentTx(ctx, tx, c.OrgID, c.ID, userID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		e = &Enrolment{ID: uuid.Must(uuid.NewV7()), OrgID: c.OrgID, CourseID: c.ID, UserID: userID, CreatedAt: now}
	case err != nil:
		return nil, err
	case e.Status == EnrolPending && status == EnrolPending:
		return e, nil
	case e.Status == EnrolPending && source != SourcePurchase:
		// A seat or a grant replaces a checkout that was never paid.
	case e.Status != EnrolRevoked:
		return e, ErrAlreadyEnrolled
	}
	e.Source, e.Status, e.UpdatedAt, e.RevokedAt = source, status, now, nil
	e.PriceMinor, e.Currency = 0, c.Currency
	if source == SourcePurchase {
		e.PriceMinor = c.PriceMinor
	}
	if status == EnrolActive {
		e.ActivatedAt = &now
	}
	if _, err := tx.NewInsert().Model(e).
		On("CONFLICT (id) DO UPDATE").
		Set("source = EXCLUDED.source, status = EXCLUDED.status, price_minor = EXCLUDED.price_minor, currency = EXCLUDED.currency").
		Set("activated_at = EXCLUDED.activated_at, revoked_at = NULL, updated_at = EXCLUDED.updated_at").
		Exec(ctx); err != nil {
		if db.IsConflict(err) {
			return nil, ErrAlreadyEnrolled
		}
		return nil, fmt.Errorf("courses: enrol %s on %s: %w", userID, c.ID, err)
	}
	return e, nil
}

// Activate opens a pending enrolment (the payment went through). It
// reports whether it changed anything: a second call does nothing.
func Activate(ctx context.Context, tx bun.IDB, now time.Time, orgID, enrolmentID uuid.UUID) (bool, error) {
	res, err := tx.NewUpdate().Model((*Enrolment)(nil)).
		Set("status = ?", EnrolActive).Set("activated_at = ?", now).Set("updated_at = ?", now).
		Where("org_id = ? AND id = ? AND status = ?", orgID, enrolmentID, EnrolPending).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("courses: activate enrolment %s: %w", enrolmentID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DropPending deletes an enrolment that is still pending (the checkout
// expired or failed). It reports whether it did.
func DropPending(ctx context.Context, tx bun.IDB, orgID, enrolmentID uuid.UUID) (bool, error) {
	res, err := tx.NewDelete().Model((*Enrolment)(nil)).
		Where("org_id = ? AND id = ? AND status = ?", orgID, enrolmentID, EnrolPending).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("courses: drop pending enrolment %s: %w", enrolmentID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Revoke closes an enrolment (a refund); the person's progress stays.
func Revoke(ctx context.Context, tx bun.IDB, now time.Time, orgID, enrolmentID uuid.UUID) (bool, error) {
	res, err := tx.NewUpdate().Model((*Enrolment)(nil)).
		Set("status = ?", EnrolRevoked).Set("revoked_at = ?", now).Set("updated_at = ?", now).
		Where("org_id = ? AND id = ? AND status <> ?", orgID, enrolmentID, EnrolRevoked).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("courses: revoke enrolment %s: %w", enrolmentID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteUnstarted removes an enrolment the person has not started (a seat
// taken back). It refuses with db.ErrConflict once they have started.
func DeleteUnstarted(ctx context.Context, tx bun.IDB, orgID, enrolmentID uuid.UUID) error {
	e, err := EnrolmentByIDTx(ctx, tx, orgID, enrolmentID)
	if err != nil {
		return err
	}
	if e.Started() || e.Status == EnrolCompleted {
		return db.ErrConflict
	}
	if _, err := tx.NewDelete().Model(e).Where("org_id = ? AND id = ?", orgID, e.ID).Exec(ctx); err != nil {
		return fmt.Errorf("courses: delete enrolment %s: %w", enrolmentID, err)
	}
	return nil
}

// progressTx computes a person's progress through an outline.
func progressTx(ctx context.Context, tx bun.IDB, o *Outline, userID uuid.UUID, last *uuid.UUID) (*Progress, error) {
	orgID := o.Course.OrgID
	var done []uuid.UUID
	if err := tx.NewSelect().Model((*LessonProgress)(nil)).Column("lesson_id").
		Where("org_id = ? AND user_id = ? AND course_id = ?", orgID, userID, o.Course.ID).Scan(ctx, &done); err != nil {
		return nil, fmt.Errorf("courses: progress: %w", err)
	}
	var passed []uuid.UUID
	if err := tx.NewSelect().Model((*QuizAttempt)(nil)).Column("quiz_id").
		Where("org_id = ? AND user_id = ? AND course_id = ? AND passed", orgID, userID, o.Course.ID).Scan(ctx, &passed); err != nil {
		return nil, fmt.Errorf("courses: quiz progress: %w", err)
	}
	p := &Progress{Done: map[uuid.UUID]bool{}, Passed: map[uuid.UUID]bool{}}
	for _, id := range done {
		p.Done[id] = true
	}
	for _, id := range passed {
		p.Passed[id] = true
	}
	for _, m := range o.Modules {
		moduleDone := true
		for i := range m.Lessons {
			l := m.Lessons[i]
			p.LessonsTotal++
			if p.Done[l.ID] {
				p.LessonsDone++
			} else {
				moduleDone = false
				if p.Next == nil {
					p.Next = &l
				}
			}
			if last != nil && *last == l.ID && !p.Done[l.ID] {
				p.Next = &l
			}
		}
		if q := m.Quiz; q != nil && len(q.Questions) > 0 {
			p.QuizzesTotal++
			if p.Passed[q.ID] {
				p.QuizzesPassed++
			} else if moduleDone && p.NextQuiz == nil {
				p.NextQuiz = q
			}
		}
	}
	return p, nil
}

// Progress returns a person's progress through a course.
func (s *Store) Progress(ctx context.Context, o *Outline, userID uuid.UUID, last *uuid.UUID) (*Progress, error) {
	var p *Progress
	err := s.tenant(ctx, o.Course.OrgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		p, err = progressTx(ctx, tx, o, userID, last)
		return err
	})
	return p, err
}

// LastAttempt returns the person's latest attempt at a quiz, or nil.
func (s *Store) LastAttempt(ctx context.Context, orgID, userID, quizID uuid.UUID) (*QuizAttempt, error) {
	var out []QuizAttempt
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND user_id = ? AND quiz_id = ?", orgID, userID, quizID).
			OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return &out[0], nil
}

// newCertificateCode returns 128 random bits, base32 without padding.
func newCertificateCode() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// CertificateFor returns a person's certificate for a course, or nil.
func (s *Store) CertificateFor(ctx context.Context, orgID, userID, courseID uuid.UUID) (*Certificate, error) {
	var out []Certificate
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND user_id = ? AND course_id = ?", orgID, userID, courseID).Scan(ctx)
	})
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return &out[0], nil
}

// Certificate loads a certificate of the organisation by its code.
func (s *Store) Certificate(ctx context.Context, orgID uuid.UUID, code string) (*Certificate, error) {
	c := new(Certificate)
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(c).Where("org_id = ? AND code = ?", orgID, code).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: certificate: %w", db.Classify(err))
	}
	return c, nil
}

// VerifyCertificate finds a certificate by its code alone, for the public
// verification page. On Postgres the organisation is found through a
// narrow SECURITY DEFINER function and the row is then read in that
// tenant.
func (s *Store) VerifyCertificate(ctx context.Context, code string) (*Certificate, error) {
	if len(code) < 20 || len(code) > 40 {
		return nil, db.ErrNotFound
	}
	var orgID uuid.UUID
	if s.DB.Engine == db.Postgres {
		var org *uuid.UUID
		if err := s.DB.NewRaw("SELECT certificate_org_by_code(?)", code).Scan(ctx, &org); err != nil {
			return nil, fmt.Errorf("courses: verify certificate: %w", db.Classify(err))
		}
		if org == nil {
			return nil, db.ErrNotFound
		}
		orgID = *org
	} else {
		if err := s.DB.NewSelect().Model((*Certificate)(nil)).Column("org_id").Where("code = ?", code).Scan(ctx, &orgID); err != nil {
			return nil, fmt.Errorf("courses: verify certificate: %w", db.Classify(err))
		}
	}
	return s.Certificate(ctx, orgID, code)
}

// MarkTrainedMentor records that a person qualified as a mentor, once: the
// first qualification stands. It implements TrainedMentorRecorder; the
// course that qualified them travels in ctx (WithQualifyingCourse).
func (s *Store) MarkTrainedMentor(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, at time.Time) error {
	tm := &TrainedMentor{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, UserID: userID, QualifiedAt: at}
	if id, ok := ctx.Value(qualifyingCourseKey).(uuid.UUID); ok {
		tm.CourseID = &id
	}
	if _, err := tx.NewInsert().Model(tm).On("CONFLICT (org_id, user_id) DO NOTHING").Exec(ctx); err != nil {
		return fmt.Errorf("courses: mark %s a trained mentor: %w", userID, err)
	}
	return nil
}

type ctxKey int

const qualifyingCourseKey ctxKey = iota

// WithQualifyingCourse tells MarkTrainedMentor which course qualified the
// person.
func WithQualifyingCourse(ctx context.Context, courseID uuid.UUID) context.Context {
	return context.WithValue(ctx, qualifyingCourseKey, courseID)
}

// IsTrainedMentor reports whether a person has qualified as a mentor in
// the organisation (matching reads it).
func (s *Store) IsTrainedMentor(ctx context.Context, orgID, userID uuid.UUID) (bool, error) {
	var n int
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		var c int64
		c, err = tx.NewSelect().Model((*TrainedMentor)(nil)).Where("org_id = ? AND user_id = ?", orgID, userID).Count(ctx)
		n = int(c)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("courses: trained mentor %s: %w", userID, err)
	}
	return n > 0, nil
}

// TrainedMentors lists everyone who qualified as a mentor, oldest first.
func (s *Store) TrainedMentors(ctx context.Context, orgID uuid.UUID) ([]TrainedMentor, error) {
	var out []TrainedMentor
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("qualified_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: trained mentors: %w", err)
	}
	return out, nil
}

// Learning is one of a person's courses with how far they are through it.
type Learning struct {
	Course    Course
	Enrolment Enrolment
	Progress  *Progress
}

// Percent is the share of the course's steps done, 0 to 100.
func (l Learning) Percent() int {
	if l.Progress == nil || l.Progress.Steps() == 0 {
		return 0
	}
	return l.Progress.StepsDone() * 100 / l.Progress.Steps()
}

// Learning lists the courses a person is enrolled on (waiting for their
// payment, studying or completed; not closed ones), oldest enrolment
// first, each with their progress. Other domains show it on the person's
// own pages through this function.
func (s *Store) Learning(ctx context.Context, orgID, userID uuid.UUID) ([]Learning, error) {
	var out []Learning
	err := s.tenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var es []Enrolment
		if err := tx.NewSelect().Model(&es).
			Where("org_id = ? AND user_id = ? AND status IN (?)", orgID, userID, bun.In([]string{EnrolPending, EnrolActive, EnrolCompleted})).
			OrderExpr("created_at, id").Scan(ctx); err != nil {
			return err
		}
		for _, e := range es {
			o, err := outlineTx(ctx, tx, orgID, e.CourseID)
			if err != nil {
				return err
			}
			p, err := progressTx(ctx, tx, o, userID, e.LastLessonID)
			if err != nil {
				return err
			}
			out = append(out, Learning{Course: *o.Course, Enrolment: e, Progress: p})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("courses: learning of %s: %w", userID, err)
	}
	return out, nil
}

// CompletedSteps loads a person's completed lessons and quiz attempts in
// a course, for the record on the certificate.
func (s *Store) CompletedSteps(ctx context.Context, orgID, userID, courseID uuid.UUID) ([]LessonProgress, []QuizAttempt, error) {
	var lessons []LessonProgress
	var attempts []QuizAttempt
	err := s.DB.ReadTenant(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		if err := q.NewSelect().Model(&lessons).Where("org_id = ? AND user_id = ? AND course_id = ?", orgID, userID, courseID).Scan(ctx); err != nil {
			return err
		}
		return q.NewSelect().Model(&attempts).Where("org_id = ? AND user_id = ? AND course_id = ?", orgID, userID, courseID).Scan(ctx)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("courses: steps of %s in %s: %w", userID, courseID, err)
	}
	return lessons, attempts, nil
}
