package tenancy

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// UpdateOrganisation changes an organisation's name, default time zone
// and policies.
func (s *Service) UpdateOrganisation(ctx context.Context, orgID uuid.UUID, a Actor, name, zone string, settings Settings) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		org, err := s.Store.WithTx(tx).OrgByID(ctx, orgID)
		if err != nil {
			return err
		}
		actor, err := auth.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		var changed []string
		if org.Name != name {
			changed = append(changed, "name")
		}
		if org.TimeZone != zone {
			changed = append(changed, "time zone")
		}
		if org.Settings.MinCancelNoticeHours != settings.MinCancelNoticeHours {
			changed = append(changed, "cancellation notice")
		}
		if !slices.Equal(org.Settings.ReminderOffsetsMinutes, settings.ReminderOffsetsMinutes) {
			changed = append(changed, "reminders")
		}
		if org.Settings.ProposalDays != settings.ProposalDays {
			changed = append(changed, "proposal days")
		}
		if org.Settings.SelfSelection != settings.SelfSelection {
			changed = append(changed, "self-selection")
		}
		if org.Settings.FeedbackToCoordinators != settings.FeedbackToCoordinators {
			changed = append(changed, "feedback to coordinators")
		}
		if org.Settings.QuietWeeks != settings.QuietWeeks {
			changed = append(changed, "quiet weeks")
		}
		if org.Settings.ConcludeAfterWeeks != settings.ConcludeAfterWeeks {
			changed = append(changed, "conclude after")
		}
		if org.Settings.CoachingApproach != settings.CoachingApproach || org.Settings.CoachingApproachCourse != settings.CoachingApproachCourse {
			changed = append(changed, "coaching approach to leadership")
		}
		if org.Settings.LongSession() != settings.LongSession() {
			changed = append(changed, "longest usual session")
		}
		if org.Settings.MeetingService() != settings.MeetingService() {
			changed = append(changed, "meeting service")
		}
		if len(changed) == 0 {
			return nil
		}
		org.Name, org.TimeZone, org.Settings = name, zone, settings
		if err := s.Store.WithTx(tx).updateOrg(ctx, org); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actorName(actor.Name, actor.Email), Action: audit.ActionOrgSettings,
			Target: org.Slug, Detail: strings.Join(changed, ", "), IP: a.IP, At: s.Clock.Now(),
		})
	})
	if err != nil {
		return fmt.Errorf("tenancy: update organisation settings: %w", err)
	}
	return nil
}

func (h *Handlers) renderSettings(c *gin.Context, status int, f *web.Form) error {
	v := web.CurrentViewer(c)
	if f == nil {
		org, err := h.Service.Store.OrgByID(c.Request.Context(), v.Org.ID)
		if err != nil {
			return err
		}
		f = web.NewForm(nil)
		f.Set("name", org.Name)
		f.Set("time_zone", org.TimeZone)
		f.Set("min_cancel_notice_hours", strconv.Itoa(org.Settings.MinCancelNoticeHours))
		f.Set("reminder_offsets", FormatOffsets(org.Settings.ReminderOffsetsMinutes))
		f.Set("proposal_days", strconv.Itoa(org.Settings.ProposalDays))
		f.Set("long_session_minutes", strconv.Itoa(org.Settings.LongSession()))
		f.Set("meeting_service_url", org.Settings.MeetingService())
		if org.Settings.SelfSelection {
			f.Set("self_selection", "on")
		}
		if org.Settings.FeedbackToCoordinators {
			f.Set("feedback_to_coordinators", "on")
		}
		f.Set("quiet_weeks", strconv.Itoa(org.Settings.EffectiveQuietWeeks()))
		f.Set("conclude_after_weeks", strconv.Itoa(org.Settings.EffectiveConcludeAfterWeeks()))
		f.Set("coaching_approach", org.Settings.CoachingApproach)
		f.Set("coaching_approach_course", org.Settings.CoachingApproachCourse)
	}
	courses, err := h.courseChoices(c)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Settings", SettingsPage{Form: f, Zones: web.TimeZones(), Slug: v.Org.Slug, Courses: courses})
	page.Nav = "settings"
	return h.Renderer.Render(c, status, PageSettings, page)
}

func (h *Handlers) ShowSettingsPage(c *gin.Context) error {
	return h.renderSettings(c, http.StatusOK, nil)
}

