package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Errors a handler returns to get a status page. Domain packages wrap or
// return them; db.ErrNotFound and db.ErrConflict are understood too.
var (
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("sign-in required")
	ErrBadRequest      = errors.New("bad request")
	// ErrBusy means the server has no capacity for this work right now
	// (every CPU is hashing passwords): 503, try again in a moment.
	ErrBusy = errors.New("busy")
)

// retryAfter is what a 503 asks the client to wait, in seconds.
const retryAfter = "5"

// StatusError carries a status and a message meant for the person.
type StatusError struct {
	Status  int
	Message string
}

func (e *StatusError) Error() string { return e.Message }

// Errorf returns an error shown to the person with the given status.
func Errorf(status int, message string) error { return &StatusError{Status: status, Message: message} }

// HandlerFunc is a handler that returns its failure instead of writing it.
type HandlerFunc func(c *gin.Context) error

// ErrorPage renders a status page for an error. The application wires its
// own (with the layout); this is the contract.
type ErrorPage func(c *gin.Context, status int, message string)

// Errors turns handler errors into responses: one place for all of them.
type Errors struct {
	Log  *slog.Logger
	Page ErrorPage
}

// H adapts a HandlerFunc to Gin.
func (e *Errors) H(h HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			e.Handle(c, err)
		}
	}
}

// Handle writes the response for err.
func (e *Errors) Handle(c *gin.Context, err error) {
	status, message := classify(err)
	if status == http.StatusServiceUnavailable {
		c.Header("Retry-After", retryAfter)
		e.Log.WarnContext(c.Request.Context(), "request refused for now",
			"err", err, "method", c.Request.Method, "path", c.Request.URL.Path)
	}
	if status == http.StatusUnauthorized {
		RedirectToLogin(c)
		c.Abort()
		return
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		e.Log.ErrorContext(c.Request.Context(), "request failed",
			"err", err, "method", c.Request.Method, "path", c.Request.URL.Path)
	}
	if c.Writer.Written() {
		c.Abort()
		return
	}
	if wantsJSON(c.Request) {
		c.AbortWithStatusJSON(status, gin.H{"error": message})
		return
	}
	e.Page(c, status, message)
	c.Abort()
}

func classify(err error) (int, string) {
	// A driver's "no row" or refused write that no store mapped is still
	// a 404 or a 409, never a 500.
	err = db.Classify(err)
	var se *StatusError
	switch {
	case errors.As(err, &se):
		return se.Status, se.Message
	case errors.Is(err, ErrUnauthenticated):
		return http.StatusUnauthorized, "Please sign in to continue."
	case errors.Is(err, db.ErrNotFound), errors.Is(err, db.ErrNoTenant):
		return http.StatusNotFound, "We could not find that page."
	case errors.Is(err, ErrForbidden):
		return http.StatusForbidden, "You do not have permission to do that."
	case errors.Is(err, db.ErrConflict):
		return http.StatusConflict, "That was changed by someone else in the meantime. Please reload and try again."
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest, "The request could not be understood."
	case errors.Is(err, ErrBusy):
		return http.StatusServiceUnavailable, "Many people are signing in at this moment. Please try again in a few seconds."
	case db.IsUnavailable(err):
		return http.StatusServiceUnavailable, "We cannot reach our database for a moment. Please try again in a few seconds."
	default:
		return http.StatusInternalServerError, "Something went wrong on our side. It has been logged; please try again."
	}
}

// RedirectToLogin sends the person to sign in and back here afterwards;
// htmx requests get HX-Redirect so the whole page changes.
func RedirectToLogin(c *gin.Context) {
	next := c.Request.URL.RequestURI()
	if c.Request.Method != http.MethodGet {
		next = c.Request.Referer()
		if u, err := url.Parse(next); err == nil {
			next = u.RequestURI()
		} else {
			next = "/"
		}
	}
	Redirect(c, "/login?next="+url.QueryEscape(next))
}

// Redirect sends a 303 after a form post, or HX-Redirect for htmx.
func Redirect(c *gin.Context, to string) {
	if c.GetHeader("HX-Request") == "true" && c.GetHeader("HX-Boosted") != "true" {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, to)
}

// RedirectAway sends the browser to another site (Stripe's checkout):
// HX-Redirect for every htmx request, boosted ones too, since htmx cannot
// follow a redirect off the site; a 303 otherwise.
func RedirectAway(c *gin.Context, to string) {
	if c.GetHeader("HX-Request") == "true" {
		c.Header("HX-Redirect", to)
		c.Status(http.StatusNoContent)
		return
	}
	c.Redirect(http.StatusSeeOther, to)
}

// Done answers a form post that succeeded: an htmx fragment request gets
// inPlace's answer (the changed part of the page); any other request is
// redirected to `to` (Redirect), where flash, when it has a message, is
// shown.
func Done(c *gin.Context, to string, flash Flash, inPlace func() error) error {
	if IsFragmentRequest(c.Request) {
		return inPlace()
	}
	if flash.Message != "" {
		AddFlash(c, flash.Kind, flash.Message)
	}
	Redirect(c, to)
	return nil
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.HasPrefix(r.URL.Path, "/webhooks/") ||
		(strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html"))
}
