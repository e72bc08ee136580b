package calendar

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Session types: an organisation's default length and place per kind of
// relationship, used when a relationship's agreement gives none (the
// agreement wins; without either a session lasts an hour).

// Bounds of a session type.
const (
	MinTypeMinutes  = 5
	MaxTypeMinutes  = 600
	MaxTypePlaceLen = 200
)

// SessionTypes lists an organisation's session types.
func (s *Service) SessionTypes(ctx context.Context, orgID uuid.UUID) ([]SessionType, error) {
	var out []SessionType
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = s.Store.WithTx(tx).SessionTypes(ctx, orgID)
		return err
	})
	return out, err
}

// SaveSessionType sets the default length and place of a kind.
func (s *Service) SaveSessionType(ctx context.Context, orgID uuid.UUID, kind relationships.Kind, minutes int, place string) error {
	st := &SessionType{ID: uuid.Must(uuid.NewV7()), OrgID: orgID, Kind: string(kind), Minutes: minutes, Place: place, CreatedAt: s.Clock.Now()}
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error { return s.Store.WithTx(tx).SaveSessionType(ctx, st) })
}

// DeleteSessionType removes a kind's defaults (sessions then last an
// hour unless the agreement says otherwise).
func (s *Service) DeleteSessionType(ctx context.Context, orgID uuid.UUID, kind relationships.Kind) error {
	return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return s.Store.WithTx(tx).DeleteSessionType(ctx, orgID, string(kind))
	})
}

// typeRow is one kind with its defaults, if set.
type typeRow struct {
	Kind    relationships.Kind
	Set     bool
	Minutes int
	Place   string
}

// sessionTypesPage is what pages/calendar/session_types.html shows.
type sessionTypesPage struct {
	Rows                   []typeRow
	Kinds                  []relationships.Kind
	Form                   *web.Form
	Base                   string
	MinMinutes, MaxMinutes int
}

func (h *Handlers) renderSessionTypes(c *gin.Context, status int, f *web.Form) error {
	v := web.CurrentViewer(c)
	types, err := h.Service.SessionTypes(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	var rows []typeRow
	for _, k := range relationships.Kinds {
		row := typeRow{Kind: k}
		for _, t := range types {
			if t.Kind == string(k) {
				row.Set, row.Minutes, row.Place = true, t.Minutes, t.Place
			}
		}
		rows = append(rows, row)
	}
	if f == nil {
		f = web.NewForm(nil)
		f.Set("kind", string(relationships.Coaching))
		f.Set("minutes", "60")
	}
	page := web.NewPage(c, "Session types", sessionTypesPage{
		Rows: rows, Kinds: relationships.Kinds, Form: f, Base: base(v),
		MinMinutes: MinTypeMinutes, MaxMinutes: MaxTypeMinutes,
	})
	page.Nav = "calendar"
	return h.Renderer.Render(c, status, PageSessionTypes, page)
}

func (h *Handlers) ShowSessionTypesPage(c *gin.Context) error {
	return h.renderSessionTypes(c, http.StatusOK, nil)
}

func kindValues() []string {
	var out []string
	for _, k := range relationships.Kinds {
		out = append(out, string(k))
	}
	return out
}

func (h *Handlers) SaveSessionType(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("kind", "minutes")
	f.OneOf("kind", kindValues()...)
	f.MaxLength("place", MaxTypePlaceLen)
	n, err := strconv.Atoi(f.Get("minutes"))
	if f.Get("minutes") != "" && (err != nil || n < MinTypeMinutes || n > MaxTypeMinutes) {
		f.Add("minutes", fmt.Sprintf("Enter a whole number of minutes from %d to %d.", MinTypeMinutes, MaxTypeMinutes))
	}
	if !f.Valid() {
		return h.renderSessionTypes(c, http.StatusUnprocessableEntity, f)
	}
	if err := h.Service.SaveSessionType(c.Request.Context(), v.Org.ID, relationships.Kind(f.Get("kind")), n, f.Get("place")); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Session type saved: new "+f.Get("kind")+" sessions use it when their agreement says nothing else.")
	web.Redirect(c, base(v)+"/session-types")
	return nil
}

func (h *Handlers) DeleteSessionType(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("kind")
	f.OneOf("kind", kindValues()...)
	if !f.Valid() {
		return h.renderSessionTypes(c, http.StatusUnprocessableEntity, nil)
	}
	if err := h.Service.DeleteSessionType(c.Request.Context(), v.Org.ID, relationships.Kind(f.Get("kind"))); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Session type removed.")
	web.Redirect(c, base(v)+"/session-types")
	return nil
}
