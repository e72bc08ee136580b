package assessment

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Store holds all of the assessment SQL (questionnaires, assessments,
// support requests). A method runs in a tenant transaction of its own,
// or, on the store WithTx returns, in the caller's transaction; driver
// errors are mapped in one place (db.In), so "no row" is always
// db.ErrNotFound.
type Store struct {
	DB *db.DB
	tx bun.IDB
}

// WithTx returns the store working inside tx, which must be scoped to
// the organisation the methods are given.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, tx: tx} }

// in runs fn in the caller's transaction, or else in a transaction of
// the organisation.
func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	return db.In(ctx, s.DB, s.tx, orgID, fn)
}

// ErrNotAnswerable is returned for an answer that the question does not offer.
var ErrNotAnswerable = errors.New("assessment: not an answer of this question")

// ErrDecided is returned when an assessment was decided already or is not
// submitted yet.
var ErrDecided = fmt.Errorf("assessment: not waiting for a decision: %w", db.ErrConflict)

// Current returns the organisation's newest questionnaire, or the default.
func (s *Store) Current(ctx context.Context, orgID uuid.UUID) (Questionnaire, error) {
	var qs []Questionnaire
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&qs).Where("org_id = ?", orgID).OrderExpr("version DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return Questionnaire{}, fmt.Errorf("assessment: current questionnaire: %w", err)
	}
	if len(qs) == 0 {
		d := Default()
		d.OrgID = orgID
		return d, nil
	}
	return qs[0], nil
}

// SaveQuestionnaire records q as the organisation's next version.
func (s *Store) SaveQuestionnaire(ctx context.Context, orgID, by uuid.UUID, now time.Time, q Questionnaire) (int, error) {
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		cur, err := s.WithTx(tx).Current(ctx, orgID)
		if err != nil {
			return err
		}
		q.ID, q.OrgID, q.Version, q.CreatedBy, q.CreatedAt = uuid.Must(uuid.NewV7()), orgID, cur.Version+1, &by, now
		_, err = tx.NewInsert().Model(&q).Exec(ctx)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("assessment: save questionnaire: %w", err)
	}
	return q.Version, nil
}

// Latest returns a member's newest assessment, or db.ErrNotFound.
func (s *Store) Latest(ctx context.Context, orgID, memberID uuid.UUID) (*Assessment, error) {
	var out []Assessment
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&out).Where("org_id = ? AND member_id = ?", orgID, memberID).
			OrderExpr("created_at DESC, id DESC").Limit(1).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: latest of %s: %w", memberID, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("assessment: latest of %s: %w", memberID, db.ErrNotFound)
	}
	return &out[0], nil
}

// Get loads one assessment.
func (s *Store) Get(ctx context.Context, orgID, id uuid.UUID) (*Assessment, error) {
	a := new(Assessment)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: get %s: %w", id, err)
	}
	return a, nil
}

// Start returns the member's assessment in progress, beginning one (on the
// current questionnaire) when there is none.
func (s *Store) Start(ctx context.Context, orgID, memberID uuid.UUID, now time.Time) (*Assessment, error) {
	var a *Assessment
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var stored bool
		var err error
		if a, stored, err = s.WithTx(tx).draft(ctx, orgID, memberID, now); err != nil || stored {
			return err
		}
		_, err = tx.NewInsert().Model(a).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: start: %w", err)
	}
	return a, nil
}

// Draft returns the member's assessment in progress or, when there is
// none, the one Start would begin, without storing it (the page that
// shows the first question writes nothing; the first answer stores it).
func (s *Store) Draft(ctx context.Context, orgID, memberID uuid.UUID, now time.Time) (*Assessment, error) {
	a, _, err := s.draft(ctx, orgID, memberID, now)
	if err != nil {
		return nil, fmt.Errorf("assessment: draft: %w", err)
	}
	return a, nil
}

// draft is the assessment in progress (stored), or a new one on the
// current questionnaire (not stored).
func (s *Store) draft(ctx context.Context, orgID, memberID uuid.UUID, now time.Time) (a *Assessment, stored bool, err error) {
	err = s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var out []Assessment
		if err := tx.NewSelect().Model(&out).Where("org_id = ? AND member_id = ? AND status = ?", orgID, memberID, StatusInProgress).
			OrderExpr("created_at DESC").Limit(1).Scan(ctx); err != nil {
			return fmt.Errorf("find one in progress: %w", err)
		}
		if len(out) == 1 {
			a, stored = &out[0], true
			return nil
		}
		q, err := s.WithTx(tx).Current(ctx, orgID)
		if err != nil {
			return err
		}
		a = &Assessment{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, MemberID: memberID, QuestionnaireVersion: q.Version,
			Answers: Answers{}, Status: StatusInProgress, Explanation: Explanation{Totals: map[string]int{}},
			CreatedAt: now, UpdatedAt: now,
		}
		return nil
	})
	return a, stored, err
}

