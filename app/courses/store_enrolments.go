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

// EnrolmentByID loads an enrolment by id.
func (s *Store) EnrolmentByID(ctx context.Context, orgID, id uuid.UUID) (*Enrolment, error) {
	e := new(Enrolment)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: enrolment %s: %w", id, err)
	}
	return e, nil
}

// Enrolment loads a person's enrolment on a course; db.ErrNotFound when
// there is none.
func (s *Store) Enrolment(ctx context.Context, orgID, courseID, userID uuid.UUID) (*Enrolment, error) {
	e := new(Enrolment)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(e).Where("org_id = ? AND course_id = ? AND user_id = ?", orgID, courseID, userID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: enrolment of %s on %s: %w", userID, courseID, err)
	}
	return e, nil
}

// Enrolments lists a person's enrolments, by course id.
func (s *Store) Enrolments(ctx context.Context, orgID, userID uuid.UUID) (map[uuid.UUID]*Enrolment, error) {
	var list []Enrolment
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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

// Enrol records an enrolment: a new one, or a revoked one made
// again. An enrolment that is pending, active or completed refuses with
// ErrAlreadyEnrolled, except that a pending one is returned as it is when
// the new one would be pending too (a second try at the same checkout).
func (s *Store) Enrol(ctx context.Context, now time.Time, c *Course, userID uuid.UUID, source, status string) (*Enrolment, error) {
	var e *Enrolment
	err := s.in(ctx, c.OrgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		e, err = s.WithTx(tx).enrol(ctx, tx, now, c, userID, source, status)
		return err
	})
	return e, err
}

