package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Sides of a relationship, as the relationships package names them.
const (
	SidePractitioner = "practitioner"
	SideMember       = "member"
)

// Relationships tells the library who takes part in which relationship;
// the relationships package owns them.
type Relationships interface {
	// Side is the person's side in a relationship ("practitioner" or
	// "member"), "" when they take no part in it, and db.ErrNotFound when
	// the organisation has no such relationship.
	Side(ctx context.Context, orgID, relID, userID uuid.UUID) (string, error)
	// Led lists the active relationships the person supports as a
	// practitioner, to share an article into.
	Led(ctx context.Context, orgID, userID uuid.UUID) ([]RelationshipRef, error)
}

// RelationshipRef names a relationship for a choice list.
type RelationshipRef struct {
	ID    uuid.UUID
	Label string
}

// NeedsSource reads what people said they need (the needs assessment)
// and what they work on (relationship goals).
type NeedsSource interface {
	// PersonNeeds: the person's latest assessment and their own goals.
	PersonNeeds(ctx context.Context, orgID, userID uuid.UUID) (Needs, error)
	// RelationshipNeeds: the relationship's goals and its members'
	// assessments.
	RelationshipNeeds(ctx context.Context, orgID, relID uuid.UUID) (Needs, error)
}

// Sessions tells the library about a calendar session, which the
// calendar owns.
type Sessions interface {
	// SessionFor is the session as the person may see it; db.ErrNotFound
	// when they take no part in it.
	SessionFor(ctx context.Context, orgID, sessionID, userID uuid.UUID) (SessionRef, error)
}

// SessionRef is a session as the agenda page needs it.
type SessionRef struct {
	ID       uuid.UUID
	Title    string
	StartsAt time.Time
	// Leads is true for the session's practitioner, who attaches agendas.
	Leads bool
}

// Goals creates a goal in a relationship for its member (the
// relationships package owns goals and checks the member's side).
type Goals interface {
	CreateGoal(ctx context.Context, orgID, relID, ownerID uuid.UUID, description, measure, targetDate string) error
}

// Service holds the library's rules that reach beyond its own tables.
type Service struct {
	Store         *Store
	Clock         clock.Clock
	Log           *slog.Logger
	Relationships Relationships
	Needs         NeedsSource
	Sessions      Sessions
	Goals         Goals

	starter []Article
	// seeded remembers the organisations whose starter content is known
	// to be there, so that pages stop asking once it is.
	seeded *sync.Map
}

// NewService builds the service with the starter content parsed once.
func NewService(s Service) (*Service, error) {
	items, err := Starter()
	if err != nil {
		return nil, err
	}
	s.starter, s.seeded = items, new(sync.Map)
	return &s, nil
}

// StarterItems is the parsed starter content.
func (s *Service) StarterItems() []Article { return s.starter }

// OrganisationCreated seeds a new organisation's library inside the
// transaction that creates it (tenancy's sign-up calls it).
func (s *Service) OrganisationCreated(ctx context.Context, tx bun.IDB, orgID uuid.UUID, now time.Time) error {
	_, err := s.Store.WithTx(tx).SeedStarter(ctx, orgID, s.starter, now)
	return err
}

// SeedStarter adds the starter items an existing organisation lacks.
func (s *Service) SeedStarter(ctx context.Context, orgID uuid.UUID) (int, error) {
	return s.Store.SeedStarter(ctx, orgID, s.starter, s.Clock.Now())
}

// ensureStarter seeds an organisation that has no starter content (one
// created before the library existed) on its first visit.
func (s *Service) ensureStarter(ctx context.Context, orgID uuid.UUID) error {
	if _, ok := s.seeded.Load(orgID); ok {
		return nil
	}
	n, err := s.Store.CountStarter(ctx, orgID)
	if err == nil && n == 0 {
		_, err = s.SeedStarter(ctx, orgID)
	}
	if err == nil {
		s.seeded.Store(orgID, true)
	}
	return err
}

// Panel is what the library adds to another page: recommendations, the
// articles shared in a relationship, and (for its practitioners) what
// they may share.
type Panel struct {
	Slug        string
	Recommended Recommended
	Shared      []SharedArticle
	// RelationshipID is set on a relationship's panel.
	RelationshipID uuid.UUID
	// CanShare is true for the relationship's practitioners.
	CanShare bool
	// Choices are the published articles a practitioner can share.
	Choices []Article
}

// recommendedShown is how many recommendations a panel shows.
const recommendedShown = 3

// ForPerson is the My support panel: what the person's assessment and
// goals point to.
func (s *Service) ForPerson(ctx context.Context, orgID uuid.UUID, slug string, userID uuid.UUID) (*Panel, error) {
	if err := s.ensureStarter(ctx, orgID); err != nil {
		return nil, err
	}
	needs, err := s.Needs.PersonNeeds(ctx, orgID, userID)
	if err != nil {
		return nil, err
	}
	p := &Panel{Slug: slug}
	if needs.Empty() {
		return p, nil
	}
	published, err := s.Store.Published(ctx, orgID)
	if err != nil {
		return nil, err
	}
	p.Recommended = Recommend(published, needs, recommendedShown)
	return p, nil
}

