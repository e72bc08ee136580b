package ops

import "github.com/leadershiptoolbox/toolbox/app/web"

// The operator's console pages.
const (
	PageOrgs  web.PageName = "ops/orgs"
	PageOrg   web.PageName = "ops/org"
	PageWork  web.PageName = "ops/work"
	PageAudit web.PageName = "ops/audit"
)
