package relationships

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/library"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/topics"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve practitioner profiles and the relationship page with its
// agreement, goals, notes, mode switches and status.
type Handlers struct {
	Store    *Store
	Keys     *Keyring
	Tenancy  *tenancy.Store
	Clock    clock.Clock
	Renderer *web.Renderer
	// Sessions says which relationship a session belongs to (the calendar
	// owns sessions), so that a mode switch is linked only to a session
	// of its own relationship; nil refuses every session link.
	Sessions SessionRelationships
	// Library shows its participants what the library recommends for the
	// relationship and what its practitioners shared into it (optional).
	Library RelationshipResources
	// Topics is the organisation's vocabulary, offered on the profile.
	Topics *topics.Store
}

// RelationshipResources is the library's panel on a relationship page
// (library.Service.ForRelationship): nil for anyone not taking part.
type RelationshipResources interface {
	ForRelationship(ctx context.Context, orgID uuid.UUID, slug string, relID, viewer uuid.UUID) (*library.Panel, error)
}

// SessionRelationships tells which relationship a session belongs to.
type SessionRelationships interface {
	SessionRelationship(ctx context.Context, orgID, sessionID uuid.UUID) (uuid.UUID, error)
}

// access is the viewer's standing in a relationship.
type access struct {
	Rel  *Relationship
	Side string // practitioner, member, or "" for staff looking on
}

// load finds the relationship of the path and the viewer's side in it.
// Staff who take no part may look (without notes or goals); nobody else.
// loadAs is load for an action only one side of the relationship takes.
func (h *Handlers) loadAs(c *gin.Context, side string) (*access, error) {
	a, err := h.load(c, false)
	if err != nil {
		return nil, err
	}
	if a.Side != side {
		return nil, web.ErrForbidden
	}
	return a, nil
}

func (h *Handlers) load(c *gin.Context, staffMayLook bool) (*access, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	ctx := c.Request.Context()
	r, err := h.Store.Get(ctx, v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	side, err := h.Store.Side(ctx, v.Org.ID, id, v.UserID)
	switch {
	case errors.Is(err, db.ErrNotFound):
		if staffMayLook && tenancy.Has(v, tenancy.Staff...) {
			return &access{Rel: r}, nil
		}
		return nil, web.ErrForbidden
	case err != nil:
		return nil, err
	}
	return &access{Rel: r, Side: side}, nil
}

// forms are the forms of the relationship page, for re-rendering with errors.
type forms struct {
	Agreement, Goal, Note, Mode, Status, Rematch, Members *web.Form
}

func newForms() *forms {
	return &forms{web.NewForm(nil), web.NewForm(nil), web.NewForm(nil), web.NewForm(nil), web.NewForm(nil), web.NewForm(nil), web.NewForm(nil)}
}

func (h *Handlers) render(c *gin.Context, status int, a *access, f *forms) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	orgID, r := v.Org.ID, a.Rel
	rv := relationshipView{Org: v.Org, Rel: r, Side: a.Side, Viewer: v.UserID, IsStaff: tenancy.Has(v, tenancy.Staff...), Today: h.Clock.Now().Format("2006-01-02"), Now: h.Clock.Now()}
	var err error
	if rv.Participants, err = h.Store.Participants(ctx, orgID, r.ID); err != nil {
		return err
	}
	if rv.Agreement, err = h.Store.AgreementFor(ctx, orgID, r.ID); err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if rv.Switches, err = h.Store.ModeSwitches(ctx, orgID, r.ID); err != nil {
		return err
	}
	if rv.Changes, err = h.Store.StatusChanges(ctx, orgID, r.ID); err != nil {
		return err
	}
	if rv.NoteCounts, err = h.Store.NoteCounts(ctx, orgID, r.ID); err != nil {
		return err
	}
	if rv.History, err = h.Store.ParticipantHistory(ctx, orgID, r.ID); err != nil {
		return err
	}
	if a.Side != "" {
		if rv.Notes, err = h.Store.NotesFor(ctx, h.Keys, orgID, r.ID, v.UserID); err != nil {
			return err
		}
	}
	if a.Side != "" || rv.IsStaff {
		// Staff looking on see goals only as progress (page.go).
		if rv.Goals, err = h.Store.Goals(ctx, orgID, r.ID); err != nil {
			return err
		}
	}
	// The names the page shows; staff adding to a group choose from the
	// whole roster.
	filter := tenancy.PeopleFilter{UserIDs: rv.namesNeeded()}
	if rv.IsStaff && r.Format == Group {
		filter = tenancy.PeopleFilter{}
	}
	if rv.People, err = h.Tenancy.People(ctx, orgID, filter); err != nil {
		return err
	}
	data := newRelationshipPage(rv, f)
	if ag := data.Agreement; f.Agreement.Values.Get("purpose") == "" && len(f.Agreement.Errors) == 0 {
		f.Agreement.Set("purpose", ag.Purpose)
		f.Agreement.Set("cadence_days", strconv.Itoa(ag.CadenceDays))
		f.Agreement.Set("session_minutes", strconv.Itoa(ag.SessionMinutes))
		f.Agreement.Set("end_date", ag.EndDate)
		f.Agreement.Set("review_date", ag.ReviewDate)
		f.Agreement.Set("place", ag.Place)
		f.Agreement.Set("confidentiality", ag.Confidentiality)
	}
	if h.Library != nil && a.Side != "" {
		if data.Library, err = h.Library.ForRelationship(ctx, orgID, v.Org.Slug, r.ID, v.UserID); err != nil {
			return err
		}
	}
	page := web.NewPage(c, "Relationship", data)
	page.Nav = "my"
	return h.Renderer.Render(c, status, PageRelationship, page)
}

