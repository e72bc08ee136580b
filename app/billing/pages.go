package billing

import "github.com/leadershiptoolbox/toolbox/app/web"

// Billing's pages.
const (
	PagePurchased web.PageName = "billing/purchased"
	PageHistory   web.PageName = "billing/history"
	PageEvents    web.PageName = "billing/events"
	PageSeats     web.PageName = "billing/seats"
)
