// Package tenancy owns organisations (the tenants), memberships and roles,
// invitations, and the tenant wall: the middleware that resolves
// /o/{slug} to an organisation the person belongs to, with their role.
package tenancy

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Organisation is a tenant.
type Organisation struct {
	bun.BaseModel `bun:"table:organisations"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	Slug      string    `bun:"slug"`
	Name      string    `bun:"name"`
	TimeZone  string    `bun:"time_zone"`
	Settings  Settings  `bun:"settings"`
	CreatedAt time.Time `bun:"created_at"`
	// SuspendedAt is set while a platform operator has suspended the
	// organisation: its people see a page saying so, sign-in is refused,
	// and its background work waits (app/ops).
	SuspendedAt     *time.Time `bun:"suspended_at"`
	SuspendedReason string     `bun:"suspended_reason"`
}

// Settings are an organisation's policies; later features add fields.
type Settings struct {
	// MinCancelNoticeHours is how long before a session a member may still
	// cancel it without a practitioner or admin overriding.
	MinCancelNoticeHours int `json:"min_cancel_notice_hours"`
	// ReminderOffsetsMinutes are when reminders go out before a session.
	ReminderOffsetsMinutes []int `json:"reminder_offsets_minutes"`
	// SelfSelection lets members pick a practitioner from the top matches.
	SelfSelection bool `json:"self_selection"`
	// ProposalDays is how long a practitioner has to answer a proposal.
	ProposalDays int `json:"proposal_days"`
	// FeedbackToCoordinators lets coordinators read individual feedback
	// after sessions; otherwise they see aggregates over five people or
	// more, as practitioners do.
	FeedbackToCoordinators bool `json:"feedback_to_coordinators"`
	// QuietWeeks is how many weeks without a session booked in an active
	// relationship before both sides are nudged (0: the default, 3).
	QuietWeeks int `json:"quiet_weeks"`
	// ConcludeAfterWeeks is how many weeks without a session before a
	// quiet relationship is proposed for concluding, a week ahead, unless
	// someone objects (0: the default, 12).
	ConcludeAfterWeeks int `json:"conclude_after_weeks"`
	// LongSessionMinutes is the longest session scheduled without being
	// asked "do you mean it?" (0: the default, four hours).
	LongSessionMinutes int `json:"long_session_minutes,omitempty"`
	// MeetingServiceURL is the self-hostable meeting service (Jitsi Meet
	// or alike: a room is its address plus a name, no API key) where
	// practitioners who choose "a new room for each session" get one
	// ("": DefaultMeetingService).
	MeetingServiceURL string `json:"meeting_service_url,omitempty"`
	// CoachingApproach is where the needs assessment signposts a person who
	// wants support to apply a coaching approach to their leadership:
	// "course" (CoachingApproachCourse, one of the organisation's courses)
	// or a coach ("coach" or "", the default).
	CoachingApproach       string `json:"coaching_approach,omitempty"`
	CoachingApproachCourse string `json:"coaching_approach_course,omitempty"`
}

// Where the coaching-approach outcome signposts.
const (
	CoachingApproachCoach  = "coach"
	CoachingApproachCourse = "course"
)

// CourseChoice is a course an admin may choose in the settings.
type CourseChoice struct {
	ID, Title string
}

// DefaultMeetingService is the meeting service used until an admin
// names their own.
const DefaultMeetingService = "https://meet.jit.si"

// MeetingService is MeetingServiceURL, or its default, without a
// trailing slash.
func (s Settings) MeetingService() string {
	if s.MeetingServiceURL != "" {
		return strings.TrimRight(s.MeetingServiceURL, "/")
	}
	return DefaultMeetingService
}

// Defaults of the quiet-relationship settings.
const (
	DefaultQuietWeeks         = 3
	DefaultConcludeAfterWeeks = 12
)

// EffectiveQuietWeeks is QuietWeeks, or its default.
func (s Settings) EffectiveQuietWeeks() int {
	if s.QuietWeeks > 0 {
		return s.QuietWeeks
	}
	return DefaultQuietWeeks
}

// EffectiveConcludeAfterWeeks is ConcludeAfterWeeks, or its default, and
// always after the coordinators have heard (twice the quiet weeks).
func (s Settings) EffectiveConcludeAfterWeeks() int {
	w := s.ConcludeAfterWeeks
	if w <= 0 {
		w = DefaultConcludeAfterWeeks
	}
	return max(w, 2*s.EffectiveQuietWeeks()+1)
}

// DefaultLongSessionMinutes is how long a session may be before
// scheduling it asks for a confirmation, unless the organisation says.
const DefaultLongSessionMinutes = 240

// LongSession is the longest session scheduled without a confirmation.
func (s Settings) LongSession() int {
	if s.LongSessionMinutes > 0 {
		return s.LongSessionMinutes
	}
	return DefaultLongSessionMinutes
}

// DefaultSettings are a new organisation's policies.
func DefaultSettings() Settings {
	return Settings{MinCancelNoticeHours: 24, ReminderOffsetsMinutes: []int{24 * 60, 60}, ProposalDays: 5}
}

// Role is what a person may do in an organisation.
type Role string

const (
	RoleOwner        Role = "owner"
	RoleAdmin        Role = "admin"
	RoleCoordinator  Role = "coordinator"
	RolePractitioner Role = "practitioner"
	RoleMember       Role = "member"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleOwner, RoleAdmin, RoleCoordinator, RolePractitioner, RoleMember}

// Permission groups, as used in the route table.
var (
	// Anyone is every active member of the organisation.
	Anyone = Roles
	// Staff run the programme: assessments, matching, reports.
	Staff = []Role{RoleOwner, RoleAdmin, RoleCoordinator}
	// Admins manage people, settings and billing.
	Admins = []Role{RoleOwner, RoleAdmin}
	// Owners alone transfer ownership.
	Owners = []Role{RoleOwner}
	// Practitioners offer mentoring, coaching or supervision.
	Practitioners = []Role{RolePractitioner, RoleCoordinator, RoleAdmin, RoleOwner}
)

// ParseRole accepts a role name.
func ParseRole(s string) (Role, bool) {
	r := Role(strings.TrimSpace(strings.ToLower(s)))
	return r, slices.Contains(Roles, r)
}

// Practitioner kinds.
const (
	KindMentor     = "mentor"
	KindCoach      = "coach"
	KindSupervisor = "supervisor"
)

// Kinds lists the practitioner kinds.
var Kinds = []string{KindMentor, KindCoach, KindSupervisor}

// ParseKinds reads a comma-separated list of kinds, dropping unknown ones
// and duplicates, in canonical order.
func ParseKinds(s string) []string {
	var out []string
	for _, k := range Kinds {
		for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
			if part == k {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// Membership statuses.
const (
	StatusActive      = "active"
	StatusDeactivated = "deactivated"
)

// Membership is a person's place in an organisation.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	ID            uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID         uuid.UUID  `bun:"org_id,type:uuid"`
	UserID        uuid.UUID  `bun:"user_id,type:uuid"`
	Role          Role       `bun:"role"`
	Kinds         string     `bun:"kinds"`
	LineManagerID *uuid.UUID `bun:"line_manager_id,type:uuid"`
	Status        string     `bun:"status"`
	CreatedAt     time.Time  `bun:"created_at"`
	UpdatedAt     time.Time  `bun:"updated_at"`
}

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// reservedSlugs would be confusing or collide with our own paths.
var reservedSlugs = []string{
	"admin", "administrator", "api", "app", "assets", "account", "billing", "dashboard", "dev", "docs", "help",
	"home", "login", "logout", "new", "o", "operator", "org", "organisation", "organization", "password", "pricing",
	"root", "settings", "signup", "static", "status", "support", "system", "toolbox", "verify", "webhooks", "www",
}

// SlugProblem says what is wrong with a proposed slug, or "".
func SlugProblem(slug string) string {
	switch {
	case len(slug) < 2:
		return "Use at least 2 characters."
	case len(slug) > 40:
		return "Use at most 40 characters."
	case !slugPattern.MatchString(slug):
		return "Use lowercase letters, digits and hyphens only, starting and ending with a letter or digit."
	case strings.Contains(slug, "--"):
		return "Do not use two hyphens in a row."
	case slices.Contains(reservedSlugs, slug):
		return "That address is reserved. Please choose another."
	}
	return ""
}

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation states, as the invitations page shows them.
const (
	InvitePending  = "pending"
	InviteAccepted = "accepted"
	InviteRevoked  = "revoked"
	InviteExpired  = "expired"
)

// Invitation asks a person, by e-mail, to join an organisation in a role.
type Invitation struct {
	bun.BaseModel `bun:"table:invitations"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID      uuid.UUID  `bun:"org_id,type:uuid"`
	Email      string     `bun:"email"`
	Name       string     `bun:"name"`
	Role       Role       `bun:"role"`
	Kinds      string     `bun:"kinds"`
	TokenHash  string     `bun:"token_hash"`
	InvitedBy  *uuid.UUID `bun:"invited_by,type:uuid"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	AcceptedAt *time.Time `bun:"accepted_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	SentCount  int        `bun:"sent_count"`
	CreatedAt  time.Time  `bun:"created_at"`
}

// State says whether the invitation can still be accepted, and if not, why.
func (i *Invitation) State(now time.Time) string {
	switch {
	case i.AcceptedAt != nil:
		return InviteAccepted
	case i.RevokedAt != nil:
		return InviteRevoked
	case !now.Before(i.ExpiresAt):
		return InviteExpired
	}
	return InvitePending
}

// InvitableRoles are the roles an invitation may carry: ownership is
// handed over by a transfer, never by an e-mail.
var InvitableRoles = []Role{RoleAdmin, RoleCoordinator, RolePractitioner, RoleMember}

// ProviderRoles are the roles an organisation's identity provider may give
// the people it signs in for the first time: never owner or admin (an admin
// promotes people afterwards), nor practitioner, which needs kinds.
var ProviderRoles = []Role{RoleMember, RoleCoordinator}

// ErrMembershipDeactivated: the person's membership was deactivated by the
// organisation's admins; signing in through its provider does not bring it back.
var ErrMembershipDeactivated = errors.New("tenancy: membership deactivated")
