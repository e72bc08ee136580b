package matching

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/topics"
	"github.com/leadershiptoolbox/toolbox/app/words"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Service runs matching: it reads requests through assessment, people
// through tenancy, and practitioners and relationships through
// relationships; it owns proposals and rematch requests.
type Service struct {
	DB      *db.DB
	Assess  *assessment.Store
	Rels    *relationships.Store
	Tenancy *tenancy.Store
	// Topics is the organisation's vocabulary: a request's and a
	// profile's topics are compared through it.
	Topics  *topics.Store
	Mail    *mail.Service
	Clock   clock.Clock
	Log     *slog.Logger
	BaseURL string
}

// store is matching's store on the service's database.
func (s *Service) store() *Store { return &Store{DB: s.DB} }

// Errors of matching, for the handlers.
var (
	ErrNotCandidate = errors.New("matching: that practitioner is not a candidate for this request")
	ErrNotOpen      = fmt.Errorf("matching: the request is not waiting for a proposal: %w", db.ErrConflict)
	ErrAnswered     = fmt.Errorf("matching: the proposal was answered or expired: %w", db.ErrConflict)
	ErrFull         = fmt.Errorf("matching: no free places: %w", db.ErrConflict)
	ErrNotYours     = errors.New("matching: not your proposal")
)

// people is what matching needs to know about an organisation's people,
// read before a transaction (SQLite allows one writer; reading through
// another store inside our transaction would wait on ourselves).
type people struct {
	org    *tenancy.Organisation
	byID   map[uuid.UUID]tenancy.Person
	member *tenancy.Person
	// memberZone is the member's own time zone, or the organisation's
	// when they chose none.
	memberZone string
}

func (s *Service) loadPeople(ctx context.Context, orgID, memberID uuid.UUID) (*people, error) {
	org, err := s.Tenancy.OrgByID(ctx, orgID)
	if err != nil {
		return nil, err
	}
	ps, err := s.Tenancy.People(ctx, orgID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return nil, err
	}
	p := &people{org: org, byID: map[uuid.UUID]tenancy.Person{}}
	for _, x := range ps {
		p.byID[x.UserID] = x
	}
	if m, ok := p.byID[memberID]; ok {
		p.member = &m
	} else {
		return nil, fmt.Errorf("matching: member %s: %w", memberID, db.ErrNotFound)
	}
	u, err := auth.UserByID(ctx, s.DB, memberID)
	if err != nil {
		return nil, err
	}
	p.memberZone = org.TimeZone
	if _, err := loadZone(u.TimeZone); err == nil {
		p.memberZone = u.TimeZone
	}
	return p, nil
}

// Ranking is the ranked candidates of a request.
type Ranking struct {
	Request  *assessment.Request
	Eligible []Ranked
	Excluded []Ranked
}

// Candidates ranks the practitioners for a request, with explanations.
func (s *Service) Candidates(ctx context.Context, orgID, requestID uuid.UUID) (*Ranking, error) {
	req, err := s.Assess.Request(ctx, orgID, requestID)
	if err != nil {
		return nil, err
	}
	pp, err := s.loadPeople(ctx, orgID, req.MemberID)
	if err != nil {
		return nil, err
	}
	var rk *Ranking
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		rk, err = s.rankTx(ctx, tx, req, pp)
		return err
	})
	return rk, err
}

