package account

import "github.com/leadershiptoolbox/toolbox/app/web"

// The personal data pages.
const (
	PageDelete web.PageName = "account/delete"
)
