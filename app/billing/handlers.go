package billing

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve checkout, the webhook, seats and billing history.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
	// WebhookOutcome, when set, counts each webhook by provider and kind
	// of outcome (the metrics).
	WebhookOutcome func(provider, kind string)
}

func buyer(v *web.Viewer) Buyer {
	return Buyer{OrgID: v.Org.ID, OrgSlug: v.Org.Slug, UserID: v.UserID, Name: v.Name, Email: v.Email}
}

// checkoutCourse records the pending place and sends the person to
// Stripe Checkout with a 303.
func (h *Handlers) CheckoutCourse(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	course, err := h.Service.Courses.Course(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return err
	}
	if !course.Published() && !tenancy.Has(v, tenancy.Admins...) {
		return db.ErrNotFound
	}
	back := "/o/" + v.Org.Slug + "/courses/" + id.String()
	to, err := h.Service.BuyCourse(c.Request.Context(), buyer(v), id)
	switch {
	case errors.Is(err, ErrNotConfigured):
		web.AddFlash(c, "warning", "Payments are not configured for this organisation, so the course cannot be bought online. Ask an administrator to enrol you.")
		web.Redirect(c, back)
		return nil
	case errors.Is(err, ErrFree):
		web.AddFlash(c, "info", "This course is free: enrol from the course page.")
		web.Redirect(c, back)
		return nil
	case errors.Is(err, courses.ErrAlreadyEnrolled):
		return web.Errorf(http.StatusConflict, "You are already enrolled on this course.")
	case err != nil:
		return err
	}
	// Checkout is on Stripe's site.
	web.RedirectAway(c, to)
	return nil
}

// cancelCheckout is where Checkout's cancel link returns: the pending
// place is dropped, so that the person can buy again at once. Stripe sends
// the browser here with a GET; the change is idempotent and touches only
// the viewer's own open payment.
func (h *Handlers) CancelCheckout(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	if _, err := h.Service.Courses.Course(c.Request.Context(), v.Org.ID, id); err != nil {
		return err
	}
	back := "/o/" + v.Org.Slug + "/courses/" + id.String()
	if payID, err := uuid.Parse(c.Query("payment")); err == nil {
		changed, err := h.Service.CancelCheckout(c.Request.Context(), v.Org.ID, v.UserID, payID)
		switch {
		case errors.Is(err, db.ErrNotFound):
		case err != nil:
			return err
		case changed:
			web.AddFlash(c, "info", "You cancelled the payment, so nothing was charged and your place was not kept. You can buy it again whenever you are ready.")
		}
	}
	web.Redirect(c, back)
	return nil
}