func (s *Service) rankTx(ctx context.Context, tx bun.IDB, req *assessment.Request, pp *people) (*Ranking, error) {
	profiles, err := s.Rels.WithTx(tx).Profiles(ctx, req.OrgID)
	if err != nil {
		return nil, err
	}
	asked, err := s.store().WithTx(tx).Proposals(ctx, req.OrgID, req.ID)
	if err != nil {
		return nil, err
	}
	var vocab topics.Vocabulary
	if s.Topics != nil {
		if vocab, err = s.Topics.WithTx(tx).Vocabulary(ctx, req.OrgID); err != nil {
			return nil, err
		}
	}
	need := Need{
		MemberID: req.MemberID, Kind: relationships.PractitionerKind(relationships.Kind(req.Kind)),
		Topics: vocab.Canonical(relationships.SplitList(req.Topics)), TopicLabel: vocab.Label, Languages: relationships.SplitList(req.Languages),
		TimeZone: pp.memberZone, LineManagerID: pp.member.LineManagerID, Asked: map[uuid.UUID]string{},
		Avoid: map[uuid.UUID]string{},
	}
	for _, p := range asked {
		need.Asked[p.PractitionerID] = p.Status
	}
	if req.ReplacesRelationshipID != nil {
		ps, err := s.Rels.WithTx(tx).Participants(ctx, req.OrgID, *req.ReplacesRelationshipID)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if p.Side == relationships.SidePractitioner {
				need.Avoid[p.UserID] = "Is the member's current practitioner: they asked for a different match."
			}
		}
	}
	var cands []Candidate
	for _, p := range profiles {
		person, ok := pp.byID[p.UserID]
		if !ok {
			continue // no longer an active member
		}
		active, err := s.Rels.WithTx(tx).ActiveCount(ctx, req.OrgID, p.UserID)
		if err != nil {
			return nil, err
		}
		// A practitioner offers a kind when both their membership (set by
		// admins) and their profile say so.
		kinds := slices.DeleteFunc(p.KindList(), func(k string) bool { return !slices.Contains(tenancy.ParseKinds(person.Kinds), k) })
		// A trained mentor a coordinator approved offers mentoring: the
		// approval is the organisation's say-so, as an admin's role edit is.
		if p.MentorStatus == relationships.MentorApproved && slices.Contains(p.KindList(), "mentor") && !slices.Contains(kinds, "mentor") {
			kinds = append(kinds, "mentor")
		}
		zone := person.TimeZone
		if zone == "" {
			zone = pp.org.TimeZone
		}
		cands = append(cands, Candidate{
			UserID: p.UserID, Name: person.Name, Kinds: kinds, Topics: vocab.Canonical(p.TopicList()), Languages: p.LanguageList(),
			TimeZone: zone, Capacity: p.Capacity, Active: active, Accepting: p.Accepting, TrainedMentor: p.TrainedMentorAt != nil,
			ProvisionalMentor: p.MentorStatus == relationships.MentorProvisional,
		})
	}
	el, ex := Rank(need, cands, s.Clock.Now())
	return &Ranking{Request: req, Eligible: el, Excluded: ex}, nil
}

// Propose asks a practitioner (one of the eligible candidates) to take the
// request on. by is the coordinator, or the member choosing themselves.
func (s *Service) Propose(ctx context.Context, orgID, requestID, practitionerID, by uuid.UUID) (*Proposal, error) {
	req, err := s.Assess.Request(ctx, orgID, requestID)
	if err != nil {
		return nil, err
	}
	pp, err := s.loadPeople(ctx, orgID, req.MemberID)
	if err != nil {
		return nil, err
	}
	var p *Proposal
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		req, err := s.Assess.WithTx(tx).LockRequest(ctx, orgID, requestID)
		if err != nil {
			return err
		}
		if req.Status != assessment.RequestOpen {
			return ErrNotOpen
		}
		rk, err := s.rankTx(ctx, tx, req, pp)
		if err != nil {
			return err
		}
		for _, c := range rk.Eligible {
			if c.UserID == practitionerID {
				p, err = s.proposeTx(ctx, tx, req, c, &by, pp)
				return err
			}
		}
		return ErrNotCandidate
	})
	if err != nil {
		return nil, fmt.Errorf("matching: propose %s for %s: %w", practitionerID, requestID, err)
	}
	return p, nil
}

