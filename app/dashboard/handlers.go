package dashboard

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/feedback"
	"github.com/leadershiptoolbox/toolbox/app/reports"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// PageDashboard is the organisation's home page.
const PageDashboard web.PageName = "dashboard/index"

// Handlers serve the dashboard.
type Handlers struct {
	Store    *Store
	Tenancy  *tenancy.Store
	Calendar *calendar.Service
	Feedback *feedback.Store
	Reports  *reports.Store
	Clock    clock.Clock
	Renderer *web.Renderer
}

// upcomingShown is how many of the viewer's next sessions are read: enough
// for today's and one per relationship.
const upcomingShown = 10

// ShowDashboardPage is /o/:slug, each person's next actions.
func (h *Handlers) ShowDashboardPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f, err := h.facts(c.Request.Context(), v)
	if err != nil {
		return err
	}
	page := web.NewPage(c, v.Org.Name, newPage(f))
	page.Nav = "dashboard"
	return h.Renderer.Render(c, http.StatusOK, PageDashboard, page)
}

// facts gathers what the viewer's roles need, and nothing else: a member's
// dashboard costs four small queries, a coordinator's five.
func (h *Handlers) facts(ctx context.Context, v *web.Viewer) (Facts, error) {
	orgID, now := v.Org.ID, h.Clock.Now()
	f := Facts{Org: *v.Org, Now: now, Zone: zone(v.Zone()), Verified: v.Verified,
		IsMember:       v.Org.Role == string(tenancy.RoleMember),
		IsPractitioner: len(v.Kinds) > 0 || v.Org.Role == string(tenancy.RolePractitioner),
		IsStaff:        tenancy.Has(v, tenancy.Staff...), IsAdmin: tenancy.Has(v, tenancy.Admins...)}
	var err error
	if f.IsMember {
		if f.Assessment, f.Requests, f.Relationships, err = h.Store.Member(ctx, orgID, v.UserID); err != nil {
			return f, err
		}
		for _, r := range f.Requests {
			if r.Status == "open" {
				org, err := h.Tenancy.OrgByID(ctx, orgID)
				if err != nil {
					return f, err
				}
				f.SelfSelection = org.Settings.SelfSelection
				break
			}
		}
		asks, err := h.Feedback.PendingAsks(ctx, orgID, v.UserID, 3)
		if err != nil {
			return f, err
		}
		for _, a := range asks {
			f.Asks = append(f.Asks, Ask{ID: a.ID, SessionAt: a.SessionAt()})
		}
	}
	if f.IsMember || f.IsPractitioner {
		next, err := h.Calendar.Upcoming(ctx, orgID, v.UserID, upcomingShown)
		if err != nil {
			return f, err
		}
		if f.IsPractitioner {
			names, err := h.Calendar.SessionNames(ctx, orgID, v.UserID, next)
			if err != nil {
				return f, err
			}
			for i := range next {
				if n := names[next[i].ID]; n != "" {
					next[i].Title = n
				}
			}
		}
		for _, s := range next {
			f.Upcoming = append(f.Upcoming, Session{ID: s.ID, RelationshipID: s.RelationshipID, PractitionerID: s.PractitionerID, Title: s.Title, StartsAt: s.StartsAt})
		}
	}
	if f.IsPractitioner {
		if f.Proposals, f.ToMark, err = h.Store.Practitioner(ctx, orgID, v.UserID, now); err != nil {
			return f, err
		}
	}
	if f.IsStaff {
		counts, err := h.Tenancy.CountByRole(ctx, orgID)
		if err != nil {
			return f, err
		}
		for _, rc := range counts {
			f.People += rc.Count
			switch rc.Role {
			case tenancy.RolePractitioner:
				f.Practitioners = rc.Count
			case tenancy.RoleMember:
				f.Members = rc.Count
			}
		}
		if f.Waiting, f.WaitingCount, f.Expiring, err = h.Store.Programme(ctx, orgID, now); err != nil {
			return f, err
		}
		if err := h.atRisk(ctx, orgID, &f); err != nil {
			return f, err
		}
	}
	if f.IsAdmin {
		if f.Setup, err = h.Store.Setup(ctx, orgID, now); err != nil {
			return f, err
		}
	}
	return f, nil
}

// atRiskShown is how many relationships at risk the dashboard lists.
const atRiskShown = 3

// atRisk takes the relationships at risk from the latest programme report
// (compiling one is a worker's job, not a page view's).
func (h *Handlers) atRisk(ctx context.Context, orgID uuid.UUID, f *Facts) error {
	if h.Reports == nil {
		return nil
	}
	infos, err := h.Reports.Snapshots(ctx, orgID, reports.KindProgramme, 1)
	if err != nil || len(infos) == 0 {
		return err
	}
	snap, err := h.Reports.Snapshot(ctx, orgID, infos[0].ID)
	if errors.Is(err, db.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	for i, r := range snap.Figures.Health.AtRisk {
		if i == atRiskShown || r.Score >= 50 {
			break
		}
		f.AtRisk = append(f.AtRisk, Risk{RelationshipID: r.RelationshipID, Name: r.Name, Score: r.Score, Reasons: r.Reasons})
	}
	f.AtRiskAsOf = snap.CompiledAt
	return nil
}

func zone(name string) *time.Location {
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
