package relationships

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Limits of a group.
const (
	MinGroupMembers = 2
	MaxGroupSize    = 50
)

// NewGroupPage is what the form that starts a group shows: everyone
// active, the practitioners among them, and who is chosen on each side.
type NewGroupPage struct {
	Org              *web.OrgRef
	Form             *web.Form
	Kinds            []Kind
	People           []tenancy.Person
	Practitioners    []tenancy.Person
	ChosenP, ChosenM map[string]bool
}

// renderNewGroup shows the form a coordinator fills in to start a group.
func (h *Handlers) renderNewGroup(c *gin.Context, status int, f *web.Form) error {
	v := web.CurrentViewer(c)
	people, err := h.Tenancy.People(c.Request.Context(), v.Org.ID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return err
	}
	var practitioners []tenancy.Person
	for _, p := range people {
		if len(tenancy.ParseKinds(p.Kinds)) > 0 {
			practitioners = append(practitioners, p)
		}
	}
	chosen := func(field string) map[string]bool {
		out := map[string]bool{}
		for _, id := range f.Values[field] {
			out[id] = true
		}
		return out
	}
	page := web.NewPage(c, "Start a group", NewGroupPage{Org: v.Org, Form: f, Kinds: Kinds, People: people,
		Practitioners: practitioners, ChosenP: chosen("practitioners"), ChosenM: chosen("members")})
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PageNewGroup, page)
}

func (h *Handlers) ShowNewGroupPage(c *gin.Context) error {
	f := web.NewForm(nil)
	f.Set("kind", string(Coaching))
	return h.renderNewGroup(c, http.StatusOK, f)
}