func (s *Service) proposeTx(ctx context.Context, tx bun.IDB, req *assessment.Request, c Ranked, by *uuid.UUID, pp *people) (*Proposal, error) {
	now := s.Clock.Now()
	st := s.store().WithTx(tx)
	n, err := st.CountProposals(ctx, req.OrgID, req.ID)
	if err != nil {
		return nil, err
	}
	days := pp.org.Settings.ProposalDays
	if days <= 0 {
		days = tenancy.DefaultSettings().ProposalDays
	}
	p := &Proposal{
		ID: uuid.Must(uuid.NewV7()), OrgID: req.OrgID, RequestID: req.ID, PractitionerID: c.UserID, Score: c.Score,
		Explanation: c.Reasons, Status: ProposalPending, Rank: n + 1, ProposedBy: by,
		ExpiresAt: now.Add(time.Duration(days) * 24 * time.Hour), CreatedAt: now,
	}
	if err := st.InsertProposal(ctx, p); err != nil {
		return nil, err
	}
	if err := s.Assess.WithTx(tx).SetRequestStatus(ctx, req.OrgID, req.ID, assessment.RequestProposed, now); err != nil {
		return nil, err
	}
	task := workers.NewProposalExpiryTask(req.OrgID, p.ID, p.ExpiresAt)
	if err := outbox.Add(ctx, tx, now, task); err != nil {
		return nil, err
	}
	practitioner := pp.byID[c.UserID]
	_, err = s.Mail.Queue(ctx, tx, mail.Message{
		OrgID: req.OrgID, To: practitioner.Email, Template: "proposal_to_accept", DedupeKey: "proposal:" + p.ID.String(),
		Data: map[string]any{
			"Name": practitioner.Name, "Member": pp.member.Name, "Kind": req.Kind, "Org": pp.org.Name,
			"Days": days, "Expires": p.ExpiresAt.Format("Mon 2 Jan 2006, 15:04 MST"),
			"Link": s.BaseURL + "/o/" + pp.org.Slug + "/proposals/" + p.ID.String(),
		},
	})
	return p, err
}

// Proposal loads one proposal.
func (s *Service) Proposal(ctx context.Context, orgID, id uuid.UUID) (*Proposal, error) {
	return s.store().Proposal(ctx, orgID, id)
}

// DefaultAgreement is the draft agreement of a new relationship of kind
// (see relationships.DraftAgreement).
func DefaultAgreement(kind relationships.Kind) *relationships.Agreement {
	return relationships.DraftAgreement(kind)
}

