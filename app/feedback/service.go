package feedback

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
	"github.com/hibiken/asynq"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Orgs finds an organisation (tenancy owns them).
type Orgs interface {
	OrgByID(ctx context.Context, id uuid.UUID) (*tenancy.Organisation, error)
}

// Rematcher opens a rematch request with the coordinators (matching owns
// the flow).
type Rematcher interface {
	OpenRematch(ctx context.Context, orgID, memberID, relationshipID uuid.UUID, reason string) error
}

// Service asks for feedback and records answers.
type Service struct {
	DB      *db.DB
	Store   *Store
	Orgs    Orgs
	Mail    *mail.Service
	Rematch Rematcher
	Clock   clock.Clock
	Log     *slog.Logger
	BaseURL string
	// Secret signs the e-mailed answer links.
	Secret []byte
}

// Errors a person can be shown.
var (
	ErrBadLink  = errors.New("feedback: the link is not valid")
	ErrInvalid  = errors.New("feedback: invalid answer")
	ErrAnswered = errors.New("feedback: already answered")
)

// Sign returns the signature of a request's answer link.
func (s *Service) Sign(orgID, id uuid.UUID) string {
	m := hmac.New(sha256.New, s.Secret)
	m.Write([]byte("feedback:" + orgID.String() + ":" + id.String()))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// Verify checks a link's signature.
func (s *Service) Verify(orgID, id uuid.UUID, sig string) bool {
	return len(s.Secret) > 0 && hmac.Equal([]byte(s.Sign(orgID, id)), []byte(sig))
}

// Link is the one-click link that opens the answer form of a request.
func (s *Service) Link(orgID, id uuid.UUID) string {
	return s.BaseURL + "/feedback/" + orgID.String() + "/" + id.String() + "/" + s.Sign(orgID, id)
}

// reasonNotAFit is what the coordinators read on the rematch request: the
// person's comment stays with their feedback.
const reasonNotAFit = "After a session, said the pairing is not a good fit."

// AskAfterSession asks each member of a completed session for feedback:
// a request each (once per person and session) and an e-mail with the
// link, recorded in tx, the transaction that completed the session.
func (s *Service) AskAfterSession(ctx context.Context, tx bun.IDB, orgID, sessionID, relationshipID uuid.UUID, members []uuid.UUID) error {
	now := s.Clock.Now()
	asks := make([]Feedback, 0, len(members))
	for _, m := range members {
		sid := sessionID
		asks = append(asks, Feedback{ID: uuid.Must(uuid.NewV7()), RelationshipID: relationshipID, SessionID: &sid, AuthorID: m, AskedAt: now})
	}
	asked, err := s.Store.WithTx(tx).Ask(ctx, orgID, asks)
	if err != nil || len(asked) == 0 {
		return err
	}
	org, err := s.Orgs.OrgByID(ctx, orgID)
	if err != nil {
		return err
	}
	for _, f := range asked {
		u, err := auth.UserByID(ctx, tx, f.AuthorID)
		if err != nil {
			return err
		}
		link := s.Link(orgID, f.ID)
		ratings := ratingLinks(link)
		_, err = s.Mail.Queue(ctx, tx, mail.Message{
			OrgID: orgID, To: u.Email, Template: "feedback_requested", DedupeKey: "feedback:" + f.ID.String(),
			Data: map[string]any{"Name": u.Name, "Org": org.Name, "Link": link, "Ratings": ratings},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Answer records a person's answer to their own request; "not a good fit"
// opens a rematch request with the coordinators.
func (s *Service) Answer(ctx context.Context, orgID, id, authorID uuid.UUID, a Answer) error {
	if problem := a.Problem(); problem != "" {
		return fmt.Errorf("%w: %s", ErrInvalid, problem)
	}
	f, err := s.Store.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if f.AuthorID != authorID {
		return fmt.Errorf("feedback: %s is not %s's to answer: %w", id, authorID, db.ErrNotFound)
	}
	saved, err := s.Store.SaveAnswer(ctx, orgID, id, a, s.Clock.Now())
	if err != nil {
		return err
	}
	if !saved {
		return ErrAnswered
	}
	member := true
	if f.CheckIn != "" {
		// Both sides are asked at check-ins: a practitioner's "not a good
		// fit" is for the coordinators to read, not a rematch request.
		if member, err = s.Store.isMember(ctx, orgID, f.RelationshipID, authorID); err != nil {
			return err
		}
	}
	if a.Fit == FitNotGood && member && s.Rematch != nil {
		if err := s.Rematch.OpenRematch(ctx, orgID, authorID, f.RelationshipID, reasonNotAFit); err != nil {
			return fmt.Errorf("feedback: open rematch: %w", err)
		}
	}
	return nil
}

// HandleAskFeedback asks the people who attended a completed session for
// feedback (the task attendance records). It is idempotent: a person is
// asked once per session, however often the task runs, and a session no
// longer completed asks nobody.
func (s *Service) HandleAskFeedback(ctx context.Context, p workers.AskFeedbackPayload) error {
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		done, err := s.Store.WithTx(tx).attended(ctx, p.OrgID, p.SessionID)
		if err != nil || done == nil || len(done.Attended) == 0 {
			return err
		}
		return s.AskAfterSession(ctx, tx, p.OrgID, p.SessionID, done.RelationshipID, done.Attended)
	})
}

// HandleCheckIn asks both sides of a relationship how it goes at a
// milestone (30 days, then every 60): once per person and milestone,
// never before the milestone, never once the relationship stopped being
// active or was started again, and never to someone who opted out of
// nudges.
func (s *Service) HandleCheckIn(ctx context.Context, p workers.CheckInPayload) error {
	started, err := time.Parse(time.RFC3339, p.Started)
	if err != nil {
		return fmt.Errorf("feedback: check-in start %q: %v: %w", p.Started, err, asynq.SkipRetry)
	}
	now := s.Clock.Now()
	if now.Before(started.AddDate(0, 0, p.Days)) {
		return nil
	}
	org, err := s.Orgs.OrgByID(ctx, p.OrgID)
	if err != nil {
		return err
	}
	return s.DB.InTenant(ctx, p.OrgID, func(ctx context.Context, tx bun.Tx) error {
		st := s.Store.WithTx(tx)
		people, err := st.checkInPeople(ctx, p.OrgID, p.RelationshipID, started)
		if err != nil {
			return err
		}
		name := strconv.Itoa(p.Days) + "d"
		for _, person := range people {
			f := &Feedback{ID: uuid.Must(uuid.NewV7()), OrgID: p.OrgID, RelationshipID: p.RelationshipID, AuthorID: person.UserID, CheckIn: name, AskedAt: now}
			fresh, err := st.askCheckIn(ctx, f)
			if err != nil {
				return err
			}
			if !fresh {
				continue
			}
			link := s.Link(p.OrgID, f.ID)
			_, err = s.Mail.Queue(ctx, tx, mail.Message{
				OrgID: p.OrgID, To: person.Email, Template: "check_in", DedupeKey: "check_in:" + f.ID.String(),
				Data: map[string]any{"Name": person.Name, "Org": org.Name, "Link": link, "Ratings": ratingLinks(link), "Days": p.Days,
					"Preferences": s.BaseURL + "/o/" + org.Slug + "/email-preferences"},
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func ratingLinks(link string) []string {
	out := make([]string, 5)
	for i := range out {
		out[i] = fmt.Sprintf("%s?rating=%d", link, i+1)
	}
	return out
}