func (h *Handlers) ShowRelationshipPage(c *gin.Context) error {
	a, err := h.load(c, true)
	if err != nil {
		return err
	}
	return h.render(c, http.StatusOK, a, newForms())
}

func (h *Handlers) back(c *gin.Context, a *access, anchor, flash string) {
	web.AddFlash(c, "success", flash)
	web.Redirect(c, "/o/"+web.CurrentViewer(c).Org.Slug+"/relationships/"+a.Rel.ID.String()+"#"+anchor)
}

func (h *Handlers) ChangeStatus(c *gin.Context) error {
	a, err := h.load(c, false)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	if a.Rel.Format == Group && a.Side == SideMember {
		return web.Errorf(http.StatusForbidden, "In a group, the practitioners pause or end it for everyone; you can leave the group instead.")
	}
	f := newForms()
	f.Status = web.NewForm(web.PostedForm(c))
	f.Status.Required("action")
	f.Status.OneOf("action", ActionPause, ActionResume, ActionComplete, ActionEnd)
	f.Status.MaxLength("why", 2000)
	f.Status.MaxLength("feedback", 4000)
	if f.Status.Valid() && !slices.Contains(Allowed(a.Rel.Status), f.Status.Get("action")) {
		f.Status.Add("action", "That is not possible while the relationship is "+string(a.Rel.Status)+".")
	}
	if !f.Status.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	_, err = h.Store.ChangeStatus(c.Request.Context(), v.Org.ID, a.Rel.ID, v.UserID, h.Clock.Now(), f.Status.Get("action"), f.Status.Get("why"), f.Status.Get("feedback"))
	if errors.Is(err, ErrNotNow) {
		return web.Errorf(http.StatusConflict, "The relationship changed in the meantime. Please reload.")
	}
	if err != nil {
		return err
	}
	h.back(c, a, "status", "Done. The change is recorded with your reason.")
	return nil
}

// mayEditAgreement says who changes a relationship's agreement: both
// sides of a one-to-one; in a group its practitioners, and staff (who
// look on from outside it), never a member (docs/group-permissions.md).
func mayEditAgreement(a *access, staff bool) bool {
	if a.Rel.Format != Group {
		return a.Side != ""
	}
	return a.Side == SidePractitioner || (a.Side == "" && staff)
}

func (h *Handlers) EditAgreement(c *gin.Context) error {
	a, err := h.load(c, true)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	if !mayEditAgreement(a, tenancy.Has(v, tenancy.Staff...)) {
		if a.Side == SideMember {
			return web.Errorf(http.StatusForbidden, "In a group, the practitioners and coordinators change the agreement; you can accept it or leave the group.")
		}
		return web.ErrForbidden
	}
	f := newForms()
	f.Agreement = web.NewForm(web.PostedForm(c))
	af := f.Agreement
	af.Required("purpose", "cadence_days", "session_minutes")
	af.MaxLength("purpose", 2000)
	af.MaxLength("place", 500)
	af.MaxLength("confidentiality", 4000)
	cadence := intField(af, "cadence_days", 1, 365, "Use a number of days from 1 to 365.")
	minutes := intField(af, "session_minutes", 15, 480, "Use a number of minutes from 15 to 480.")
	for _, name := range []string{"end_date", "review_date"} {
		if d := af.Get(name); d != "" {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				af.Add(name, "Use a date such as 2027-12-31.")
			}
		}
	}
	if r, e := af.Get("review_date"), af.Get("end_date"); r != "" && e != "" && r > e {
		af.Add("review_date", "Review on or before the end date.")
	}
	if !af.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	_, err = h.Store.EditAgreement(c.Request.Context(), v.Org.ID, a.Rel.ID, h.Clock.Now(), Agreement{
		Purpose: af.Get("purpose"), CadenceDays: cadence, SessionMinutes: minutes, EndDate: af.Get("end_date"), ReviewDate: af.Get("review_date"),
		Place: af.Get("place"), Confidentiality: af.Get("confidentiality"),
	})
	if err != nil {
		return err
	}
	msg := "Agreement saved. Both of you now accept it again."
	if a.Rel.Format == Group {
		msg = "Agreement saved. Everyone in the group now accepts it again."
	}
	h.back(c, a, "agreement", msg)
	return nil
}