// Accept takes the proposal on: the relationship is created, active, with
// a draft agreement. The practitioner's capacity is checked under a lock
// on their profile, so that concurrent accepts never exceed it.
func (s *Service) Accept(ctx context.Context, orgID, proposalID, practitionerID uuid.UUID) (*relationships.Relationship, error) {
	p, err := s.Proposal(ctx, orgID, proposalID)
	if err != nil {
		return nil, err
	}
	if p.PractitionerID != practitionerID {
		return nil, ErrNotYours
	}
	req, err := s.Assess.Request(ctx, orgID, p.RequestID)
	if err != nil {
		return nil, err
	}
	pp, err := s.loadPeople(ctx, orgID, req.MemberID)
	if err != nil {
		return nil, err
	}
	var rel *relationships.Relationship
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		profile, err := s.Rels.WithTx(tx).LockProfile(ctx, orgID, practitionerID)
		if err != nil {
			return err
		}
		st := s.store().WithTx(tx)
		p, err := st.LockProposal(ctx, orgID, proposalID)
		if err != nil {
			return err
		}
		if p.Status != ProposalPending || !now.Before(p.ExpiresAt) {
			return ErrAnswered
		}
		active, err := s.Rels.WithTx(tx).ActiveCount(ctx, orgID, practitionerID)
		if err != nil {
			return err
		}
		if active >= profile.Capacity {
			return ErrFull
		}
		format := relationships.OneToOne
		if req.Format == string(relationships.Group) {
			format = relationships.Group
		}
		kind := relationships.Kind(req.Kind)
		rel, err = relationships.Create(ctx, tx, orgID, now, relationships.New{
			Kind: kind, Format: format, Status: relationships.StatusActive,
			Practitioners: []uuid.UUID{practitionerID}, Members: []uuid.UUID{req.MemberID}, Agreement: DefaultAgreement(kind),
		})
		if err != nil {
			return err
		}
		p.Status, p.AnsweredAt, p.RelationshipID = ProposalAccepted, &now, &rel.ID
		if err := st.AnswerProposal(ctx, p); err != nil {
			return err
		}
		if err := s.Assess.WithTx(tx).SetRequestStatus(ctx, orgID, req.ID, assessment.RequestMatched, now); err != nil {
			return err
		}
		practitioner := pp.byID[practitionerID]
		_, err = s.Mail.Queue(ctx, tx, mail.Message{
			OrgID: orgID, To: pp.member.Email, Template: "proposal_accepted", DedupeKey: "proposal-accepted:" + p.ID.String(),
			Data: map[string]any{
				"Name": pp.member.Name, "Practitioner": practitioner.Name, "Kind": req.Kind, "Org": pp.org.Name,
				"Link": s.BaseURL + "/o/" + pp.org.Slug + "/relationships/" + rel.ID.String(),
			},
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("matching: accept %s: %w", proposalID, err)
	}
	return rel, nil
}

// Decline turns the proposal down; the next candidate is asked.
func (s *Service) Decline(ctx context.Context, orgID, proposalID, practitionerID uuid.UUID, reason string) error {
	p, err := s.Proposal(ctx, orgID, proposalID)
	if err != nil {
		return err
	}
	if p.PractitionerID != practitionerID {
		return ErrNotYours
	}
	_, err = s.close(ctx, orgID, p, ProposalDeclined, reason, false)
	return err
}

// DeclineAndNext is Decline that also says what became of the request:
// true when the next candidate was asked, false when none was left and
// the coordinators were told to find someone.
func (s *Service) DeclineAndNext(ctx context.Context, orgID, proposalID, practitionerID uuid.UUID, reason string) (bool, error) {
	p, err := s.Proposal(ctx, orgID, proposalID)
	if err != nil {
		return false, err
	}
	if p.PractitionerID != practitionerID {
		return false, ErrNotYours
	}
	return s.close(ctx, orgID, p, ProposalDeclined, reason, false)
}

// close ends a pending proposal (declined or expired) and moves the
// request on to the next candidate, or back to the coordinators when none
// is left, who are told so by e-mail. It says whether a next candidate
// was asked.
func (s *Service) close(ctx context.Context, orgID uuid.UUID, p *Proposal, status, reason string, onlyIfDue bool) (bool, error) {
	req, err := s.Assess.Request(ctx, orgID, p.RequestID)
	if err != nil {
		return false, err
	}
	pp, err := s.loadPeople(ctx, orgID, req.MemberID)
	if err != nil {
		return false, err
	}
	asked := false
	err = s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		st := s.store().WithTx(tx)
		p, err := st.LockProposal(ctx, orgID, p.ID)
		if err != nil {
			return err
		}
		if p.Status != ProposalPending {
			if onlyIfDue {
				return nil // answered meanwhile, or a repeated task
			}
			return ErrAnswered
		}
		if onlyIfDue && now.Before(p.ExpiresAt) {
			return nil
		}
		if !onlyIfDue && !now.Before(p.ExpiresAt) {
			return ErrAnswered
		}
		p.Status, p.AnsweredAt, p.Reason = status, &now, reason
		if err := st.AnswerProposal(ctx, p); err != nil {
			return err
		}
		req, err := s.Assess.WithTx(tx).LockRequest(ctx, orgID, p.RequestID)
		if err != nil {
			return err
		}
		if req.Status != assessment.RequestProposed {
			return nil
		}
		if err := s.Assess.WithTx(tx).SetRequestStatus(ctx, orgID, req.ID, assessment.RequestOpen, now); err != nil {
			return err
		}
		req.Status = assessment.RequestOpen
		rk, err := s.rankTx(ctx, tx, req, pp)
		if err != nil {
			return err
		}
		if len(rk.Eligible) == 0 {
			// Back with the coordinators, who must hear of it: nobody
			// else is asked on the member's behalf.
			return s.tellNoneLeft(ctx, tx, pp, req, p, status)
		}
		asked = true
		_, err = s.proposeTx(ctx, tx, req, rk.Eligible[0], nil, pp)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("matching: %s proposal %s: %w", status, p.ID, err)
	}
	return asked, nil
}

