package calendar

import (
	"time"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the calendar pages.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

func viewerZone(v *web.Viewer) *time.Location {
	if loc := loadZone(v.Zone()); loc != nil {
		return loc
	}
	return time.UTC
}

// base is the calendar's URL prefix for the current organisation.
func base(v *web.Viewer) string { return "/o/" + v.Org.Slug + "/calendar" }

// maxWindowDays is the longest booking window a practitioner may set; the
// booking page asks for slots that far and the practitioner's own window
// (applied in Slots) cuts them short.
const maxWindowDays = 365
