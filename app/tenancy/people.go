package tenancy

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Errors of the people rules.
var (
	// ErrLastOwner: an organisation always keeps an active owner.
	ErrLastOwner = errors.New("tenancy: the last owner cannot be demoted, deactivated or removed")
	// ErrOwnersOnly: only an owner may change an owner, or make one.
	ErrOwnersOnly = errors.New("tenancy: only an owner may do that")
	// ErrSelf: a person cannot do this to themselves.
	ErrSelf = errors.New("tenancy: not on yourself")
	// ErrNotActiveMember: the person named is not an active member.
	ErrNotActiveMember = errors.New("tenancy: not an active member")
)

// change loads the target membership in a transaction that also sees the
// target's other memberships, runs edit on it, writes it and records the
// audit event edit returns.
func (s *Service) change(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID,
	edit func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (action, detail string, err error)) error {
	return s.DB.InTenantAs(ctx, orgID, target, func(ctx context.Context, tx bun.Tx) error {
		// The actor's role is read here, in the transaction, not trusted
		// from the request: it may have changed since.
		actorRole, err := s.Store.WithTx(tx).activeRole(ctx, orgID, a.UserID)
		if errors.Is(err, db.ErrNotFound) {
			return ErrOwnersOnly
		} else if err != nil {
			return err
		}
		a.Role = actorRole
		m, err := s.Store.WithTx(tx).membershipForUpdate(ctx, orgID, target)
		if err != nil {
			return err
		}
		actor, err := auth.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		subject, err := auth.UserByID(ctx, tx, target)
		if err != nil {
			return err
		}
		action, detail, err := edit(ctx, tx, a, m)
		if err != nil || action == "" {
			return err
		}
		m.UpdatedAt = s.Clock.Now()
		if err := s.Store.WithTx(tx).updateMembership(ctx, m); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actorName(actor.Name, actor.Email), Action: action,
			Target: subject.Email, Detail: detail, IP: a.IP, At: m.UpdatedAt,
		})
	})
}

// guardOwner applies the owner rules to a change of m that takes away
// ownership (or acts on an owner at all).
func (s *Service) guardOwner(ctx context.Context, tx bun.Tx, a Actor, m *Membership, losesOwnership bool) error {
	if m.Role != RoleOwner {
		return nil
	}
	if a.Role != RoleOwner {
		return ErrOwnersOnly
	}
	if losesOwnership && m.Status == StatusActive {
		n, err := s.Store.WithTx(tx).otherActiveOwners(ctx, m.OrgID, m.UserID)
		if err != nil {
			return err
		}
		if n == 0 {
			return ErrLastOwner
		}
	}
	return nil
}

// ChangeRole gives a member another role and practitioner kinds. Only an
// owner changes an owner or makes one; the last owner keeps the role.
func (s *Service) ChangeRole(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID, role Role, kinds []string) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if role == RoleOwner && a.Role != RoleOwner {
			return "", "", ErrOwnersOnly
		}
		if err := s.guardOwner(ctx, tx, a, m, role != RoleOwner); err != nil {
			return "", "", err
		}
		before := describeRole(m.Role, m.Kinds)
		m.Role, m.Kinds = role, strings.Join(kinds, ",")
		after := describeRole(m.Role, m.Kinds)
		if before == after {
			return "", "", nil
		}
		return audit.ActionRoleChanged, before + " → " + after, nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: change role of %s: %w", target, err)
	}
	return nil
}

// SetLineManager names a member's line manager: another member of the
// same organisation (uuid.Nil clears it).
func (s *Service) SetLineManager(ctx context.Context, orgID uuid.UUID, a Actor, target, manager uuid.UUID) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if manager == uuid.Nil {
			if m.LineManagerID == nil {
				return "", "", nil
			}
			m.LineManagerID = nil
			return audit.ActionLineManager, "cleared", nil
		}
		if manager == target {
			return "", "", ErrSelf
		}
		mgrEmail, err := s.Store.WithTx(tx).activeMemberEmail(ctx, orgID, manager)
		if errors.Is(err, db.ErrNotFound) {
			return "", "", ErrNotActiveMember
		} else if err != nil {
			return "", "", err
		}
		if m.LineManagerID != nil && *m.LineManagerID == manager {
			return "", "", nil
		}
		m.LineManagerID = &manager
		return audit.ActionLineManager, mgrEmail, nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: set line manager of %s: %w", target, err)
	}
	return nil
}

