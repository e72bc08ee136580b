package matching

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Learning lists a person's courses with their progress; the courses
// package implements it (courses.Store.Learning), so this page shows them
// without reading the courses' tables.
type Learning interface {
	Learning(ctx context.Context, orgID, userID uuid.UUID) ([]courses.Learning, error)
}

// RelationshipRow is a relationship with the viewer's side in it.
type RelationshipRow struct {
	relationships.Relationship
	Side   string
	Others []string
}

// NextSession is one of a person's coming sessions, as the My support
// page lists it.
type NextSession struct {
	ID       uuid.UUID
	Title    string
	Kind     string
	Status   string
	StartsAt time.Time
	EndsAt   time.Time
	Place    string
}

// NextSessions lists a person's next n sessions, soonest first.
type NextSessions interface {
	NextSessions(ctx context.Context, orgID, userID uuid.UUID, n int) ([]NextSession, error)
}

// nextSessionsShown is how many sessions the My support page lists.
const nextSessionsShown = 5

// showMyPage is everyone's own support page: as a member (assessment,
// requests, relationships, goals), as a practitioner (people, proposals
// waiting, capacity), as a coordinator (a link to the pipeline).
func (h *Handlers) ShowMyPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	s := h.Service
	names, err := h.names(c)
	if err != nil {
		return err
	}
	data := gin.H{"Org": v.Org, "Names": names, "IsStaff": tenancy.Has(v, tenancy.Staff...), "IsAdmin": tenancy.Has(v, tenancy.Admins...),
		// Members are asked to take the needs assessment; other roles
		// are offered it in a line (a practitioner may want supervision).
		"IsMember": v.Org.Role == string(tenancy.RoleMember)}
	latest, err := s.Assess.Latest(ctx, v.Org.ID, v.UserID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	data["Assessment"] = latest
	reqs, err := s.Assess.Requests(ctx, v.Org.ID, "", v.UserID)
	if err != nil {
		return err
	}
	data["Requests"] = reqs
	org, err := s.Tenancy.OrgByID(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	data["SelfSelection"] = org.Settings.SelfSelection
	rels, err := s.Rels.ForUser(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	var mine, theirs []RelationshipRow
	for _, r := range rels {
		ps, err := s.Rels.Participants(ctx, v.Org.ID, r.ID)
		if err != nil {
			return err
		}
		row := RelationshipRow{Relationship: r}
		for _, p := range ps {
			if p.UserID == v.UserID {
				row.Side = p.Side
			} else {
				row.Others = append(row.Others, names[p.UserID])
			}
		}
		if row.Side == relationships.SidePractitioner {
			theirs = append(theirs, row)
		} else {
			mine = append(mine, row)
		}
	}
	data["Mine"], data["Theirs"] = mine, theirs
	goals, err := s.Rels.GoalsOfMember(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	data["Goals"] = goals
	if h.Courses != nil {
		if data["Courses"], err = h.Courses.Learning(ctx, v.Org.ID, v.UserID); err != nil {
			return err
		}
	}
	if tenancy.Has(v, tenancy.Practitioners...) {
		profile, err := s.Rels.ProfileOf(ctx, v.Org.ID, v.UserID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		data["Profile"] = profile
		proposals, err := s.ProposalsFor(ctx, v.Org.ID, v.UserID)
		if err != nil {
			return err
		}
		data["Proposals"] = proposals
		counts, err := s.Rels.ActiveCounts(ctx, v.Org.ID)
		if err != nil {
			return err
		}
		data["Active"] = counts[v.UserID]
		data["IsPractitioner"] = len(v.Kinds) > 0 || profile != nil
	}
	if h.Library != nil {
		if data["Library"], err = h.Library.ForPerson(ctx, v.Org.ID, v.Org.Slug, v.UserID); err != nil {
			return err
		}
	}
	if h.Sessions != nil {
		next, err := h.Sessions.NextSessions(ctx, v.Org.ID, v.UserID, nextSessionsShown)
		if err != nil {
			return err
		}
		data["NextSessions"], data["HasCalendar"] = next, true
	}
	page := web.NewPage(c, "My support", data)
	page.Nav = "my"
	return h.Renderer.Render(c, http.StatusOK, PageMy, page)
}

// Pipeline stages.
var Stages = []string{"assessed", "signposted", "proposed", "active"}

// showPipelinePage shows coordinators where everyone is: assessed
// (waiting for signposting), signposted (waiting for a proposal),
// proposed (waiting for the practitioner), active.
func (h *Handlers) ShowPipelinePage(c *gin.Context) error {
	return h.renderPipeline(c, http.StatusOK, nil)
}

// renderPipeline shows the pipeline; problems are messages beside the
// forms of rematch requests, by rematch id.
func (h *Handlers) renderPipeline(c *gin.Context, status int, problems map[string]string) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	s := h.Service
	kind, stage := c.Query("kind"), c.Query("stage")
	if kind != "" && kind != "mentoring" && kind != "coaching" && kind != "supervision" {
		kind = ""
	}
	names, err := h.names(c)
	if err != nil {
		return err
	}
	data := gin.H{"Org": v.Org, "Names": names, "Kind": kind, "Stage": stage, "Stages": Stages, "Kinds": relationships.Kinds,
		"IsAdmin": tenancy.Has(v, tenancy.Admins...)}
	show := func(st string) bool { return stage == "" || stage == st }
	total := 0
	if show("assessed") {
		as, err := s.Assess.List(ctx, v.Org.ID, assessment.AssessmentFilter{Status: assessment.StatusSubmitted, Kind: kind})
		if err != nil {
			return err
		}
		data["Assessed"], total = as, total+len(as)
	}
	filter := func(rs []assessment.Request) []assessment.Request {
		var out []assessment.Request
		for _, r := range rs {
			if kind == "" || r.Kind == kind {
				out = append(out, r)
			}
		}
		return out
	}
	if show("signposted") {
		rs, err := s.Assess.Requests(ctx, v.Org.ID, assessment.RequestOpen, [16]byte{})
		if err != nil {
			return err
		}
		data["Signposted"] = filter(rs)
		total += len(filter(rs))
	}
	if show("proposed") {
		rs, err := s.Assess.Requests(ctx, v.Org.ID, assessment.RequestProposed, [16]byte{})
		if err != nil {
			return err
		}
		data["Proposed"] = filter(rs)
		total += len(filter(rs))
	}
	if show("active") {
		var rows []relationships.Relationship
		for _, st := range []relationships.Status{relationships.StatusActive, relationships.StatusPaused} {
			rs, err := s.Rels.List(ctx, v.Org.ID, st)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if kind == "" || string(r.Kind) == kind {
					rows = append(rows, r)
				}
			}
		}
		data["Active"], total = rows, total+len(rows)
	}
	rematches, err := s.Rematches(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	data["Rematches"], data["Total"], data["Problems"] = rematches, total, problems
	profiles, err := s.Rels.Profiles(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	data["Practitioners"] = len(profiles)
	page := web.NewPage(c, "Pipeline", data)
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PagePipeline, page)
}
