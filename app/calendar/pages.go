package calendar

import "github.com/leadershiptoolbox/toolbox/app/web"

// The calendar's pages.
const (
	PageWeek         web.PageName = "calendar/index"
	PageAvailability web.PageName = "calendar/availability"
	PageBook         web.PageName = "calendar/book"
	PageNewSession   web.PageName = "calendar/new"
	PageSession      web.PageName = "calendar/session"
	PageFeed         web.PageName = "calendar/feed"
	PageSessionTypes web.PageName = "calendar/session_types"
	// PageMeeting: a practitioner's choice of meeting link.
	PageMeeting web.PageName = "calendar/meeting"
)
