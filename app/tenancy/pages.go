package tenancy

import "github.com/leadershiptoolbox/toolbox/app/web"

// The pages of sign-up, the organisation list and dashboard, and the
// organisation admin pages.
const (
	PageSignup      web.PageName = "tenancy/signup"
	PageHome        web.PageName = "tenancy/home"
	PagePeople      web.PageName = "tenancy/people"
	PagePerson      web.PageName = "tenancy/person"
	PageInvitations web.PageName = "tenancy/invitations"
	PageInvitation  web.PageName = "tenancy/invitation"
	PageSettings    web.PageName = "tenancy/settings"
	PageAudit       web.PageName = "tenancy/audit"
	// PageRevokeInvitation asks to confirm revoking an invitation.
	PageRevokeInvitation web.PageName = "tenancy/revoke_invitation"
)