func (h *Handlers) UpdateSettings(c *gin.Context) error {
	f := web.NewForm(web.PostedForm(c))
	f.Required("name", "time_zone", "min_cancel_notice_hours", "proposal_days")
	f.MaxLength("name", 120)
	f.TimeZone("time_zone")
	intField := func(name string, min, max int) int {
		raw := f.Get(name)
		if raw == "" {
			return 0
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < min || n > max {
			f.Add(name, fmt.Sprintf("Enter a whole number from %d to %d.", min, max))
		}
		return n
	}
	s := Settings{
		MinCancelNoticeHours: intField("min_cancel_notice_hours", 0, 24*14),
		ProposalDays:         intField("proposal_days", 1, 30),
		SelfSelection:        f.Get("self_selection") != "",
		LongSessionMinutes:   intField("long_session_minutes", 30, 24*60),
		// Individual answers reach coordinators only where this is ticked.
		FeedbackToCoordinators: f.Get("feedback_to_coordinators") != "",
		QuietWeeks:             intField("quiet_weeks", 1, 26),
		ConcludeAfterWeeks:     intField("conclude_after_weeks", 2, 104),
		MeetingServiceURL:      f.WebURL("meeting_service_url", false),
	}
	if s.MeetingServiceURL == DefaultMeetingService {
		s.MeetingServiceURL = ""
	}
	if s.QuietWeeks > 0 && s.ConcludeAfterWeeks > 0 && s.ConcludeAfterWeeks <= 2*s.QuietWeeks {
		f.Add("conclude_after_weeks", fmt.Sprintf("Propose concluding only after the coordinators have heard: more than %d weeks (twice the quiet weeks).", 2*s.QuietWeeks))
	}
	f.OneOf("coaching_approach", "", CoachingApproachCoach, CoachingApproachCourse)
	s.CoachingApproach = f.Get("coaching_approach")
	if s.CoachingApproach == CoachingApproachCourse {
		courses, err := h.courseChoices(c)
		if err != nil {
			return err
		}
		s.CoachingApproachCourse = f.Get("coaching_approach_course")
		if !slices.ContainsFunc(courses, func(x CourseChoice) bool { return x.ID == s.CoachingApproachCourse }) {
			f.Add("coaching_approach_course", "Choose one of the organisation's published courses.")
		}
	}
	offsets, problem := ParseOffsets(f.Get("reminder_offsets"))
	if problem != "" {
		f.Add("reminder_offsets", problem)
	}
	s.ReminderOffsetsMinutes = offsets
	if !f.Valid() {
		return h.renderSettings(c, http.StatusUnprocessableEntity, f)
	}
	v := web.CurrentViewer(c)
	if err := h.Service.UpdateOrganisation(c.Request.Context(), v.Org.ID, actorOf(c), f.Get("name"), f.Get("time_zone"), s); err != nil {
		return err
	}
	web.AddFlash(c, "success", "The settings are saved.")
	web.Redirect(c, orgPath(c, "/settings"))
	return nil
}

// ParseOffsets reads reminder offsets such as "24h, 1h, 30m, 2d" (a bare
// number is minutes) into minutes, longest first.
func ParseOffsets(s string) ([]int, string) {
	out := []int{}
	for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		unit := 1
		switch {
		case strings.HasSuffix(part, "d"):
			unit, part = 24*60, strings.TrimSuffix(part, "d")
		case strings.HasSuffix(part, "h"):
			unit, part = 60, strings.TrimSuffix(part, "h")
		case strings.HasSuffix(part, "m"):
			part = strings.TrimSuffix(part, "m")
		}
		n, err := strconv.Atoi(part)
		if err != nil || n <= 0 {
			return nil, "Write each reminder as a number with h (hours), m (minutes) or d (days), separated by commas: for example 24h, 1h."
		}
		m := n * unit
		if m < 5 || m > 30*24*60 {
			return nil, "Each reminder must be between 5 minutes and 30 days before the session."
		}
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	if len(out) > 5 {
		return nil, "Use at most 5 reminders."
	}
	slices.SortFunc(out, func(a, b int) int { return b - a })
	return out, ""
}

// FormatOffsets writes offsets the way ParseOffsets reads them.
func FormatOffsets(minutes []int) string {
	parts := make([]string, 0, len(minutes))
	for _, m := range minutes {
		switch {
		case m%(24*60) == 0:
			parts = append(parts, strconv.Itoa(m/(24*60))+"d")
		case m%60 == 0:
			parts = append(parts, strconv.Itoa(m/60)+"h")
		default:
			parts = append(parts, strconv.Itoa(m)+"m")
		}
	}
	return strings.Join(parts, ", ")
}

// courseChoices are the courses the coaching-approach setting may name.
func (h *Handlers) courseChoices(c *gin.Context) ([]CourseChoice, error) {
	if h.Courses == nil {
		return nil, nil
	}
	return h.Courses(c.Request.Context(), web.CurrentViewer(c).Org.ID)
}
