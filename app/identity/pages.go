package identity

import (
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The identity pages.
const (
	// PageStart asks for the address to sign in with (and holds the
	// "Continue with your organisation" block the sign-in page shows).
	PageStart web.PageName = "identity/start"
	// PageProblem says why a sign-in was refused.
	PageProblem web.PageName = "identity/problem"
	// PageLink asks for an existing account's password before linking it.
	PageLink web.PageName = "identity/link"
	// PageSettings: the organisation's provider, for its admins.
	PageSettings web.PageName = "identity/settings"
)

// StartPage is what pages/identity/start.html shows: the form, or (block
// "sso") the offer for the address typed on the sign-in page.
type StartPage struct {
	Form  *web.Form
	Offer *Offer
	Email string
	Next  string
}

// ProblemPage says why a sign-in was refused.
type ProblemPage struct{ Message string }

// LinkPage asks for an existing account's password.
type LinkPage struct {
	Form  *web.Form
	Email string
}

// SettingsPage is the organisation's provider, for its admins.
type SettingsPage struct {
	Form                  *web.Form
	HasSecret, Configured bool
	RedirectURI, Slug     string
	Roles                 []tenancy.Role
}