// QuestionnaireOf returns the questionnaire an assessment was started on
// (the default for version 1 when the organisation never saved one).
func (s *Store) QuestionnaireOf(ctx context.Context, a *Assessment) (Questionnaire, error) {
	var qs []Questionnaire
	err := s.in(ctx, a.OrgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&qs).Where("org_id = ? AND version = ?", a.OrgID, a.QuestionnaireVersion).Scan(ctx)
	})
	if err != nil {
		return Questionnaire{}, fmt.Errorf("assessment: questionnaire v%d: %w", a.QuestionnaireVersion, err)
	}
	if len(qs) == 1 {
		return qs[0], nil
	}
	if a.QuestionnaireVersion <= 1 {
		// Version 1 is the default, never stored: an assessment begun on
		// it keeps it after an admin saves version 2.
		d := Default()
		d.OrgID = a.OrgID
		return d, nil
	}
	return s.Current(ctx, a.OrgID)
}

// SaveAnswer records the member's answer to one question of their
// assessment in progress at once, so that nothing is lost on a reload.
func (s *Store) SaveAnswer(ctx context.Context, orgID, memberID uuid.UUID, now time.Time, questionID string, answerIDs []string) (*Assessment, error) {
	var a *Assessment
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		st := s.WithTx(tx)
		var err error
		if a, err = st.Start(ctx, orgID, memberID, now); err != nil {
			return err
		}
		q, err := st.QuestionnaireOf(ctx, a)
		if err != nil {
			return err
		}
		question, _, ok := q.Question(questionID)
		if !ok {
			return ErrNotAnswerable
		}
		var clean []string
		for _, id := range answerIDs {
			if _, ok := question.Answer(id); !ok {
				return ErrNotAnswerable
			}
			clean = append(clean, id)
		}
		if len(clean) > 1 && !question.Multiple {
			return ErrNotAnswerable
		}
		if a.Answers == nil {
			a.Answers = Answers{}
		}
		a.Answers[questionID] = clean
		if clean == nil {
			a.Answers[questionID] = []string{}
		}
		a.UpdatedAt = now
		_, err = tx.NewUpdate().Model(a).Column("answers", "updated_at").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: save answer: %w", err)
	}
	return a, nil
}

// Submit scores the member's assessment in progress and records the
// recommendation; it then waits for a coordinator.
func (s *Store) Submit(ctx context.Context, orgID, memberID uuid.UUID, now time.Time) (*Assessment, error) {
	var a *Assessment
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		st := s.WithTx(tx)
		var err error
		if a, err = st.Start(ctx, orgID, memberID, now); err != nil {
			return err
		}
		q, err := st.QuestionnaireOf(ctx, a)
		if err != nil {
			return err
		}
		rec, err := Score(q, a.Answers)
		if err != nil {
			return err
		}
		a.Status, a.RecKind, a.RecFormat, a.RecDuration, a.RunnerUp = StatusSubmitted, rec.Kind, rec.Format, rec.Duration, rec.RunnerUp
		a.Topics, a.Explanation, a.SubmittedAt, a.UpdatedAt = strings.Join(rec.Topics, ","), rec.Explanation, &now, now
		_, err = tx.NewUpdate().Model(a).WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: submit: %w", err)
	}
	return a, nil
}

// Decision is the coordinator's signposting.
type Decision struct {
	Kind, Format, Duration string
	Topics                 []string
	Languages              []string
	Reason                 string
}

func (d Decision) request(orgID, memberID, by uuid.UUID, assessmentID *uuid.UUID, now time.Time) *Request {
	langs := strings.Join(d.Languages, ",")
	if langs == "" {
		langs = "en"
	}
	return &Request{
		ID: uuid.Must(uuid.NewV7()), OrgID: orgID, MemberID: memberID, AssessmentID: assessmentID,
		Kind: d.Kind, Format: d.Format, Duration: d.Duration, Topics: strings.Join(d.Topics, ","), Languages: langs,
		Status: RequestOpen, DecidedBy: &by, Reason: d.Reason, CreatedAt: now, UpdatedAt: now,
	}
}

// OpenRequest opens a support request for a member without an
// assessment (matching opens one from a rematch request; replaces names
// the relationship it replaces).
func (s *Store) OpenRequest(ctx context.Context, orgID, memberID, by uuid.UUID, now time.Time, d Decision, replaces *uuid.UUID) (*Request, error) {
	r := d.request(orgID, memberID, by, nil, now)
	r.ReplacesRelationshipID = replaces
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(r).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: open request for %s: %w", memberID, err)
	}
	return r, nil
}

