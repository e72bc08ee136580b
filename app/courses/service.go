package courses

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Service holds the rules that span several of the package's tables or
// reach other domains: enrolling, progress, completion, certificates.
type Service struct {
	DB      *db.DB
	Store   *Store
	Clock   clock.Clock
	Mail    *mail.Service
	Tenancy *tenancy.Store
	Log     *slog.Logger
	BaseURL string
	// Mentors is told when a course that qualifies as mentor training is
	// completed, in the completing transaction, after this package has
	// recorded which course qualified the person (the practitioner
	// profiles stamp the profile matching reads; nil: nothing more).
	Mentors TrainedMentorRecorder
}

// EnrolFree enrols a person on a free published course at once.
func (s *Service) EnrolFree(ctx context.Context, orgID, courseID, userID uuid.UUID) (*Enrolment, error) {
	var e *Enrolment
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.Store.WithTx(tx).Course(ctx, orgID, courseID)
		if err != nil {
			return err
		}
		if !c.Published() {
			return db.ErrNotFound
		}
		if !c.Free() {
			return fmt.Errorf("courses: %s is not free: %w", c.ID, ErrNotEnrolled)
		}
		e, err = s.Store.WithTx(tx).Enrol(ctx, s.Clock.Now(), c, userID, SourceFree, EnrolActive)
		return err
	})
	return e, err
}

// GrantInput is an admin's enrolment of someone by hand.
type GrantInput struct {
	OrgID, CourseID, UserID uuid.UUID
	Actor                   *auth.User
	IP                      string
}

// Grant enrols a member without payment, recorded in the audit log.
func (s *Service) Grant(ctx context.Context, in GrantInput) error {
	now := s.Clock.Now()
	return s.DB.InTenant(ctx, in.OrgID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.Store.WithTx(tx).Course(ctx, in.OrgID, in.CourseID)
		if err != nil {
			return err
		}
		u, err := auth.UserByID(ctx, tx, in.UserID)
		if err != nil {
			return err
		}
		if _, err := s.Store.WithTx(tx).Enrol(ctx, now, c, in.UserID, SourceGrant, EnrolActive); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: in.OrgID, ActorID: &in.Actor.ID, Actor: in.Actor.Name + " <" + in.Actor.Email + ">",
			Action: ActionEnrolmentGranted, Target: u.Email, Detail: c.Title, IP: in.IP, At: now,
		})
	})
}

// Access loads the course outline and the person's enrolment, and
// refuses with ErrNotEnrolled when they may not study it.
func (s *Service) Access(ctx context.Context, orgID, courseID, userID uuid.UUID) (*Outline, *Enrolment, error) {
	o, err := s.Store.Outline(ctx, orgID, courseID)
	if err != nil {
		return nil, nil, err
	}
	e, err := s.Store.Enrolment(ctx, orgID, courseID, userID)
	if errors.Is(err, db.ErrNotFound) || (err == nil && !e.HasAccess()) {
		return o, e, ErrNotEnrolled
	}
	return o, e, err
}

// OpenLesson remembers the lesson as where to resume.
func (s *Service) OpenLesson(ctx context.Context, e *Enrolment, lessonID uuid.UUID) error {
	now := s.Clock.Now()
	if e.LastLessonID != nil && *e.LastLessonID == lessonID && e.LessonOpenedAt != nil && now.Sub(*e.LessonOpenedAt) < MaxLessonTime {
		// The same lesson again (a reload, back from another tab): its
		// study time still runs from the first opening, and nothing is
		// written, so the page can come from the page cache.
		return nil
	}
	return s.DB.InTenant(ctx, e.OrgID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*Enrolment)(nil)).Set("last_lesson_id = ?", lessonID).Set("lesson_opened_at = ?", now).
			Where("org_id = ? AND id = ?", e.OrgID, e.ID).Exec(ctx)
		return err
	})
}

