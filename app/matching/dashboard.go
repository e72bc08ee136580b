package matching

import (
	"context"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/calendar"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
	"github.com/leadershiptoolbox/toolbox/app/words"
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

// NextSessions lists a person's next n sessions, soonest first; the
// calendar implements it (calendar.Service.Upcoming), so this page shows
// them without reading the calendar's tables.
type NextSessions interface {
	Upcoming(ctx context.Context, orgID, userID uuid.UUID, n int) ([]calendar.Session, error)
	SessionNames(ctx context.Context, orgID, viewer uuid.UUID, sessions []calendar.Session) (map[uuid.UUID]string, error)
}

// nextSessionsShown is how many sessions the My support page lists.
const nextSessionsShown = 5

// feedbackShown is how many unanswered requests for feedback it lists.
const feedbackShown = 5

// showMyPage is everyone's own support page: as a member (assessment,
// requests, relationships, goals), as a practitioner (people, proposals
// waiting, capacity), as a coordinator (a link to the pipeline).
func (h *Handlers) ShowMyPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	s := h.Service
	data := gin.H{"Org": v.Org, "IsStaff": tenancy.Has(v, tenancy.Staff...), "IsAdmin": tenancy.Has(v, tenancy.Admins...),
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
	relIDs := make([]uuid.UUID, len(rels))
	for i, r := range rels {
		relIDs[i] = r.ID
	}
	participants, err := s.Rels.ParticipantsOf(ctx, v.Org.ID, relIDs)
	if err != nil {
		return err
	}
	var others []uuid.UUID
	for _, ps := range participants {
		for _, p := range ps {
			others = append(others, p.UserID)
		}
	}
	names, err := h.names(c, others...)
	if err != nil {
		return err
	}
	data["Names"] = names
	var mine, theirs []RelationshipRow
	for _, r := range rels {
		row := RelationshipRow{Relationship: r}
		for _, p := range participants[r.ID] {
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
	// A trained mentor, whatever their role, sees where they stand.
	if mentor, err := s.Rels.ProfileOf(ctx, v.Org.ID, v.UserID); err == nil && mentor.MentorStatus != "" {
		data["Mentor"] = mentor
		if mentor.MentorSupervisorID != nil {
			sup, err := h.names(c, *mentor.MentorSupervisorID)
			if err != nil {
				return err
			}
			data["MentorSupervisor"] = sup[*mentor.MentorSupervisorID]
		}
	} else if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	// An approved trained mentor answers proposals whatever their role.
	approvedMentor := data["Mentor"] != nil && data["Mentor"].(*relationships.Profile).MentorStatus == relationships.MentorApproved
	if tenancy.Has(v, tenancy.Practitioners...) || approvedMentor {
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
		// Each offer is named by its kind and the person it is for.
		reqs := make([]*assessment.Request, 0, len(proposals))
		var members []uuid.UUID
		for _, p := range proposals {
			req, err := s.Assess.Request(ctx, v.Org.ID, p.RequestID)
			if err != nil {
				return err
			}
			reqs, members = append(reqs, req), append(members, req.MemberID)
		}
		who, err := h.names(c, members...)
		if err != nil {
			return err
		}
		offers := map[uuid.UUID]string{}
		for i, p := range proposals {
			offers[p.ID] = words.Title(reqs[i].Kind) + " with " + who[reqs[i].MemberID]
		}
		data["Offers"] = offers
		active, err := s.Rels.ActiveCount(ctx, v.Org.ID, v.UserID)
		if err != nil {
			return err
		}
		data["Active"] = active
		data["IsPractitioner"] = len(v.Kinds) > 0 || profile != nil || approvedMentor
	}
	if h.Library != nil {
		if data["Library"], err = h.Library.ForPerson(ctx, v.Org.ID, v.Org.Slug, v.UserID); err != nil {
			return err
		}
	}
	if h.Feedback != nil {
		if data["Feedback"], err = h.Feedback.PendingAsks(ctx, v.Org.ID, v.UserID, feedbackShown); err != nil {
			return err
		}
	}
	if h.Sessions != nil {
		next, err := h.Sessions.Upcoming(ctx, v.Org.ID, v.UserID, nextSessionsShown)
		if err != nil {
			return err
		}
		// Each session is named as its reader sees it ("Coaching with
		// Mel Member"), not by the title stored with it.
		names, err := h.Sessions.SessionNames(ctx, v.Org.ID, v.UserID, next)
		if err != nil {
			return err
		}
		for i := range next {
			if n := names[next[i].ID]; n != "" {
				next[i].Title = n
			}
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
	data := gin.H{"Org": v.Org, "Kind": kind, "Stage": stage, "Stages": Stages, "Kinds": relationships.Kinds,
		"IsAdmin": tenancy.Has(v, tenancy.Admins...)}
	show := func(st string) bool { return stage == "" || stage == st }
	total := 0
	var shown []uuid.UUID // the people the page names, and only those
	if show("assessed") {
		as, err := s.Assess.List(ctx, v.Org.ID, assessment.AssessmentFilter{Status: assessment.StatusSubmitted, Kind: kind})
		if err != nil {
			return err
		}
		data["Assessed"], total = as, total+len(as)
		for _, a := range as {
			shown = append(shown, a.MemberID)
		}
	}
	// ofKind keeps the requests of the chosen kind, counting them and
	// noting whose they are.
	ofKind := func(rs []assessment.Request) []assessment.Request {
		var out []assessment.Request
		for _, r := range rs {
			if kind == "" || r.Kind == kind {
				out = append(out, r)
				shown = append(shown, r.MemberID)
			}
		}
		total += len(out)
		return out
	}
	if show("signposted") {
		rs, err := s.Assess.Requests(ctx, v.Org.ID, assessment.RequestOpen, [16]byte{})
		if err != nil {
			return err
		}
		data["Signposted"] = ofKind(rs)
	}
	if show("proposed") {
		rs, err := s.Assess.Requests(ctx, v.Org.ID, assessment.RequestProposed, [16]byte{})
		if err != nil {
			return err
		}
		data["Proposed"] = ofKind(rs)
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
		ids := make([]uuid.UUID, 0, len(rows))
		for _, r := range rows {
			ids = append(ids, r.ID)
		}
		relNames, err := s.Rels.NamesFor(ctx, v.Org.ID, v.UserID, ids)
		if err != nil {
			return err
		}
		data["RelNames"] = relNames
	}
	rematches, err := s.Rematches(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	data["Rematches"], data["Total"], data["Problems"] = rematches, total, problems
	for _, r := range rematches {
		shown = append(shown, r.MemberID)
	}
	if data["Names"], err = h.names(c, shown...); err != nil {
		return err
	}
	profiles, err := s.Rels.Profiles(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	data["Practitioners"] = len(profiles)
	if data["ProvisionalMentors"], err = h.provisionalMentors(c); err != nil {
		return err
	}
	page := web.NewPage(c, "Pipeline", data)
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PagePipeline, page)
}