// idList reads a multi-valued field of ids; bad ones are reported.
func idList(f *web.Form, field, msg string) []uuid.UUID {
	var out []uuid.UUID
	for _, raw := range f.Values[field] {
		id, err := uuid.Parse(raw)
		if err != nil {
			f.Add(field, msg)
			return nil
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (h *Handlers) CreateGroup(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	f := web.NewForm(web.PostedForm(c))
	f.Required("kind", "title")
	f.OneOf("kind", string(Mentoring), string(Coaching), string(Supervision))
	f.MaxLength("title", 200)
	f.MaxLength("purpose", 2000)
	f.MaxLength("place", 500)
	f.MaxLength("confidentiality", 4000)
	kind := Kind(f.Get("kind"))
	draft := DraftAgreement(kind)
	if n := intField(f, "cadence_days", 1, 365, "Use a number of days from 1 to 365."); n > 0 {
		draft.CadenceDays = n
	}
	if n := intField(f, "session_minutes", 15, 480, "Use a number of minutes from 15 to 480."); n > 0 {
		draft.SessionMinutes = n
	}
	for field, into := range map[string]*string{"purpose": &draft.Purpose, "place": &draft.Place, "confidentiality": &draft.Confidentiality} {
		if s := f.Get(field); s != "" {
			*into = s
		}
	}
	pick := "Choose people of this organisation from the list."
	practitioners := idList(f, "practitioners", pick)
	members := idList(f, "members", pick)
	people, err := h.Tenancy.People(ctx, v.Org.ID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return err
	}
	byID := map[uuid.UUID]tenancy.Person{}
	for _, p := range people {
		byID[p.UserID] = p
	}
	switch {
	case len(practitioners) == 0 && f.Error("practitioners") == "":
		f.Add("practitioners", "Choose at least one practitioner.")
	case len(practitioners) > 5:
		f.Add("practitioners", "Choose at most 5 practitioners.")
	}
	for _, id := range practitioners {
		p, ok := byID[id]
		switch {
		case !ok:
			f.Add("practitioners", pick)
		case f.Get("kind") != "" && !slices.Contains(tenancy.ParseKinds(p.Kinds), PractitionerKind(kind)):
			f.Add("practitioners", p.Name+" does not offer to be a "+PractitionerKind(kind)+".")
		}
	}
	switch {
	case len(members) < MinGroupMembers && f.Error("members") == "":
		f.Add("members", "A group needs at least "+strconv.Itoa(MinGroupMembers)+" members.")
	case len(members) > MaxGroupSize:
		f.Add("members", "A group has at most "+strconv.Itoa(MaxGroupSize)+" members.")
	}
	for _, id := range members {
		if _, ok := byID[id]; !ok {
			f.Add("members", pick)
		} else if slices.Contains(practitioners, id) {
			f.Add("members", byID[id].Name+" is a practitioner of this group; choose them on one side only.")
		}
	}
	if !f.Valid() {
		return h.renderNewGroup(c, http.StatusUnprocessableEntity, f)
	}
	r, err := h.Store.CreateGroup(ctx, v.Org.ID, h.Clock.Now(), New{
		Kind: kind, Title: f.Get("title"), Practitioners: practitioners, Members: members, Agreement: draft,
	})
	var full *FullError
	var none *NoProfileError
	switch {
	case errors.As(err, &full):
		f.Add("practitioners", byID[full.UserID].Name+" has no free places ("+strconv.Itoa(full.Active)+" of "+strconv.Itoa(full.Capacity)+" taken).")
		return h.renderNewGroup(c, http.StatusUnprocessableEntity, f)
	case errors.As(err, &none):
		f.Add("practitioners", byID[none.UserID].Name+" has no practitioner profile yet: ask them to fill it in (it says how many people they can take).")
		return h.renderNewGroup(c, http.StatusUnprocessableEntity, f)
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "Group started. Its members and practitioners see it on their My support page; they agree the agreement together.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/relationships/"+r.ID.String())
	return nil
}

// loadForStaff finds the relationship of the path for a coordinator.
func (h *Handlers) loadForStaff(c *gin.Context) (*access, error) {
	a, err := h.load(c, true)
	if err != nil {
		return nil, err
	}
	if !tenancy.Has(web.CurrentViewer(c), tenancy.Staff...) {
		return nil, web.ErrForbidden
	}
	return a, nil
}

func (h *Handlers) AddMember(c *gin.Context) error {
	a, err := h.loadForStaff(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	f := newForms()
	f.Members = web.NewForm(web.PostedForm(c))
	f.Members.Required("member_id")
	id, perr := uuid.Parse(f.Members.Get("member_id"))
	if f.Members.Valid() && perr != nil {
		f.Members.Add("member_id", "Choose a person of this organisation.")
	}
	if f.Members.Valid() {
		if _, err := h.Tenancy.Member(ctx, v.Org.ID, id); errors.Is(err, db.ErrNotFound) {
			f.Members.Add("member_id", "Choose a person of this organisation.")
		} else if err != nil {
			return err
		}
	}
	if f.Members.Valid() && a.Rel.Format != Group {
		f.Members.Add("member_id", "Only a group takes more members.")
	}
	// Staff look on from outside a group (counts, never contents): joining
	// it as a member would open its notes, so nobody adds themselves.
	if f.Members.Valid() && id == v.UserID {
		f.Members.Add("member_id", "You cannot add yourself to a group. Ask its practitioner or another coordinator if you should take part.")
	}
	if !f.Members.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	}
	err = h.Store.AddMember(ctx, v.Org.ID, a.Rel.ID, id, h.Clock.Now())
	switch {
	case errors.Is(err, ErrAlreadyIn):
		f.Members.Add("member_id", "That person already takes part.")
		return h.render(c, http.StatusUnprocessableEntity, a, f)
	case errors.Is(err, ErrClosed):
		return web.Errorf(http.StatusConflict, "This relationship has ended; nobody can join it any more.")
	case err != nil:
		return err
	}
	h.back(c, a, "people", "Member added. They see the group on their My support page.")
	return nil
}

func (h *Handlers) RemoveMember(c *gin.Context) error {
	a, err := h.loadForStaff(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "userID")
	if err != nil {
		return err
	}
	err = h.Store.RemoveMember(c.Request.Context(), v.Org.ID, a.Rel.ID, id, h.Clock.Now(), false)
	switch {
	case errors.Is(err, ErrLastMember):
		return web.Errorf(http.StatusConflict, "This is the group's last member. End the relationship instead.")
	case errors.Is(err, ErrClosed):
		return web.Errorf(http.StatusConflict, "This relationship has ended already.")
	case errors.Is(err, ErrNotGroup):
		return web.Errorf(http.StatusConflict, "Only members of a group can be removed; end a one-to-one relationship instead.")
	case err != nil:
		return err
	}
	h.back(c, a, "people", "Member removed. The history keeps that they took part.")
	return nil
}

// leaveGroup lets a member leave a group on their own, safely: the
// others carry on.
func (h *Handlers) LeaveGroup(c *gin.Context) error {
	a, err := h.loadAs(c, SideMember)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	err = h.Store.RemoveMember(c.Request.Context(), v.Org.ID, a.Rel.ID, v.UserID, h.Clock.Now(), true)
	switch {
	case errors.Is(err, ErrNotGroup):
		return web.Errorf(http.StatusConflict, "This is not a group: pause or end the relationship instead.")
	case errors.Is(err, ErrClosed):
		return web.Errorf(http.StatusConflict, "This relationship has ended already.")
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "You left the group. The others carry on without you.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/my")
	return nil
}

// ShareEarlierNotes lets one member of a group read the shared notes
// written before they joined: the group's practitioner decides.
func (h *Handlers) ShareEarlierNotes(c *gin.Context) error {
	a, err := h.loadAs(c, SidePractitioner)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "userID")
	if err != nil {
		return err
	}
	if err := h.Store.ShareEarlierNotes(c.Request.Context(), v.Org.ID, a.Rel.ID, id); err != nil {
		return err
	}
	h.back(c, a, "people", "Done: they can now read the notes shared before they joined.")
	return nil
}
