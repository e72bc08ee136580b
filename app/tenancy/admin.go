package tenancy

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

func actorOf(c *gin.Context) Actor {
	v := web.CurrentViewer(c)
	return Actor{UserID: v.UserID, Role: Role(v.Org.Role), IP: c.ClientIP()}
}

func orgPath(c *gin.Context, rest string) string {
	return "/o/" + url.PathEscape(web.CurrentViewer(c).Org.Slug) + rest
}

// KindOption is a practitioner kind checkbox.
type KindOption struct {
	Value   string
	Checked bool
}

func kindOptions(selected []string) []KindOption {
	out := make([]KindOption, 0, len(Kinds))
	for _, k := range Kinds {
		out = append(out, KindOption{Value: k, Checked: slices.Contains(selected, k)})
	}
	return out
}

// ---- People ----

func (h *Handlers) ShowPeoplePage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := PeopleFilter{Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status")}
	if r, ok := ParseRole(c.Query("role")); ok {
		f.Role = r
	}
	if f.Status != StatusActive && f.Status != StatusDeactivated {
		f.Status = ""
	}
	people, err := h.Service.Store.People(c.Request.Context(), v.Org.ID, f)
	if err != nil {
		return err
	}
	data := gin.H{"People": people, "Filter": f, "Roles": Roles, "Slug": v.Org.Slug}
	if web.IsFragmentRequest(c.Request) && c.GetHeader("HX-Target") == "people-results" {
		return h.Renderer.RenderBlock(c, http.StatusOK, PagePeople, "people-results", data)
	}
	page := web.NewPage(c, "People", data)
	page.Nav = "people"
	return h.Renderer.Render(c, http.StatusOK, PagePeople, page)
}

// target loads the member named by :userID in the current organisation:
// anything else is 404, before any input is looked at.
func (h *Handlers) target(c *gin.Context) (*Person, error) {
	id, err := uuid.Parse(c.Param("userID"))
	if err != nil {
		return nil, db.ErrNotFound
	}
	return h.Service.Store.Member(c.Request.Context(), web.CurrentViewer(c).Org.ID, id)
}

// requireTarget is 404 unless :userID is a member of the organisation.
func (h *Handlers) RequireTarget(c *gin.Context) error {
	_, err := h.target(c)
	return err
}

func (h *Handlers) renderPerson(c *gin.Context, status int, p *Person, roleForm, managerForm, statusForm, transferForm *web.Form) error {
	v := web.CurrentViewer(c)
	if roleForm == nil {
		roleForm = web.NewForm(nil)
		roleForm.Set("role", string(p.Role))
		for _, k := range ParseKinds(p.Kinds) {
			roleForm.Values.Add("kinds", k)
		}
	}
	if managerForm == nil {
		managerForm = web.NewForm(nil)
		if p.LineManagerID != nil {
			managerForm.Set("manager_id", p.LineManagerID.String())
		}
	}
	if statusForm == nil {
		statusForm = web.NewForm(nil)
	}
	if transferForm == nil {
		transferForm = web.NewForm(nil)
	}
	others, err := h.Service.Store.People(c.Request.Context(), v.Org.ID, PeopleFilter{Status: StatusActive})
	if err != nil {
		return err
	}
	others = slices.DeleteFunc(others, func(o Person) bool { return o.UserID == p.UserID })
	page := web.NewPage(c, p.Name, gin.H{
		"Person": p, "Roles": Roles, "Kinds": Kinds, "Others": others, "Slug": v.Org.Slug,
		"RoleForm": roleForm, "ManagerForm": managerForm, "StatusForm": statusForm, "TransferForm": transferForm,
		"ViewerIsOwner": v.Org.Role == string(RoleOwner), "IsSelf": p.UserID == v.UserID,
		"KindOptions": kindOptions(roleForm.Values["kinds"]),
	})
	page.Nav = "people"
	return h.Renderer.Render(c, status, PagePerson, page)
}

func (h *Handlers) ShowPersonPage(c *gin.Context) error {
	p, err := h.target(c)
	if err != nil {
		return err
	}
	return h.renderPerson(c, http.StatusOK, p, nil, nil, nil, nil)
}