// Deactivate takes away a member's access to the organisation at once
// (the tenant wall checks the status on every request); their records
// stay. A person left with no active membership anywhere is signed out
// everywhere too, and cannot sign in again (see auth.AccessPolicy).
func (s *Service) Deactivate(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if target == a.UserID {
			return "", "", ErrSelf
		}
		if m.Status == StatusDeactivated {
			return "", "", nil
		}
		if err := s.guardOwner(ctx, tx, a, m, true); err != nil {
			return "", "", err
		}
		m.Status = StatusDeactivated
		others, err := s.Store.WithTx(tx).activeMembershipsElsewhere(ctx, orgID, target)
		if err != nil {
			return "", "", err
		}
		if others == 0 {
			if err := auth.BumpEpoch(ctx, tx, target); err != nil {
				return "", "", err
			}
		}
		return audit.ActionDeactivated, "", nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: deactivate %s: %w", target, err)
	}
	return nil
}

// Reactivate gives a deactivated member their access back.
func (s *Service) Reactivate(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID) error {
	err := s.change(ctx, orgID, a, target, func(ctx context.Context, tx bun.Tx, a Actor, m *Membership) (string, string, error) {
		if m.Status == StatusActive {
			return "", "", nil
		}
		if m.Role == RoleOwner && a.Role != RoleOwner {
			return "", "", ErrOwnersOnly
		}
		m.Status = StatusActive
		return audit.ActionReactivated, "", nil
	})
	if err != nil {
		return fmt.Errorf("tenancy: reactivate %s: %w", target, err)
	}
	return nil
}

// TransferOwnership makes an active member the owner; the acting owner
// becomes an admin. Both changes happen in one transaction.
func (s *Service) TransferOwnership(ctx context.Context, orgID uuid.UUID, a Actor, target uuid.UUID) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if target == a.UserID {
			return ErrSelf
		}
		from, err := s.Store.WithTx(tx).membershipForUpdate(ctx, orgID, a.UserID)
		if err != nil {
			return err
		}
		if from.Role != RoleOwner || from.Status != StatusActive {
			return ErrOwnersOnly
		}
		to, err := s.Store.WithTx(tx).membershipForUpdate(ctx, orgID, target)
		if err != nil {
			return err
		}
		if to.Status != StatusActive {
			return ErrNotActiveMember
		}
		actor, err := auth.UserByID(ctx, tx, a.UserID)
		if err != nil {
			return err
		}
		subject, err := auth.UserByID(ctx, tx, target)
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		to.Role, to.UpdatedAt = RoleOwner, now
		from.Role, from.UpdatedAt = RoleAdmin, now
		if err := s.Store.WithTx(tx).updateMembership(ctx, to); err != nil {
			return err
		}
		if err := s.Store.WithTx(tx).updateMembership(ctx, from); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{
			OrgID: orgID, ActorID: &actor.ID, Actor: actorName(actor.Name, actor.Email), Action: audit.ActionOwnership,
			Target: subject.Email, Detail: actor.Email + " → " + subject.Email, IP: a.IP, At: now,
		})
	})
	if err != nil {
		return fmt.Errorf("tenancy: transfer ownership to %s: %w", target, err)
	}
	return nil
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

func (h *Handlers) ShowPeoplePage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := PeopleFilter{Query: strings.TrimSpace(c.Query("q")), Status: c.Query("status")}
	if r, ok := ParseRole(c.Query("role")); ok {
		f.Role = r
	}
	if f.Status != StatusActive && f.Status != StatusDeactivated {
		f.Status = ""
	}
	if after, err := uuid.Parse(c.Query("after")); err == nil {
		f.After = after
	}
	people, more, err := h.Service.Store.PeoplePage(c.Request.Context(), v.Org.ID, f)
	if err != nil {
		return err
	}
	data := PeoplePage{People: people, Filter: f, Roles: Roles, Slug: v.Org.Slug, IsAdmin: Has(v, Admins...), Next: nextPage(c, more, "after", func() string {
		return people[len(people)-1].UserID.String()
	})}
	page := web.NewPage(c, "People", data)
	page.Nav = "people"
	// The search swaps the results; "More people" appends a page.
	return h.Renderer.Render(c, http.StatusOK, PagePeople, page,
		web.Fragment{Target: "people-results", Block: "people-results", Data: data},
		web.Fragment{Target: "people-more", Block: "people-rows", Data: data})
}

// target loads the member named by :userID in the current organisation:
// anything else is 404, before any input is looked at.
func (h *Handlers) target(c *gin.Context) (*Person, error) {
	id, err := web.IDParam(c, "userID")
	if err != nil {
		return nil, err
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
	page := web.NewPage(c, p.Name, PersonPage{
		Person: p, Roles: Roles, Kinds: Kinds, Others: others, Slug: v.Org.Slug,
		RoleForm: roleForm, ManagerForm: managerForm, StatusForm: statusForm, TransferForm: transferForm,
		ViewerIsOwner: v.Org.Role == string(RoleOwner), IsSelf: p.UserID == v.UserID,
		KindOptions: kindOptions(roleForm.Values["kinds"]),
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