func (s *Store) enrol(ctx context.Context, tx bun.IDB, now time.Time, c *Course, userID uuid.UUID, source, status string) (*Enrolment, error) {
	e, err := s.Enrolment(ctx, c.OrgID, c.ID, userID)
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
func (s *Store) Activate(ctx context.Context, now time.Time, orgID, enrolmentID uuid.UUID) (bool, error) {
	var res sql.Result
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		res, err = tx.NewUpdate().Model((*Enrolment)(nil)).
			Set("status = ?", EnrolActive).Set("activated_at = ?", now).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ? AND status = ?", orgID, enrolmentID, EnrolPending).Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("courses: activate enrolment %s: %w", enrolmentID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// OpenPurchased opens the place a paid checkout was for, the pending
// enrolment enrolmentID, and returns the enrolment that is open for it
// now. When that place was dropped meanwhile (the checkout expired first)
// the person paid, so a place is opened again; when they had cancelled
// this checkout and started another, the newer pending place opens. Any
// other enrolment is left as it is, and enrolmentID returned.
func (s *Store) OpenPurchased(ctx context.Context, now time.Time, c *Course, userID, enrolmentID uuid.UUID) (uuid.UUID, error) {
	open := enrolmentID
	err := s.in(ctx, c.OrgID, func(ctx context.Context, tx bun.IDB) error {
		st := s.WithTx(tx)
		activated, err := st.Activate(ctx, now, c.OrgID, enrolmentID)
		if err != nil || activated {
			return err
		}
		if _, err := st.EnrolmentByID(ctx, c.OrgID, enrolmentID); !errors.Is(err, db.ErrNotFound) {
			return err
		}
		e, err := st.enrol(ctx, tx, now, c, userID, SourcePurchase, EnrolActive)
		if err == nil {
			open = e.ID
			return nil
		}
		if !errors.Is(err, ErrAlreadyEnrolled) {
			return err
		}
		cur, err := st.Enrolment(ctx, c.OrgID, c.ID, userID)
		if err != nil || cur.Status != EnrolPending {
			return err
		}
		if _, err := st.Activate(ctx, now, c.OrgID, cur.ID); err != nil {
			return err
		}
		open = cur.ID
		return nil
	})
	return open, err
}

// DropPending deletes an enrolment that is still pending (the checkout
// expired or failed). It reports whether it did.
func (s *Store) DropPending(ctx context.Context, orgID, enrolmentID uuid.UUID) (bool, error) {
	var res sql.Result
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		res, err = tx.NewDelete().Model((*Enrolment)(nil)).
			Where("org_id = ? AND id = ? AND status = ?", orgID, enrolmentID, EnrolPending).Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("courses: drop pending enrolment %s: %w", enrolmentID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Revoke closes an enrolment (a refund); the person's progress stays.
func (s *Store) Revoke(ctx context.Context, now time.Time, orgID, enrolmentID uuid.UUID) (bool, error) {
	var res sql.Result
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var err error
		res, err = tx.NewUpdate().Model((*Enrolment)(nil)).
			Set("status = ?", EnrolRevoked).Set("revoked_at = ?", now).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ? AND status <> ?", orgID, enrolmentID, EnrolRevoked).Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("courses: revoke enrolment %s: %w", enrolmentID, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// DeleteUnstarted removes an enrolment the person has not started (a seat
// taken back). It refuses with db.ErrConflict once they have started.
func (s *Store) DeleteUnstarted(ctx context.Context, orgID, enrolmentID uuid.UUID) error {
	return s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		e, err := s.WithTx(tx).EnrolmentByID(ctx, orgID, enrolmentID)
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
	})
}

// Progress returns a person's progress through a course.
func (s *Store) Progress(ctx context.Context, o *Outline, userID uuid.UUID, last *uuid.UUID) (*Progress, error) {
	orgID := o.Course.OrgID
	var done, passed []uuid.UUID
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if err := tx.NewSelect().Model((*LessonProgress)(nil)).Column("lesson_id").
			Where("org_id = ? AND user_id = ? AND course_id = ?", orgID, userID, o.Course.ID).Scan(ctx, &done); err != nil {
			return err
		}
		return tx.NewSelect().Model((*QuizAttempt)(nil)).Column("quiz_id").
			Where("org_id = ? AND user_id = ? AND course_id = ? AND passed", orgID, userID, o.Course.ID).Scan(ctx, &passed)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: progress: %w", err)
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

// LastAttempt returns the person's latest attempt at a quiz, or nil.
func (s *Store) LastAttempt(ctx context.Context, orgID, userID, quizID uuid.UUID) (*QuizAttempt, error) {
	var out []QuizAttempt
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(c).Where("org_id = ? AND code = ?", orgID, code).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("courses: certificate: %w", err)
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
			return nil, db.Wrap(err, "courses", "verify certificate")
		}
		if org == nil {
			return nil, db.ErrNotFound
		}
		orgID = *org
	} else {
		if err := s.DB.NewSelect().Model((*Certificate)(nil)).Column("org_id").Where("code = ?", code).Scan(ctx, &orgID); err != nil {
			return nil, db.Wrap(err, "courses", "verify certificate")
		}
	}
	return s.Certificate(ctx, orgID, code)
}

// MarkTrainedMentor records that a person qualified as a mentor by a
// course, once: the first qualification stands.
func (s *Store) MarkTrainedMentor(ctx context.Context, orgID, userID, courseID uuid.UUID, at time.Time) error {
	tm := &TrainedMentor{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, UserID: userID, CourseID: &courseID, QualifiedAt: at}
	return s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		if _, err := tx.NewInsert().Model(tm).On("CONFLICT (org_id, user_id) DO NOTHING").Exec(ctx); err != nil {
			return fmt.Errorf("courses: mark %s a trained mentor: %w", userID, err)
		}
		return nil
	})
}

// IsTrainedMentor reports whether a person has qualified as a mentor in
// the organisation (matching reads it).
func (s *Store) IsTrainedMentor(ctx context.Context, orgID, userID uuid.UUID) (bool, error) {
	var n int
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
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
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var es []Enrolment
		if err := tx.NewSelect().Model(&es).
			Where("org_id = ? AND user_id = ? AND status IN (?)", orgID, userID, bun.In([]string{EnrolPending, EnrolActive, EnrolCompleted})).
			OrderExpr("created_at, id").Scan(ctx); err != nil {
			return err
		}
		for _, e := range es {
			st := s.WithTx(tx)
			o, err := st.Outline(ctx, orgID, e.CourseID)
			if err != nil {
				return err
			}
			p, err := st.Progress(ctx, o, userID, e.LastLessonID)
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
