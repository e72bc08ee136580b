package mail

import "github.com/leadershiptoolbox/toolbox/app/web"

// The development outbox's pages.
const (
	PageOutbox web.PageName = "dev/outbox"
	PageEmail  web.PageName = "dev/email"
)
