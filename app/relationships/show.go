package relationships

import (
	"errors"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

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
	if data.Hub, err = h.hub(c, rv, data); err != nil {
		return err
	}
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

// hub reads the relationship's sessions (and, for its member, the feedback
// asked about them) and builds the top of the page.
func (h *Handlers) hub(c *gin.Context, rv relationshipView, p relationshipPage) (Hub, error) {
	v := web.CurrentViewer(c)
	ctx, now := c.Request.Context(), h.Clock.Now()
	in := hubInput{Base: "/o/" + v.Org.Slug, Rel: rv.Rel, Side: rv.Side, Accepted: p.IAccepted || rv.Side == "",
		Cadence: p.Agreement.CadenceDays, Now: now, Zone: loadZone(v.Zone())}
	if h.Timeline != nil {
		var err error
		if in.Timeline, err = h.Timeline.RelationshipTimeline(ctx, v.Org.ID, rv.Rel.ID, now, timelineShown); err != nil {
			return Hub{}, err
		}
	}
	if h.Asks != nil && rv.Side == SideMember && len(in.Timeline.Past) > 0 {
		asks, err := h.Asks.PendingAsks(ctx, v.Org.ID, v.UserID, 20)
		if err != nil {
			return Hub{}, err
		}
		in.Asks = asks
	}
	return newHub(in), nil
}

func loadZone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
