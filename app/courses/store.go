package courses

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
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

// Store holds the courses SQL: this file the courses and their contents,
// store_enrolments.go enrolments, progress and certificates. A method
// runs in a tenant transaction of its own, or, on the store WithTx
// returns, in the caller's transaction; driver errors are mapped in one
// place (db.In), so "no row" is always db.ErrNotFound.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx, which must be scoped to
// the organisation the methods are given.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

// in runs fn in the caller's transaction, or else in a transaction of
// the organisation.
func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, tx bun.IDB) error) error {
	return db.In(ctx, s.DB, s.tx, orgID, fn)
}

// Courses lists an organisation's courses, drafts too when withDrafts.
func (s *Store) Courses(ctx context.Context, orgID uuid.UUID, withDrafts bool) ([]Course, error) {
	var out []Course
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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

// Course loads one course.
func (s *Store) Course(ctx context.Context, orgID, id uuid.UUID) (*Course, error) {
	c := new(Course)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(c).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: course %s: %w", id, err)
	}
	return c, nil
}

// Outline loads a course with its modules, lessons and quizzes.
func (s *Store) Outline(ctx context.Context, orgID, id uuid.UUID) (*Outline, error) {
	var o *Outline
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		c, err := s.WithTx(tx).Course(ctx, orgID, id)
		if err != nil {
			return err
		}
		o, err = readOutline(ctx, tx, c)
		return err
	})
	return o, err
}

// readOutline reads the contents of course c in tx.
func readOutline(ctx context.Context, tx bun.IDB, c *Course) (*Outline, error) {
	orgID, id := c.OrgID, c.ID
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
	return s.in(ctx, c.OrgID, func(ctx context.Context, tx bun.IDB) error { return insertCourse(ctx, tx, c) })
}

func insertCourse(ctx context.Context, tx bun.IDB, c *Course) error {
	if c.ID == uuid.Nil {
		c.ID = uuid.Must(uuid.NewV7())
	}
	if _, err := tx.NewInsert().Model(c).Exec(ctx); err != nil {
		return fmt.Errorf("courses: create course: %w", err)
	}
	return nil
}

// UpdateCourse saves a course's own fields. Enrolments keep the price
// they were made at.
func (s *Store) UpdateCourse(ctx context.Context, c *Course) error {
	return s.in(ctx, c.OrgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := s.WithTx(tx).Course(ctx, orgID, courseID); err != nil {
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
		return fmt.Errorf("courses: add module: %w", err)
	}
	return nil
}

// module loads a module of a course.
func (s *Store) module(ctx context.Context, orgID, courseID, id uuid.UUID) (*Module, error) {
	m := new(Module)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(m).Where("org_id = ? AND course_id = ? AND id = ?", orgID, courseID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: module %s: %w", id, err)
	}
	return m, nil
}

// AddLesson appends a lesson to a module.
func (s *Store) AddLesson(ctx context.Context, l *Lesson) error {
	return s.in(ctx, l.OrgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := s.WithTx(tx).module(ctx, l.OrgID, l.CourseID, l.ModuleID); err != nil {
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
		return fmt.Errorf("courses: add lesson: %w", err)
	}
	return nil
}

// UpdateLesson saves a lesson's title and body.
func (s *Store) UpdateLesson(ctx context.Context, l *Lesson) error {
	return s.in(ctx, l.OrgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		if q, err = s.ensureQuiz(ctx, tx, orgID, courseID, moduleID, now); err != nil {
			return err
		}
		q.PassMark = passMark
		_, err = tx.NewUpdate().Model(q).Column("pass_mark").Where("org_id = ? AND id = ?", orgID, q.ID).Exec(ctx)
		return err
	})
	return q, err
}

// ensureQuiz returns the module's quiz, creating it, in tx.
func (s *Store) ensureQuiz(ctx context.Context, tx bun.IDB, orgID, courseID, moduleID uuid.UUID, now time.Time) (*Quiz, error) {
	if _, err := s.WithTx(tx).module(ctx, orgID, courseID, moduleID); err != nil {
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
		return nil, fmt.Errorf("courses: create quiz: %w", err)
	}
	return q, nil
}

// AddQuestion adds a question with its options to the module's quiz
// (creating the quiz); correct is the index of the right option.
func (s *Store) AddQuestion(ctx context.Context, orgID, courseID, moduleID uuid.UUID, prompt, explanation string, options []string, correct int, now time.Time) error {
	return s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		q, err := s.ensureQuiz(ctx, tx, orgID, courseID, moduleID, now)
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
	return s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