func (h *Handlers) accessData(c *gin.Context) (gin.H, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	course, err := h.Service.Courses.Course(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	e, err := h.Service.Courses.Enrolment(c.Request.Context(), v.Org.ID, id, v.UserID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	return gin.H{"Course": course, "Open": e.HasAccess(), "Pending": e != nil && e.Status == courses.EnrolPending}, nil
}

// showPurchasedPage is where Checkout sends the person back: it grants
// nothing, it waits (polling the status fragment) for the webhook.
func (h *Handlers) ShowPurchasedPage(c *gin.Context) error {
	data, err := h.accessData(c)
	if err != nil {
		return err
	}
	return h.Renderer.Render(c, http.StatusOK, PagePurchased, web.NewPage(c, "Payment received", data))
}

func (h *Handlers) ShowAccessStatus(c *gin.Context) error {
	data, err := h.accessData(c)
	if err != nil {
		return err
	}
	return h.Renderer.RenderBlock(c, http.StatusOK, PagePurchased, "access-status", web.NewPage(c, "", data))
}

func (h *Handlers) ShowHistoryPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	mine, err := h.Service.Store.Payments(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	titles, err := h.courseTitles(c)
	if err != nil {
		return err
	}
	data := gin.H{"Mine": mine, "Titles": titles, "Enabled": h.Service.Enabled(), "IsAdmin": tenancy.Has(v, tenancy.Admins...)}
	if h.Service.Enabled() {
		cus, err := h.Service.Store.Customer(ctx, v.Org.ID, v.UserID)
		if err != nil {
			return err
		}
		data["HasCustomer"] = cus != ""
	}
	if tenancy.Has(v, tenancy.Admins...) {
		// A malformed cursor shows the first page.
		before, _ := uuid.Parse(c.Query("before"))
		all, more, err := h.Service.Store.PaymentsPage(ctx, v.Org.ID, before)
		if err != nil {
			return err
		}
		payers := make([]uuid.UUID, len(all))
		for i, p := range all {
			payers[i] = p.UserID
		}
		names, err := h.Service.Tenancy.Names(ctx, v.Org.ID, payers)
		if err != nil {
			return err
		}
		data["All"], data["Names"], data["Paged"] = all, names, before != uuid.Nil
		if more {
			data["Older"] = all[len(all)-1].ID
		}
	}
	page := web.NewPage(c, "Billing", data)
	page.Nav = "billing"
	return h.Renderer.Render(c, http.StatusOK, PageHistory, page)
}

func (h *Handlers) courseTitles(c *gin.Context) (map[uuid.UUID]string, error) {
	v := web.CurrentViewer(c)
	list, err := h.Service.Courses.Courses(c.Request.Context(), v.Org.ID, true)
	if err != nil {
		return nil, err
	}
	out := map[uuid.UUID]string{}
	for _, co := range list {
		out[co.ID] = co.Title
	}
	return out, nil
}

func (h *Handlers) OpenPortal(c *gin.Context) error {
	v := web.CurrentViewer(c)
	back := "/o/" + v.Org.Slug + "/billing"
	to, err := h.Service.PortalURL(c.Request.Context(), v.Org.ID, v.UserID, h.Service.BaseURL+back)
	switch {
	case errors.Is(err, ErrNotConfigured):
		web.AddFlash(c, "warning", "Payments are not configured for this organisation.")
	case err != nil:
		return err
	case to == "":
		web.AddFlash(c, "info", "You have no payments with Stripe yet, so there is nothing to show there.")
	default:
		c.Redirect(http.StatusSeeOther, to)
		return nil
	}
	web.Redirect(c, back)
	return nil
}

func (h *Handlers) ShowEventsPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	events, err := h.Service.Store.Events(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Payment events", gin.H{"Events": events})
	page.Nav = "billing"
	return h.Renderer.Render(c, http.StatusOK, PageEvents, page)
}

func (h *Handlers) renderSeats(c *gin.Context, status int, buy, assign *web.Form) error {
	v := web.CurrentViewer(c)
	pools, err := h.Service.SeatPools(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	people, err := h.Service.Tenancy.People(c.Request.Context(), v.Org.ID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return err
	}
	if buy.Get("quantity") == "" {
		buy.Set("quantity", "5")
	}
	page := web.NewPage(c, "Seats", gin.H{
		"Pools": pools, "People": people, "Buy": buy, "Assign": assign, "Enabled": h.Service.Enabled(),
		"Received": c.Query("purchase") == "received",
	})
	page.Nav = "billing"
	return h.Renderer.Render(c, status, PageSeats, page)
}

func (h *Handlers) ShowSeatsPage(c *gin.Context) error {
	return h.renderSeats(c, http.StatusOK, web.NewForm(nil), web.NewForm(nil))
}

func (h *Handlers) BuySeats(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("course_id", "quantity")
	cid, err := uuid.Parse(f.Get("course_id"))
	if f.Get("course_id") != "" && err != nil {
		f.Add("course_id", "Choose a course from the list.")
	}
	qty, qerr := strconv.Atoi(f.Get("quantity"))
	if f.Get("quantity") != "" && (qerr != nil || qty < 1 || qty > 500) {
		f.Add("quantity", "Enter a number of seats from 1 to 500.")
	}
	if !f.Valid() {
		return h.renderSeats(c, http.StatusUnprocessableEntity, f, web.NewForm(nil))
	}
	to, err := h.Service.BuySeats(c.Request.Context(), buyer(v), cid, qty)
	switch {
	case errors.Is(err, ErrNotConfigured):
		f.Add("course_id", "Payments are not configured, so seats cannot be bought online.")
	case errors.Is(err, ErrFree):
		f.Add("course_id", "This course is free: members can enrol without a seat.")
	case errors.Is(err, db.ErrNotFound):
		f.Add("course_id", "Choose a course from the list.")
	case err != nil:
		return err
	}
	if !f.Valid() {
		return h.renderSeats(c, http.StatusUnprocessableEntity, f, web.NewForm(nil))
	}
	c.Redirect(http.StatusSeeOther, to)
	return nil
}

func (h *Handlers) AssignSeat(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	f.Required("course_id", "user_id")
	cid, cerr := uuid.Parse(f.Get("course_id"))
	uid, uerr := uuid.Parse(f.Get("user_id"))
	if f.Get("course_id") != "" && cerr != nil {
		f.Add("course_id", "Choose a course from the list.")
	}
	if f.Get("user_id") != "" && uerr != nil {
		f.Add("user_id", "Choose a member from the list.")
	}
	if f.Valid() {
		// One lookup of the chosen person, not the roster.
		p, err := h.Service.Tenancy.Member(c.Request.Context(), v.Org.ID, uid)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if err != nil || p.Status != tenancy.StatusActive {
			f.Add("user_id", "Choose a member from the list.")
		}
	}
	if f.Valid() {
		err := h.Service.Assign(c.Request.Context(), v.Org.ID, cid, uid, v.UserID)
		switch {
		case errors.Is(err, ErrNoSeats):
			f.Add("course_id", "There is no free seat on this course. Buy more seats first.")
		case errors.Is(err, courses.ErrAlreadyEnrolled):
			f.Add("user_id", "This person is already enrolled on the course.")
		case errors.Is(err, db.ErrNotFound):
			f.Add("course_id", "Choose a course from the list.")
		case err != nil:
			return err
		}
	}
	if !f.Valid() {
		return h.renderSeats(c, http.StatusUnprocessableEntity, web.NewForm(nil), f)
	}
	web.AddFlash(c, "success", "Seat assigned: the member can start the course now.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/billing/seats")
	return nil
}

func (h *Handlers) UnassignSeat(c *gin.Context) error {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "assignment")
	if err != nil {
		return err
	}
	err = h.Service.Unassign(c.Request.Context(), v.Org.ID, id)
	if errors.Is(err, ErrStarted) {
		return web.Errorf(http.StatusConflict, "This member has already started the course, so the seat cannot be taken back.")
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Seat freed.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/billing/seats")
	return nil
}