// Decide confirms a submitted assessment's recommendation (when d matches
// it) or overrides it (a reason is then required by the caller), and opens
// the support request that matching works from.
func (s *Store) Decide(ctx context.Context, orgID, assessmentID, by uuid.UUID, now time.Time, d Decision) (*Request, error) {
	var r *Request
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		a := new(Assessment)
		if err := tx.NewSelect().Model(a).Where("org_id = ? AND id = ?", orgID, assessmentID).Scan(ctx); err != nil {
			return err
		}
		if a.Status != StatusSubmitted {
			return ErrDecided
		}
		a.Status = StatusConfirmed
		if d.Kind != a.RecKind || d.Format != a.RecFormat || d.Duration != a.RecDuration {
			a.Status = StatusOverridden
		}
		a.DecidedBy, a.DecidedAt, a.DecisionReason, a.UpdatedAt = &by, &now, d.Reason, now
		if _, err := tx.NewUpdate().Model(a).Column("status", "decided_by", "decided_at", "decision_reason", "updated_at").WherePK().Exec(ctx); err != nil {
			return err
		}
		r = d.request(orgID, a.MemberID, by, &a.ID, now)
		_, err := tx.NewInsert().Model(r).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: decide %s: %w", assessmentID, err)
	}
	return r, nil
}

// RecordFaceToFace records the outcome of an assessment a coordinator held
// in person, and opens the support request at once.
func (s *Store) RecordFaceToFace(ctx context.Context, orgID, memberID, by uuid.UUID, now time.Time, d Decision) (*Request, error) {
	var r *Request
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		a := &Assessment{
			ID: uuid.Must(uuid.NewV7()), OrgID: orgID, MemberID: memberID, Answers: Answers{}, Status: StatusConfirmed,
			RecKind: d.Kind, RecFormat: d.Format, RecDuration: d.Duration, Topics: strings.Join(d.Topics, ","),
			Explanation: Explanation{Totals: map[string]int{}, Manual: true}, FaceToFace: true,
			RecordedBy: &by, DecidedBy: &by, DecisionReason: d.Reason, SubmittedAt: &now, DecidedAt: &now,
			CreatedAt: now, UpdatedAt: now,
		}
		if _, err := tx.NewInsert().Model(a).Exec(ctx); err != nil {
			return err
		}
		r = d.request(orgID, memberID, by, &a.ID, now)
		_, err := tx.NewInsert().Model(r).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: record face-to-face outcome: %w", err)
	}
	return r, nil
}

// AssessmentFilter narrows the list of assessments.
type AssessmentFilter struct {
	Status string
	Kind   string
}

// List lists an organisation's assessments, newest first.
func (s *Store) List(ctx context.Context, orgID uuid.UUID, f AssessmentFilter) ([]Assessment, error) {
	var out []Assessment
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if f.Status != "" {
			q = q.Where("status = ?", f.Status)
		}
		if f.Kind != "" {
			q = q.Where("rec_kind = ?", f.Kind)
		}
		return q.OrderExpr("created_at DESC").Limit(500).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: list: %w", err)
	}
	return out, nil
}

// Request loads one support request.
func (s *Store) Request(ctx context.Context, orgID, id uuid.UUID) (*Request, error) {
	return s.request(ctx, orgID, id, false)
}

// LockRequest loads a support request and locks it until the end of the
// caller's transaction (use it on the WithTx form).
func (s *Store) LockRequest(ctx context.Context, orgID, id uuid.UUID) (*Request, error) {
	return s.request(ctx, orgID, id, true)
}

func (s *Store) request(ctx context.Context, orgID, id uuid.UUID, lock bool) (*Request, error) {
	r := new(Request)
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id)
		if lock {
			q = db.ForUpdate(q)
		}
		return q.Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: request %s: %w", id, err)
	}
	return r, nil
}

// SetRequestStatus moves a support request on.
func (s *Store) SetRequestStatus(ctx context.Context, orgID, id uuid.UUID, status string, now time.Time) error {
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewUpdate().Model((*Request)(nil)).Set("status = ?", status).Set("updated_at = ?", now).
			Where("org_id = ? AND id = ?", orgID, id).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("assessment: request %s to %s: %w", id, status, err)
	}
	return nil
}

// Requests lists support requests, optionally of one status or member.
func (s *Store) Requests(ctx context.Context, orgID uuid.UUID, status string, memberID uuid.UUID) ([]Request, error) {
	var out []Request
	err := s.in(ctx, orgID, func(ctx context.Context, tx bun.IDB) error {
		q := tx.NewSelect().Model(&out).Where("org_id = ?", orgID)
		if status != "" {
			q = q.Where("status = ?", status)
		}
		if memberID != uuid.Nil {
			q = q.Where("member_id = ?", memberID)
		}
		return q.OrderExpr("created_at DESC").Limit(500).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("assessment: list requests: %w", err)
	}
	return out, nil
}