// ForRelationship is the relationship page's panel; only its
// participants get one (nil for anyone else, such as staff looking on).
func (s *Service) ForRelationship(ctx context.Context, orgID uuid.UUID, slug string, relID, viewer uuid.UUID) (*Panel, error) {
	side, err := s.Relationships.Side(ctx, orgID, relID, viewer)
	if err != nil || side == "" {
		return nil, err
	}
	if err := s.ensureStarter(ctx, orgID); err != nil {
		return nil, err
	}
	p := &Panel{Slug: slug, RelationshipID: relID, CanShare: side == SidePractitioner}
	if p.Shared, err = s.Store.Shares(ctx, orgID, relID); err != nil {
		return nil, err
	}
	published, err := s.Store.Published(ctx, orgID)
	if err != nil {
		return nil, err
	}
	needs, err := s.Needs.RelationshipNeeds(ctx, orgID, relID)
	if err != nil {
		return nil, err
	}
	if !needs.Empty() {
		p.Recommended = Recommend(published, needs, recommendedShown)
	}
	if p.CanShare {
		p.Choices = published
	}
	return p, nil
}

// Errors sharing reports.
var (
	// ErrNotPractitioner refuses sharing by anyone but the relationship's
	// practitioners.
	ErrNotPractitioner = errors.New("library: only the relationship's practitioners share into it")
	// ErrNotPublished refuses sharing a draft or hidden item.
	ErrNotPublished = errors.New("library: only published items can be shared")
)

// ShareInto shares a published article into a relationship the sharer
// supports as a practitioner.
func (s *Service) ShareInto(ctx context.Context, orgID, articleID, relID, by uuid.UUID, note string) error {
	side, err := s.Relationships.Side(ctx, orgID, relID, by)
	if err != nil {
		return err
	}
	if side != SidePractitioner {
		return ErrNotPractitioner
	}
	a, err := s.Store.Article(ctx, orgID, articleID)
	if err != nil {
		return err
	}
	if !a.Published() {
		return ErrNotPublished
	}
	return s.Store.Share(ctx, &Share{OrgID: orgID, RelationshipID: relID, ArticleID: articleID, SharedBy: by, Note: note, SharedAt: s.Clock.Now()})
}

// Unshare removes a share; the relationship's practitioners may.
func (s *Service) Unshare(ctx context.Context, orgID, shareID, by uuid.UUID) (*Share, error) {
	sh, err := s.Store.ShareByID(ctx, orgID, shareID)
	if err != nil {
		return nil, err
	}
	side, err := s.Relationships.Side(ctx, orgID, sh.RelationshipID, by)
	if err != nil {
		return nil, err
	}
	if side != SidePractitioner {
		return nil, ErrNotPractitioner
	}
	return sh, s.Store.Unshare(ctx, orgID, shareID)
}

// CanRead says whether the viewer may read an article: published ones
// everyone; others admins only.
func CanRead(a *Article, admin bool) bool { return a.Published() || admin }

// AgendaView is a session's agenda as the agenda page shows it.
type AgendaView struct {
	Session   SessionRef
	Agenda    *Agenda
	Templates []Article
}

// AgendaFor loads a session's agenda for a person who takes part in it.
func (s *Service) AgendaFor(ctx context.Context, orgID, sessionID, viewer uuid.UUID) (*AgendaView, error) {
	ref, err := s.Sessions.SessionFor(ctx, orgID, sessionID, viewer)
	if err != nil {
		return nil, err
	}
	v := &AgendaView{Session: ref}
	if v.Agenda, err = s.Store.Agenda(ctx, orgID, sessionID); err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	if ref.Leads {
		if err := s.ensureStarter(ctx, orgID); err != nil {
			return nil, err
		}
		page, err := s.Store.Articles(ctx, orgID, ListQuery{Kind: KindAgenda, PerPage: 100})
		if err != nil {
			return nil, err
		}
		v.Templates = page.Items
	}
	return v, nil
}

// AttachAgenda attaches an agenda to a session the viewer leads: the
// text they edited, or the template's when they left it empty.
func (s *Service) AttachAgenda(ctx context.Context, orgID, sessionID, viewer uuid.UUID, templateID *uuid.UUID, title, body string) error {
	ref, err := s.Sessions.SessionFor(ctx, orgID, sessionID, viewer)
	if err != nil {
		return err
	}
	if !ref.Leads {
		return fmt.Errorf("library: attach agenda to %s: %w", sessionID, ErrNotPractitioner)
	}
	if templateID != nil {
		t, err := s.Store.Article(ctx, orgID, *templateID)
		if err != nil {
			return err
		}
		if t.Kind != KindAgenda || !t.Published() {
			return fmt.Errorf("library: %s is not an agenda template: %w", t.ID, db.ErrNotFound)
		}
		if title == "" {
			title = t.Title
		}
		if body == "" {
			body = t.Body
		}
	}
	return s.Store.SetAgenda(ctx, &Agenda{OrgID: orgID, SessionID: sessionID, TemplateID: templateID, Title: title, Body: body,
		AttachedBy: viewer, UpdatedAt: s.Clock.Now()})
}
