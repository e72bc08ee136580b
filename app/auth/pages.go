package auth

import "github.com/leadershiptoolbox/toolbox/app/web"

// The pages of signing in and out, e-mailed links and the account.
const (
	PageLogin       web.PageName = "auth/login"
	PageVerify      web.PageName = "auth/verify"
	PageForgot      web.PageName = "auth/forgot"
	PageReset       web.PageName = "auth/reset"
	PageAccount     web.PageName = "auth/account"
	PageLinkInvalid web.PageName = "auth/link_invalid"
	PageChangeEmail web.PageName = "auth/change_email"
)