// CompleteLesson marks a lesson done (once) and completes the course when
// it was the last step. It returns the progress after the change.
func (s *Service) CompleteLesson(ctx context.Context, o *Outline, e *Enrolment, lessonID uuid.UUID) (*Progress, error) {
	now := s.Clock.Now()
	var p *Progress
	err := s.DB.InTenant(ctx, e.OrgID, func(ctx context.Context, tx bun.Tx) error {
		lp := &LessonProgress{ID: uuid.Must(uuid.NewV7()), OrgID: e.OrgID, UserID: e.UserID, CourseID: o.Course.ID, LessonID: lessonID, CompletedAt: now,
			Seconds: studySeconds(e, lessonID, now)}
		if _, err := tx.NewInsert().Model(lp).On("CONFLICT (org_id, user_id, lesson_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("courses: complete lesson %s: %w", lessonID, err)
		}
		if err := markStarted(ctx, tx, now, e); err != nil {
			return err
		}
		var err error
		p, err = s.afterStep(ctx, tx, now, o, e)
		return err
	})
	return p, err
}

// studySeconds is the time since the person opened the lesson, when it
// is the lesson they opened last, capped at MaxLessonTime.
func studySeconds(e *Enrolment, lessonID uuid.UUID, now time.Time) int {
	if e.LastLessonID == nil || *e.LastLessonID != lessonID || e.LessonOpenedAt == nil {
		return 0
	}
	return int(min(max(now.Sub(*e.LessonOpenedAt), 0), MaxLessonTime) / time.Second)
}

func markStarted(ctx context.Context, tx bun.IDB, now time.Time, e *Enrolment) error {
	_, err := tx.NewUpdate().Model((*Enrolment)(nil)).Set("started_at = ?", now).
		Where("org_id = ? AND id = ? AND started_at IS NULL", e.OrgID, e.ID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("courses: mark enrolment %s started: %w", e.ID, err)
	}
	return nil
}

// Grade is a graded quiz: the score and, per question, whether the answer
// was right, for feedback.
type Grade struct {
	Attempt *QuizAttempt
	Quiz    *Quiz
	// Right maps question id to whether it was answered correctly.
	Right map[uuid.UUID]bool
	// Chosen maps question id to the chosen option.
	Chosen   map[uuid.UUID]uuid.UUID
	Percent  int
	Progress *Progress
}

// GradeQuiz scores answers (question id → option id), records the
// attempt, and completes the course when the pass was the last step.
func GradeQuiz(q *Quiz, answers map[uuid.UUID]uuid.UUID) (correct int, right map[uuid.UUID]bool) {
	right = map[uuid.UUID]bool{}
	for _, qu := range q.Questions {
		chosen, ok := answers[qu.ID]
		for _, op := range qu.Options {
			if ok && op.ID == chosen && op.Correct {
				right[qu.ID] = true
				correct++
			}
		}
	}
	return correct, right
}

// SubmitQuiz grades and records a quiz attempt.
func (s *Service) SubmitQuiz(ctx context.Context, o *Outline, e *Enrolment, q *Quiz, answers map[uuid.UUID]uuid.UUID) (*Grade, error) {
	now := s.Clock.Now()
	correct, right := GradeQuiz(q, answers)
	total := len(q.Questions)
	percent := 0
	if total > 0 {
		percent = correct * 100 / total
	}
	stored := map[string]uuid.UUID{}
	for k, v := range answers {
		stored[k.String()] = v
	}
	a := &QuizAttempt{
		ID: uuid.Must(uuid.NewV7()), OrgID: e.OrgID, UserID: e.UserID, CourseID: o.Course.ID, QuizID: q.ID,
		Correct: correct, Total: total, Passed: total > 0 && percent >= q.PassMark, Answers: stored, CreatedAt: now,
	}
	g := &Grade{Attempt: a, Quiz: q, Right: right, Chosen: answers, Percent: percent}
	err := s.DB.InTenant(ctx, e.OrgID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return fmt.Errorf("courses: record quiz attempt: %w", err)
		}
		if err := markStarted(ctx, tx, now, e); err != nil {
			return err
		}
		var err error
		g.Progress, err = s.afterStep(ctx, tx, now, o, e)
		return err
	})
	return g, err
}

