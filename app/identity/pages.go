package identity

import "github.com/leadershiptoolbox/toolbox/app/web"

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
