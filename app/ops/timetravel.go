package ops

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// PageDevClock is the time-travel page of trials and browser tests.
const PageDevClock web.PageName = "dev/clock"

// MaxTravelDays bounds one move of the clock: a year is more than any
// nudge, review or report period needs.
const MaxTravelDays = 366

// TimeTravel serves /dev/clock (config.TimeTravel): it moves the
// application's clock forward, so that a trial or a browser test can see
// a relationship go quiet, be nudged and be concluded without waiting
// weeks. The scheduled scans run on the machine's timers and read the
// moved clock on their next round.
type TimeTravel struct {
	Clock    *clock.Shifted
	Renderer *web.Renderer
}

// ClockPage is what /dev/clock shows.
type ClockPage struct {
	Now       time.Time
	AheadDays float64
	Form      *web.Form
}

// ShowClockPage shows the application's time and the form to move it.
func (t *TimeTravel) ShowClockPage(c *gin.Context) error {
	return t.render(c, http.StatusOK, web.NewForm(nil))
}

// Advance moves the clock forward by the posted number of days.
func (t *TimeTravel) Advance(c *gin.Context) error {
	f := web.NewForm(web.PostedForm(c))
	f.Required("days")
	days, err := strconv.Atoi(f.Get("days"))
	if f.Valid() && (err != nil || days < 1 || days > MaxTravelDays) {
		f.Add("days", "Give a whole number of days from 1 to "+strconv.Itoa(MaxTravelDays)+": the clock only moves forward.")
	}
	if !f.Valid() {
		return t.render(c, http.StatusUnprocessableEntity, f)
	}
	t.Clock.Advance(time.Duration(days) * 24 * time.Hour)
	web.AddFlash(c, "success", "The clock moved forward "+strconv.Itoa(days)+" days. Scheduled work catches up on its next round.")
	web.Redirect(c, "/dev/clock")
	return nil
}

func (t *TimeTravel) render(c *gin.Context, status int, f *web.Form) error {
	page := ClockPage{Now: t.Clock.Now(), AheadDays: t.Clock.Offset().Hours() / 24, Form: f}
	return t.Renderer.Render(c, status, PageDevClock, web.NewPage(c, "Time travel", page))
}