// peopleProblem turns a rule's refusal into a message beside a field, or
// passes other errors on.
func peopleProblem(err error) (string, bool) {
	switch {
	case errors.Is(err, ErrLastOwner):
		return "This is the organisation's last owner. Transfer ownership to someone else first.", true
	case errors.Is(err, ErrSelf):
		return "You cannot do this to yourself; ask another admin.", true
	case errors.Is(err, ErrNotActiveMember):
		return "Choose an active member of this organisation.", true
	}
	return "", false
}

func (h *Handlers) ChangeRole(c *gin.Context) error {
	p, err := h.target(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("role")
	role, ok := ParseRole(f.Get("role"))
	if f.Get("role") != "" && !ok {
		f.Add("role", "Choose one of the roles offered.")
	}
	kinds, reason := CheckKinds(role, strings.Join(f.Values["kinds"], ","))
	if reason != "" && ok {
		f.Add("kinds", reason)
	}
	if f.Valid() {
		err := h.Service.ChangeRole(c.Request.Context(), web.CurrentViewer(c).Org.ID, actorOf(c), p.UserID, role, kinds)
		if msg, known := peopleProblem(err); known {
			f.Add("role", msg)
		} else if errors.Is(err, ErrOwnersOnly) {
			return web.Errorf(http.StatusForbidden, "Only an owner can change an owner's role or make someone an owner.")
		} else if err != nil {
			return err
		} else {
			if p.UserID == web.CurrentViewer(c).UserID {
				if err := h.rotate(c); err != nil {
					return err
				}
			}
			web.AddFlash(c, "success", "The role of "+p.Name+" is saved.")
			web.Redirect(c, orgPath(c, "/people/"+p.UserID.String()))
			return nil
		}
	}
	return h.renderPerson(c, http.StatusUnprocessableEntity, p, f, nil, nil, nil)
}

// rotate renews the viewer's session token after their own privileges
// changed.
func (h *Handlers) rotate(c *gin.Context) error {
	u, err := auth.UserByID(c.Request.Context(), h.Service.DB, web.CurrentViewer(c).UserID)
	if err != nil {
		return err
	}
	return h.Service.Auth.Sessions.Rotate(c, u)
}

func (h *Handlers) SetLineManager(c *gin.Context) error {
	p, err := h.target(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	manager := uuid.Nil
	if raw := f.Get("manager_id"); raw != "" {
		if manager, err = uuid.Parse(raw); err != nil {
			f.Add("manager_id", "Choose an active member of this organisation.")
		}
	}
	if f.Valid() {
		err := h.Service.SetLineManager(c.Request.Context(), web.CurrentViewer(c).Org.ID, actorOf(c), p.UserID, manager)
		if msg, known := peopleProblem(err); known {
			f.Add("manager_id", msg)
		} else if err != nil {
			return err
		} else {
			web.AddFlash(c, "success", "The line manager of "+p.Name+" is saved.")
			web.Redirect(c, orgPath(c, "/people/"+p.UserID.String()))
			return nil
		}
	}
	return h.renderPerson(c, http.StatusUnprocessableEntity, p, nil, f, nil, nil)
}

func (h *Handlers) SetStatus(active bool) web.HandlerFunc {
	return func(c *gin.Context) error {
		p, err := h.target(c)
		if err != nil {
			return err
		}
		orgID := web.CurrentViewer(c).Org.ID
		if active {
			err = h.Service.Reactivate(c.Request.Context(), orgID, actorOf(c), p.UserID)
		} else {
			err = h.Service.Deactivate(c.Request.Context(), orgID, actorOf(c), p.UserID)
		}
		if msg, known := peopleProblem(err); known {
			f := web.NewForm(nil)
			f.Add("status", msg)
			return h.renderPerson(c, http.StatusUnprocessableEntity, p, nil, nil, f, nil)
		}
		if errors.Is(err, ErrOwnersOnly) {
			return web.Errorf(http.StatusForbidden, "Only an owner can deactivate or reactivate an owner.")
		}
		if err != nil {
			return err
		}
		if active {
			web.AddFlash(c, "success", p.Name+" has access again.")
		} else {
			web.AddFlash(c, "success", p.Name+" no longer has access to this organisation. Their records stay.")
		}
		web.Redirect(c, orgPath(c, "/people/"+p.UserID.String()))
		return nil
	}
}

func (h *Handlers) TransferOwnership(c *gin.Context) error {
	p, err := h.target(c)
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("password")
	if f.Valid() {
		u, err := auth.UserByID(c.Request.Context(), h.Service.DB, v.UserID)
		if err != nil {
			return err
		}
		if ok, err := auth.CheckPassword(u.PasswordHash, f.Values.Get("password")); err != nil {
			return err
		} else if !ok {
			f.Add("password", "That is not your password.")
		}
	}
	if f.Valid() {
		err := h.Service.TransferOwnership(c.Request.Context(), v.Org.ID, actorOf(c), p.UserID)
		if msg, known := peopleProblem(err); known {
			f.Add("password", msg)
		} else if errors.Is(err, ErrOwnersOnly) {
			return web.ErrForbidden
		} else if err != nil {
			return err
		} else {
			if err := h.rotate(c); err != nil {
				return err
			}
			web.AddFlash(c, "success", p.Name+" is now the owner of "+v.Org.Name+"; you are an admin.")
			web.Redirect(c, orgPath(c, "/people/"+p.UserID.String()))
			return nil
		}
	}
	return h.renderPerson(c, http.StatusUnprocessableEntity, p, nil, nil, nil, f)
}

// ---- Invitations ----

func (h *Handlers) renderInvitations(c *gin.Context, status int, f *web.Form, upload *web.Form, result *BulkResult) error {
	v := web.CurrentViewer(c)
	list, err := h.Service.Store.Invitations(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	if f == nil {
		f = web.NewForm(nil)
		f.Set("role", string(RoleMember))
	}
	if upload == nil {
		upload = web.NewForm(nil)
	}
	page := web.NewPage(c, "Invitations", gin.H{
		"Form": f, "Upload": upload, "Result": result, "Invitations": list, "Roles": InvitableRoles, "Kinds": Kinds,
		"Now": h.Service.Clock.Now(), "Slug": v.Org.Slug, "KindOptions": kindOptions(f.Values["kinds"]),
	})
	page.Nav = "people"
	return h.Renderer.Render(c, status, PageInvitations, page)
}

func (h *Handlers) ShowInvitationsPage(c *gin.Context) error {
	return h.renderInvitations(c, http.StatusOK, nil, nil, nil)
}

var errUnverifiedInviter = web.Errorf(http.StatusForbidden, "Please confirm your e-mail address before inviting others: use the link we sent you, or ask for a new one from the banner at the top of the page.")

func (h *Handlers) Invite(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if !v.Verified {
		return errUnverifiedInviter
	}
	f := web.NewForm(web.PostedForm(c))
	f.MaxLength("name", 120)
	email, reason := CheckEmail(f.Get("email"))
	if reason != "" {
		f.Add("email", reason)
	}
	role, reason := CheckInviteRole(f.Get("role"))
	if reason != "" {
		f.Add("role", reason)
	}
	kinds, reason := CheckKinds(role, strings.Join(f.Values["kinds"], ","))
	if reason != "" && role != "" {
		f.Add("kinds", reason)
	}
	if f.Valid() {
		_, err := h.Service.Invite(c.Request.Context(), v.Org.ID, actorOf(c), InviteRow{Email: email, Name: f.Get("name"), Role: role, Kinds: kinds})
		switch {
		case errors.Is(err, ErrNotVerified):
			return errUnverifiedInviter
		case errors.Is(err, ErrAlreadyMember):
			f.Add("email", "This person is already a member of the organisation.")
		case errors.Is(err, ErrAlreadyInvited):
			f.Add("email", "This address already has an open invitation; resend it from the list below.")
		case err != nil:
			return err
		default:
			web.AddFlash(c, "success", "We e-mailed an invitation to "+email+".")
			web.Redirect(c, orgPath(c, "/invitations"))
			return nil
		}
	}
	return h.renderInvitations(c, http.StatusUnprocessableEntity, f, nil, nil)
}

func (h *Handlers) UploadInvitations(c *gin.Context) error {
	v := web.CurrentViewer(c)
	if !v.Verified {
		return errUnverifiedInviter
	}
	upload := web.NewForm(nil)
	file, header, err := c.Request.FormFile("file")
	if err != nil {
		upload.Add("file", "Choose a CSV file to upload.")
		return h.renderInvitations(c, http.StatusUnprocessableEntity, nil, upload, nil)
	}
	defer file.Close()
	allOrNothing := c.Request.FormValue("all_or_nothing") != ""
	if allOrNothing {
		upload.Set("all_or_nothing", "on")
	}
	if header.Size > MaxCSVBytes {
		upload.Add("file", "The file is larger than 1 MB. Split it into smaller files.")
		return h.renderInvitations(c, http.StatusUnprocessableEntity, nil, upload, nil)
	}
	rows, problems, err := ParseInvitationsCSV(file)
	var csvErr *CSVError
	if errors.As(err, &csvErr) {
		upload.Add("file", csvErr.Reason)
		return h.renderInvitations(c, http.StatusUnprocessableEntity, nil, upload, nil)
	}
	if err != nil {
		return err
	}
	res, err := h.Service.InviteMany(c.Request.Context(), v.Org.ID, actorOf(c), rows, problems, allOrNothing)
	if errors.Is(err, ErrNotVerified) {
		return errUnverifiedInviter
	}
	if err != nil {
		return err
	}
	status := http.StatusOK
	if len(res.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.renderInvitations(c, status, nil, upload, res)
}

func (h *Handlers) InvitationAction(resend bool) web.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := uuid.Parse(c.Param("id"))
		if err != nil {
			return db.ErrNotFound
		}
		v := web.CurrentViewer(c)
		var inv *Invitation
		if resend {
			if !v.Verified {
				return errUnverifiedInviter
			}
			inv, err = h.Service.ResendInvitation(c.Request.Context(), v.Org.ID, actorOf(c), id)
		} else {
			inv, err = h.Service.RevokeInvitation(c.Request.Context(), v.Org.ID, actorOf(c), id)
		}
		switch {
		case errors.Is(err, ErrInvitationGone):
			return web.Errorf(http.StatusConflict, "That invitation was already accepted or revoked.")
		case errors.Is(err, ErrNotVerified):
			return errUnverifiedInviter
		case err != nil:
			return err
		case resend:
			web.AddFlash(c, "success", "We e-mailed a new link to "+inv.Email+"; the old one no longer works.")
		default:
			web.AddFlash(c, "success", "The invitation to "+inv.Email+" is revoked; its link no longer works.")
		}
		web.Redirect(c, orgPath(c, "/invitations"))
		return nil
	}
}

// showInvitationPage shows who invites the person to what; accepting is a
// POST, so that mail scanners following the link do not spend it.
func (h *Handlers) ShowInvitationPage(c *gin.Context) error {
	inv, err := h.Service.InvitationByToken(c.Request.Context(), c.Param("token"))
	if errors.Is(err, db.ErrNotFound) {
		return h.invitationInvalid(c)
	}
	if err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Set("name", inv.Invitation.Name)
	return h.renderInvitation(c, http.StatusOK, inv, f)
}

func (h *Handlers) renderInvitation(c *gin.Context, status int, inv *OpenInvitation, f *web.Form) error {
	v := web.CurrentViewer(c)
	signedInAsInvitee := v != nil && inv.Account != nil && v.UserID == inv.Account.ID
	return h.Renderer.Render(c, status, PageInvitation, web.NewPage(c, "Invitation to "+inv.Org.Name, gin.H{
		"Inv": inv.Invitation, "Org": inv.Org, "Inviter": inv.Inviter, "HasAccount": inv.Account != nil,
		"SignedInAsInvitee": signedInAsInvitee, "Token": c.Param("token"), "Form": f,
		"Role":     describeRole(inv.Invitation.Role, inv.Invitation.Kinds),
		"LoginURL": "/login?next=" + url.QueryEscape("/invitations/"+c.Param("token")),
	}))
}

func (h *Handlers) invitationInvalid(c *gin.Context) error {
	return h.Renderer.Render(c, http.StatusNotFound, auth.PageLinkInvalid, web.NewPage(c, "Link no longer valid", gin.H{"Invitation": true}))
}

func (h *Handlers) AcceptInvitation(c *gin.Context) error {
	ctx := c.Request.Context()
	token := c.Param("token")
	inv, err := h.Service.InvitationByToken(ctx, token)
	if errors.Is(err, db.ErrNotFound) {
		return h.invitationInvalid(c)
	}
	if err != nil {
		return err
	}
	v := web.CurrentViewer(c)
	viewerID := uuid.Nil
	if v != nil {
		viewerID = v.UserID
	}
	f := web.NewForm(web.PostedForm(c))
	var acc *NewAccount
	if inv.Account == nil {
		f.Required("name", "password")
		f.MaxLength("name", 120)
		if p := auth.PasswordProblem(f.Values.Get("password"), inv.Invitation.Email); p != "" && f.Get("password") != "" {
			f.Add("password", p)
		}
		if !f.Valid() {
			return h.renderInvitation(c, http.StatusUnprocessableEntity, inv, f)
		}
		acc = &NewAccount{Name: f.Get("name"), Password: f.Values.Get("password")}
	} else if viewerID != inv.Account.ID {
		return h.renderInvitation(c, http.StatusForbidden, inv, f)
	}
	user, org, err := h.Service.AcceptInvitation(ctx, token, viewerID, acc, c.ClientIP())
	switch {
	case errors.Is(err, db.ErrNotFound):
		return h.invitationInvalid(c)
	case errors.Is(err, ErrSignInFirst), errors.Is(err, ErrNeedAccountForm):
		return h.renderInvitation(c, http.StatusForbidden, inv, f)
	case err != nil:
		return err
	}
	// A new privilege (or a new account): a new session token.
	if err := h.Service.Auth.Sessions.SignIn(c, user); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Welcome to "+org.Name+"!")
	web.Redirect(c, "/o/"+url.PathEscape(org.Slug))
	return nil
}

// ---- Settings ----

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
		if org.Settings.SelfSelection {
			f.Set("self_selection", "on")
		}
	}
	page := web.NewPage(c, "Settings", gin.H{"Form": f, "Zones": web.TimeZones(), "Slug": v.Org.Slug})
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

// ---- Audit log ----

func (h *Handlers) ShowAuditPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	loc, err := time.LoadLocation(v.Zone())
	if err != nil {
		loc = time.UTC
	}
	f := web.NewForm(c.Request.URL.Query())
	filter := audit.Filter{Actor: f.Get("actor"), Limit: 50}
	if a := f.Get("action"); a != "" {
		if !slices.Contains(h.auditActions(), a) {
			f.Add("action", "Choose one of the actions offered.")
		} else {
			filter.Action = a
		}
	}
	day := func(name string) time.Time {
		raw := f.Get(name)
		if raw == "" {
			return time.Time{}
		}
		t, err := time.ParseInLocation("2006-01-02", raw, loc)
		if err != nil {
			f.Add(name, "Enter a date such as 2027-03-01.")
			return time.Time{}
		}
		return t
	}
	filter.From = day("from")
	if to := day("to"); !to.IsZero() {
		filter.To = to.AddDate(0, 0, 1)
	}
	if raw := f.Get("before"); raw != "" {
		if filter.Before, err = uuid.Parse(raw); err != nil {
			f.Add("before", "bad page")
		}
	}
	status := http.StatusOK
	var events []audit.Event
	if f.Valid() {
		if events, err = h.Audit.List(c.Request.Context(), v.Org.ID, filter); err != nil {
			return err
		}
	} else {
		status = http.StatusUnprocessableEntity
	}
	older := ""
	if len(events) == filter.Limit {
		q := c.Request.URL.Query()
		q.Set("before", events[len(events)-1].ID.String())
		older = "?" + q.Encode()
	}
	page := web.NewPage(c, "Audit log", gin.H{"Form": f, "Events": events, "Actions": h.auditActions(), "Older": older, "Slug": v.Org.Slug})
	page.Nav = "audit"
	return h.Renderer.Render(c, status, PageAudit, page)
}