// afterStep completes the course when every lesson is done and every quiz
// passed: the enrolment is marked completed, a certificate issued, a
// qualifying course makes the person a trained mentor, and staff are told
// (through the worker). All in the transaction of the last step, once.
func (s *Service) afterStep(ctx context.Context, tx bun.IDB, now time.Time, o *Outline, e *Enrolment) (*Progress, error) {
	p, err := s.Store.WithTx(tx).Progress(ctx, o, e.UserID, nil)
	if err != nil || !p.Complete() {
		return p, err
	}
	res, err := tx.NewUpdate().Model((*Enrolment)(nil)).
		Set("status = ?", EnrolCompleted).Set("completed_at = ?", now).Set("updated_at = ?", now).
		Where("org_id = ? AND id = ? AND status = ?", e.OrgID, e.ID, EnrolActive).Exec(ctx)
	if err != nil {
		return nil, fmt.Errorf("courses: complete enrolment %s: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return p, nil // completed before
	}
	u, err := auth.UserByID(ctx, tx, e.UserID)
	if err != nil {
		return nil, err
	}
	cert := &Certificate{
		ID: uuid.Must(uuid.NewV7()), OrgID: e.OrgID, UserID: e.UserID, CourseID: o.Course.ID,
		Code: newCertificateCode(), HolderName: u.Name, CourseTitle: o.Course.Title, IssuedAt: now,
	}
	if _, err := tx.NewInsert().Model(cert).On("CONFLICT (org_id, user_id, course_id) DO NOTHING").Exec(ctx); err != nil {
		return nil, fmt.Errorf("courses: issue certificate: %w", err)
	}
	if o.Course.QualifiesMentor {
		if err := s.Store.WithTx(tx).MarkTrainedMentor(ctx, e.OrgID, e.UserID, o.Course.ID, now); err != nil {
			return nil, err
		}
		if s.Mentors != nil {
			if err := s.Mentors.MarkTrainedMentor(ctx, tx, e.OrgID, e.UserID, now); err != nil {
				return nil, err
			}
		}
	}
	if err := outbox.Add(ctx, tx, now, workers.NewCourseCompletedTask(e.OrgID, e.ID)); err != nil {
		return nil, err
	}
	return p, nil
}

// HandleCourseCompleted tells the person and the organisation's staff
// (owners, admins, coordinators) that a course was completed. Each e-mail
// carries a dedupe key, so a task run twice sends each once.
func (s *Service) HandleCourseCompleted(ctx context.Context, p workers.CourseCompletedPayload) error {
	var e *Enrolment
	var c *Course
	var cert *Certificate
	var person *auth.User
	err := s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if e, err = s.Store.WithTx(tx).EnrolmentByID(ctx, p.OrgID, p.EnrolmentID); err != nil {
			return err
		}
		if c, err = s.Store.WithTx(tx).Course(ctx, p.OrgID, e.CourseID); err != nil {
			return err
		}
		if person, err = auth.UserByID(ctx, tx, e.UserID); err != nil {
			return err
		}
		cert = new(Certificate)
		return tx.NewSelect().Model(cert).Where("org_id = ? AND user_id = ? AND course_id = ?", p.OrgID, e.UserID, e.CourseID).Scan(ctx)
	})
	if errors.Is(err, db.ErrNotFound) {
		return fmt.Errorf("courses: completed enrolment %s is gone: %w", p.EnrolmentID, asynq.SkipRetry)
	}
	if err != nil {
		return err
	}
	org, err := s.Tenancy.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	people, err := s.Tenancy.People(ctx, p.OrgID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return err
	}
	data := map[string]any{
		"Name": person.Name, "Course": c.Title, "QualifiesMentor": c.QualifiesMentor, "Org": org.Name,
		"Link": s.BaseURL + "/certificates/" + cert.Code,
	}
	return s.DB.Tx(ctx, func(ctx context.Context, tx bun.Tx) error {
		if _, err := s.Mail.Queue(ctx, tx, mail.Message{
			OrgID: p.OrgID, To: person.Email, Template: "course_completed", Data: data,
			DedupeKey: "course-completed:" + e.ID.String() + ":" + person.Email,
		}); err != nil {
			return err
		}
		for _, staff := range people {
			if staff.UserID == person.ID || (staff.Role != tenancy.RoleOwner && staff.Role != tenancy.RoleAdmin && staff.Role != tenancy.RoleCoordinator) {
				continue
			}
			d := map[string]any{"Staff": staff.Name}
			for k, v := range data {
				d[k] = v
			}
			if _, err := s.Mail.Queue(ctx, tx, mail.Message{
				OrgID: p.OrgID, To: staff.Email, Template: "course_completed_staff", Data: d,
				DedupeKey: "course-completed:" + e.ID.String() + ":" + staff.Email,
			}); err != nil {
				return err
			}
		}
		return nil
	})
}