// tellNoneLeft e-mails the organisation's staff that a request has no
// candidate left after its proposal was declined or expired.
func (s *Service) tellNoneLeft(ctx context.Context, tx bun.IDB, pp *people, req *assessment.Request, p *Proposal, status string) error {
	what := "declined"
	if status == ProposalExpired {
		what = "was not answered in time"
	}
	for _, person := range pp.byID {
		if !slices.Contains(tenancy.Staff, person.Role) || person.UserID == req.MemberID || person.Status != tenancy.StatusActive {
			continue
		}
		_, err := s.Mail.Queue(ctx, tx, mail.Message{
			OrgID: req.OrgID, To: person.Email, Template: "no_candidate_left", DedupeKey: "none-left:" + p.ID.String() + ":" + person.UserID.String(),
			Data: map[string]any{"Name": person.Name, "Member": pp.member.Name, "Org": pp.org.Name, "What": what,
				"Kind": words.Say(req.Kind), "Link": s.BaseURL + "/o/" + pp.org.Slug + "/requests/" + req.ID.String()},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// HandleProposalExpiry expires a proposal left unanswered past its time
// and asks the next candidate. It is idempotent: an answered proposal, or
// a second delivery, changes nothing.
func (s *Service) HandleProposalExpiry(ctx context.Context, pl workers.ProposalExpiryPayload) error {
	p, err := s.Proposal(ctx, pl.OrgID, pl.ProposalID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if p.Status != ProposalPending {
		return nil
	}
	_, err = s.close(ctx, pl.OrgID, p, ProposalExpired, "No answer in time.", true)
	return err
}

// ProposalsFor lists a practitioner's proposals waiting for an answer.
func (s *Service) ProposalsFor(ctx context.Context, orgID, practitionerID uuid.UUID) ([]Proposal, error) {
	return s.store().PendingProposalsFor(ctx, orgID, practitionerID)
}

// ProposalsOf lists a request's proposals, in order.
func (s *Service) ProposalsOf(ctx context.Context, orgID, requestID uuid.UUID) ([]Proposal, error) {
	return s.store().Proposals(ctx, orgID, requestID)
}

// Withdraw takes back a pending proposal: the practitioner is no longer
// asked, its expiry does nothing, and the request waits for the
// coordinator's next proposal (none is made on their behalf).
func (s *Service) Withdraw(ctx context.Context, orgID, proposalID, by uuid.UUID, reason string) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		st := s.store().WithTx(tx)
		p, err := st.LockProposal(ctx, orgID, proposalID)
		if err != nil {
			return err
		}
		if p.Status != ProposalPending {
			return ErrAnswered
		}
		req, err := s.Assess.WithTx(tx).LockRequest(ctx, orgID, p.RequestID)
		if err != nil {
			return err
		}
		p.Status, p.AnsweredAt, p.Reason = ProposalWithdrawn, &now, reason
		if err := st.AnswerProposal(ctx, p); err != nil {
			return err
		}
		if req.Status == assessment.RequestProposed {
			return s.Assess.WithTx(tx).SetRequestStatus(ctx, orgID, req.ID, assessment.RequestOpen, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("matching: withdraw %s: %w", proposalID, err)
	}
	return nil
}

// CloseRequest closes a support request that no longer needs a match
// (its member left, or staff settled it another way): a proposal still
// waiting is withdrawn with the note, so the practitioner is not asked
// any more. A request already matched or closed is ErrNotOpen.
func (s *Service) CloseRequest(ctx context.Context, orgID, requestID, by uuid.UUID, note string) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		now := s.Clock.Now()
		req, err := s.Assess.WithTx(tx).LockRequest(ctx, orgID, requestID)
		if err != nil {
			return err
		}
		if req.Status != assessment.RequestOpen && req.Status != assessment.RequestProposed {
			return ErrNotOpen
		}
		st := s.store().WithTx(tx)
		ps, err := st.Proposals(ctx, orgID, requestID)
		if err != nil {
			return err
		}
		for i := range ps {
			p := &ps[i]
			if p.Status != ProposalPending {
				continue
			}
			p.Status, p.AnsweredAt, p.Reason = ProposalWithdrawn, &now, note
			if err := st.AnswerProposal(ctx, p); err != nil {
				return err
			}
		}
		return s.Assess.WithTx(tx).SetRequestStatus(ctx, orgID, requestID, assessment.RequestClosed, now)
	})
	if err != nil {
		return fmt.Errorf("matching: close request %s by %s: %w", requestID, by, err)
	}
	return nil
}

// TopicLabels says a request's topics (comma-separated keys or text) in
// the words of the organisation's vocabulary.
func (s *Service) TopicLabels(ctx context.Context, orgID uuid.UUID, list string) (string, error) {
	var vocab topics.Vocabulary
	if s.Topics != nil {
		var err error
		if vocab, err = s.Topics.Vocabulary(ctx, orgID); err != nil {
			return "", err
		}
	}
	var out []string
	for _, t := range vocab.Canonical(relationships.SplitList(list)) {
		out = append(out, vocab.Label(t))
	}
	return strings.Join(out, ", "), nil
}
