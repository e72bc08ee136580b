package tenancy

import (
	"time"

	"github.com/leadershiptoolbox/toolbox/app/audit"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The page data of the organisation's pages, one type per page, so that
// a template reads fields the compiler knows.

// SignupPage is the sign-up form.
type SignupPage struct {
	Form  *web.Form
	Zones []string
}

// HomePage lists the person's organisations.
type HomePage struct {
	Memberships []ViewerMembership
}

// SettingsPage is the organisation's settings form.
type SettingsPage struct {
	Form  *web.Form
	Zones []string
	Slug  string
	// Courses are the published courses the coaching-approach signpost
	// may name.
	Courses []CourseChoice
}

// PeoplePage is one page of the people list and its fragments.
type PeoplePage struct {
	People  []Person
	Filter  PeopleFilter
	Roles   []Role
	Slug    string
	IsAdmin bool
	// Next is the link to the next page, "" at the end.
	Next string
}

// PersonPage is one person's page with the forms that change them.
type PersonPage struct {
	Person        *Person
	Roles         []Role
	Kinds         []string
	Others        []Person
	Slug          string
	RoleForm      *web.Form
	ManagerForm   *web.Form
	StatusForm    *web.Form
	TransferForm  *web.Form
	ViewerIsOwner bool
	IsSelf        bool
	KindOptions   []KindOption
}

// InvitationsPage is the invitation form, the bulk upload and the list.
type InvitationsPage struct {
	Form        *web.Form
	Upload      *web.Form
	Result      *BulkResult
	Invitations []InvitationListItem
	Roles       []Role
	Kinds       []string
	Now         time.Time
	Slug        string
	KindOptions []KindOption
}

// RevokeInvitationPage asks before revoking an invitation.
type RevokeInvitationPage struct {
	Slug       string
	Invitation *Invitation
}

// InvitationPage is the public page of an invitation.
type InvitationPage struct {
	Inv               *Invitation
	Org               *Organisation
	Inviter           string
	HasAccount        bool
	SignedInAsInvitee bool
	Token             string
	Form              *web.Form
	Role              string
	LoginURL          string
}

// AuditPage is the audit log and its "older" fragment.
type AuditPage struct {
	Form    *web.Form
	Events  []audit.Event
	Actions []string
	Slug    string
	Zone    string
	// Older is the link to the next page of older events, "" at the end.
	Older string
}