func intField(f *web.Form, name string, lo, hi int, msg string) int {
	raw := f.Get(name)
	if raw == "" {
		return 0
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		f.Add(name, msg)
		return 0
	}
	return n
}

func (h *Handlers) AcceptAgreement(c *gin.Context) error {
	a, err := h.load(c, false)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	var seen time.Time
	if raw := web.PostedForm(c).Get("version"); raw != "" {
		if seen, err = time.Parse(time.RFC3339Nano, raw); err != nil {
			return web.Errorf(http.StatusUnprocessableEntity, "Please reload the page and accept the agreement as it stands.")
		}
	}
	err = h.Store.AcceptAgreement(c.Request.Context(), v.Org.ID, a.Rel.ID, a.Side, h.Clock.Now(), seen)
	if errors.Is(err, db.ErrConflict) {
		return web.Errorf(http.StatusConflict, "The agreement was changed after you opened it. Please read it again before accepting.")
	}
	if err != nil {
		return err
	}
	h.back(c, a, "agreement", "You accepted the agreement.")
	return nil
}

func (h *Handlers) SwitchMode(c *gin.Context) error {
	a, err := h.loadAs(c, SidePractitioner)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := newForms()
	f.Mode = web.NewForm(web.PostedForm(c))
	f.Mode.Required("to_kind", "why")
	f.Mode.OneOf("to_kind", string(Mentoring), string(Coaching), string(Supervision))
	f.Mode.MaxLength("why", 2000)
	var session *uuid.UUID
	if raw := f.Mode.Get("session_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err == nil && h.Sessions != nil {
			var relID uuid.UUID
			relID, err = h.Sessions.SessionRelationship(c.Request.Context(), v.Org.ID, id)
			if errors.Is(err, db.ErrNotFound) || (err == nil && relID != a.Rel.ID) {
				err = db.ErrNotFound
			} else if err != nil {
				return err
			}
		}
		if err != nil || h.Sessions == nil {
			f.Mode.Add("session_id", "That is not a session of this relationship.")
		}
		session = &id
	}
	if !f.Mode.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	_, err = h.Store.SwitchMode(c.Request.Context(), v.Org.ID, a.Rel.ID, v.UserID, session, h.Clock.Now(), Kind(f.Mode.Get("to_kind")), f.Mode.Get("why"))
	if errors.Is(err, ErrNotNow) {
		f.Mode.Add("to_kind", "The relationship already works in that mode.")
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	if err != nil {
		return err
	}
	h.back(c, a, "mode", "Mode switch recorded.")
	return nil
}

func (h *Handlers) AddGoal(c *gin.Context) error {
	a, err := h.loadAs(c, SideMember)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := newForms()
	f.Goal = web.NewForm(web.PostedForm(c))
	f.Goal.Required("description")
	f.Goal.MaxLength("description", 1000)
	f.Goal.MaxLength("success_measure", 1000)
	if d := f.Goal.Get("target_date"); d != "" {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			f.Goal.Add("target_date", "Use a date such as 2027-12-31.")
		} else if d < h.today(v) {
			f.Goal.Add("target_date", "That date is in the past. Choose today or a later date, or leave it empty.")
		}
	}
	if !f.Goal.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	g := &Goal{RelationshipID: a.Rel.ID, OwnerID: v.UserID, Description: f.Goal.Get("description"),
		SuccessMeasure: f.Goal.Get("success_measure"), TargetDate: f.Goal.Get("target_date")}
	if err := h.Store.CreateGoal(c.Request.Context(), v.Org.ID, h.Clock.Now(), g); err != nil {
		return err
	}
	h.back(c, a, "goals", "Goal added.")
	return nil
}

// today is the viewer's date, in their zone: a target before it is past.
func (h *Handlers) today(v *web.Viewer) string {
	loc, err := time.LoadLocation(v.Zone())
	if err != nil {
		loc = time.UTC
	}
	return h.Clock.Now().In(loc).Format(time.DateOnly)
}

// loadGoal finds the goal of the path; only its owner may change it.
func (h *Handlers) loadGoal(c *gin.Context) (*Goal, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	g, err := h.Store.Goal(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if g.OwnerID != v.UserID {
		return nil, web.ErrForbidden
	}
	return g, nil
}

func (h *Handlers) goalBack(c *gin.Context, g *Goal, flash string) {
	web.AddFlash(c, "success", flash)
	web.Redirect(c, "/o/"+web.CurrentViewer(c).Org.Slug+"/relationships/"+g.RelationshipID.String()+"#goal-"+g.ID.String())
}

func (h *Handlers) goalError(c *gin.Context, g *Goal, msg string) error {
	a := &access{Side: SideMember}
	var err error
	if a.Rel, err = h.Store.Get(c.Request.Context(), g.OrgID, g.RelationshipID); err != nil {
		return err
	}
	f := newForms()
	f.Goal.Add("goal", msg)
	return h.render(c, http.StatusUnprocessableEntity, a, f)
}

func (h *Handlers) RecordProgress(c *gin.Context) error {
	g, err := h.loadGoal(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	progress := intField(f, "progress", 0, 100, "Use a percentage from 0 to 100.")
	f.Required("progress")
	f.MaxLength("comment", 2000)
	if !f.Valid() {
		return h.goalError(c, g, "Progress: use a percentage from 0 to 100, and a comment of at most 2000 characters.")
	}
	if err := h.Store.RecordProgress(c.Request.Context(), v.Org.ID, g.ID, v.UserID, h.Clock.Now(), progress, f.Get("comment")); err != nil {
		return err
	}
	h.goalBack(c, g, "Progress recorded.")
	return nil
}

func (h *Handlers) AddMilestone(c *gin.Context) error {
	g, err := h.loadGoal(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("title")
	f.MaxLength("title", 300)
	if d := f.Get("due_date"); d != "" {
		if _, err := time.Parse("2006-01-02", d); err != nil {
			f.Add("due_date", "bad date")
		} else if d < h.today(v) {
			return h.goalError(c, g, "A milestone's date cannot be in the past. Choose today or a later date, or leave it empty.")
		}
	}
	if !f.Valid() {
		return h.goalError(c, g, "A milestone needs a title (at most 300 characters) and, if you give one, a date such as 2027-12-31.")
	}
	if _, err := h.Store.AddMilestone(c.Request.Context(), v.Org.ID, g.ID, v.UserID, h.Clock.Now(), f.Get("title"), f.Get("due_date")); err != nil {
		return err
	}
	h.goalBack(c, g, "Milestone added.")
	return nil
}

func (h *Handlers) CompleteMilestone(c *gin.Context) error {
	g, err := h.loadGoal(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	mid, err := web.IDParam(c, "milestone")
	if err != nil {
		return err
	}
	if err := h.Store.CompleteMilestone(c.Request.Context(), v.Org.ID, g.ID, mid, v.UserID, h.Clock.Now()); err != nil {
		return err
	}
	h.goalBack(c, g, "Milestone reached. Well done.")
	return nil
}

func (h *Handlers) AddNote(c *gin.Context) error {
	a, err := h.load(c, false)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := newForms()
	f.Note = web.NewForm(web.PostedForm(c))
	f.Note.Required("body", "visibility")
	f.Note.OneOf("visibility", Private, Shared)
	f.Note.MaxLength("body", 20000)
	var session *uuid.UUID
	if raw := f.Note.Get("session_id"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			f.Note.Add("session_id", "That is not a session of this relationship.")
		}
		session = &id
	}
	if !f.Note.Valid() {
		// The text is not echoed back into the page for a private note
		// that failed: it is re-rendered in the author's own form only.
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	n := &Note{AuthorID: v.UserID, RelationshipID: a.Rel.ID, SessionID: session, Visibility: f.Note.Get("visibility")}
	if err := h.Store.AddNote(c.Request.Context(), h.Keys, v.Org.ID, h.Clock.Now(), n, strings.TrimSpace(f.Note.Values.Get("body"))); err != nil {
		return err
	}
	msg := "Note shared with the relationship."
	if n.Visibility == Private {
		msg = "Private note saved. Only you can read it."
	}
	h.back(c, a, "notes", msg)
	return nil
}

// vocabulary is the organisation's topics (none without a store).
func (h *Handlers) vocabulary(c *gin.Context) (topics.Vocabulary, error) {
	if h.Topics == nil {
		return nil, nil
	}
	return h.Topics.Vocabulary(c.Request.Context(), web.CurrentViewer(c).Org.ID)
}

// profileForm checks the profile form and applies it to p: the topics
// ticked from the vocabulary, and the other topics typed, each matched
// to the vocabulary where it names one of its topics.
func profileForm(f *web.Form, p *Profile, vocab topics.Vocabulary) {
	f.MaxLength("topics", 500)
	f.MaxLength("languages", 100)
	f.MaxLength("bio", 2000)
	f.Required("capacity")
	p.Capacity = intField(f, "capacity", 0, 50, "Use a number from 0 to 50.")
	var kinds []string
	for _, k := range f.Values["kinds"] {
		if !slices.Contains(tenancy.Kinds, k) {
			f.Add("kinds", "Choose among mentor, coach and supervisor.")
		} else if !slices.Contains(kinds, k) {
			kinds = append(kinds, k)
		}
	}
	p.Kinds = strings.Join(kinds, ",")
	var chosen []string
	for _, k := range f.Values["topic"] {
		if t, ok := vocab.Match(k); ok && t.Key == k {
			chosen = append(chosen, k)
		} else {
			f.Add("topics", "Choose among the topics listed, or type others below.")
		}
	}
	p.Topics = strings.Join(vocab.Canonical(append(chosen, SplitList(f.Get("topics"))...)), ",")
	p.Languages = strings.Join(SplitList(f.Get("languages")), ",")
	p.Bio, p.Accepting = f.Get("bio"), f.Get("accepting") != ""
}

func (h *Handlers) renderProfile(c *gin.Context, status int, p *Profile, f *web.Form, vocab topics.Vocabulary) error {
	v := web.CurrentViewer(c)
	counts, err := h.Store.ActiveCounts(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Your practitioner profile", gin.H{"Org": v.Org, "Profile": p, "Form": f, "Zone": v.Zone(), "OwnZone": v.TimeZone != "",
		"Kinds": tenancy.Kinds, "Chosen": f.Values["kinds"], "Active": counts[v.UserID],
		"Vocabulary": vocab, "ChosenTopics": f.Values["topic"], "IsAdmin": tenancy.Has(v, tenancy.Admins...)})
	page.Nav = "profile"
	return h.Renderer.Render(c, status, PageProfile, page)
}

func (h *Handlers) ShowProfilePage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	p, err := h.Store.ProfileOf(c.Request.Context(), v.Org.ID, v.UserID)
	if errors.Is(err, db.ErrNotFound) {
		p, err = NewProfile(v.Org.ID, v.UserID, v.Kinds), nil
	}
	if err != nil {
		return err
	}
	vocab, err := h.vocabulary(c)
	if err != nil {
		return err
	}
	// Topics of the vocabulary are ticked; any others are typed.
	f := web.NewForm(url.Values{"kinds": p.KindList()})
	var others []string
	for _, t := range p.TopicList() {
		if m, ok := vocab.Match(t); ok {
			f.Values.Add("topic", m.Key)
		} else {
			others = append(others, t)
		}
	}
	f.Set("topics", strings.Join(others, ", "))
	f.Set("languages", strings.Join(p.LanguageList(), ", "))
	f.Set("capacity", strconv.Itoa(p.Capacity))
	f.Set("bio", p.Bio)
	if p.Accepting {
		f.Set("accepting", "1")
	}
	return h.renderProfile(c, http.StatusOK, p, f, vocab)
}

func (h *Handlers) SaveProfile(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	p, err := h.Store.ProfileOf(ctx, v.Org.ID, v.UserID)
	if errors.Is(err, db.ErrNotFound) {
		p, err = NewProfile(v.Org.ID, v.UserID, nil), nil
	}
	if err != nil {
		return err
	}
	vocab, err := h.vocabulary(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	profileForm(f, p, vocab)
	if !f.Valid() {
		return h.renderProfile(c, http.StatusUnprocessableEntity, p, f, vocab)
	}
	if err := h.Store.SaveProfile(ctx, v.Org.ID, h.Clock.Now(), p); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Profile saved.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/profile")
	return nil
}
