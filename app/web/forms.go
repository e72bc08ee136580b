package web

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// Form holds submitted values and the errors found in them, for
// re-rendering a form with 422 and a message beside each bad field.
type Form struct {
	Values url.Values
	Errors map[string]string
}

// NewForm wraps submitted values. A value no field can hold (a control
// character such as NUL, bytes that are not UTF-8, a line break in a
// one-line field) is an error beside its field at once, so that every
// form refuses it with 422 before anything stores or looks it up.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	f := &Form{Values: values, Errors: map[string]string{}}
	for field, vs := range values {
		for _, v := range vs {
			if p := TextProblem(field, v); p != "" {
				f.Add(field, p)
				f.Add(formProblemField, "Some of what you entered holds characters we cannot accept; see the messages below.")
			}
		}
	}
	return f
}

// formProblemField carries a message about the whole form, for fields a
// template shows no message beside (hidden ones).
const formProblemField = "_form"

// Get returns a value with surrounding space removed.
func (f *Form) Get(field string) string { return strings.TrimSpace(f.Values.Get(field)) }

// Set replaces a value (for defaults shown on a new form).
func (f *Form) Set(field, value string) { f.Values.Set(field, value) }

// Add records an error against a field; the first one wins.
func (f *Form) Add(field, message string) {
	if _, ok := f.Errors[field]; !ok {
		f.Errors[field] = message
	}
}

// Error is the message for a field, for templates.
func (f *Form) Error(field string) string { return f.Errors[field] }

// Valid reports whether no error was recorded.
func (f *Form) Valid() bool { return len(f.Errors) == 0 }

// Required checks that each field has a non-blank value.
func (f *Form) Required(fields ...string) {
	for _, field := range fields {
		if f.Get(field) == "" {
			f.Add(field, "This field is required.")
		}
	}
}

// MaxLength checks a field's length in characters.
func (f *Form) MaxLength(field string, n int) {
	if utf8.RuneCountInString(f.Get(field)) > n {
		f.Add(field, "This is too long (at most "+strconv.Itoa(n)+" characters).")
	}
}

// MinLength checks a field's length in characters.
func (f *Form) MinLength(field string, n int) {
	if v := f.Get(field); v != "" && utf8.RuneCountInString(v) < n {
		f.Add(field, "This is too short (at least "+strconv.Itoa(n)+" characters).")
	}
}

// Email checks that a field holds one plain e-mail address.
func (f *Form) Email(field string) string {
	v := f.Get(field)
	if v == "" {
		return ""
	}
	addr, err := mail.ParseAddress(v)
	if err != nil || addr.Address != v || len(v) > 254 {
		f.Add(field, "Enter an e-mail address such as name@example.org.")
		return ""
	}
	return strings.ToLower(v)
}

// OneOf checks that a field's value is one of the allowed ones.
func (f *Form) OneOf(field string, allowed ...string) {
	v := f.Get(field)
	if v == "" {
		return
	}
	for _, a := range allowed {
		if v == a {
			return
		}
	}
	f.Add(field, "Choose one of the options offered.")
}

// TimeZone checks that a field names an IANA time zone.
func (f *Form) TimeZone(field string) {
	v := f.Get(field)
	if v == "" {
		return
	}
	if _, err := time.LoadLocation(v); err != nil || v == "Local" {
		f.Add(field, "Choose a time zone from the list, such as Europe/London.")
	}
}

// PostedForm parses a posted form; a body that cannot be parsed counts as
// empty, so that it fails validation with a clear message instead of a 500.
func PostedForm(c *gin.Context) url.Values {
	if err := c.Request.ParseForm(); err != nil {
		return url.Values{}
	}
	return c.Request.PostForm
}

// IDParam reads a UUID path parameter; a malformed one is db.ErrNotFound,
// as an unknown id is.
func IDParam(c *gin.Context, name string) (uuid.UUID, error) {
	id, err := uuid.Parse(c.Param(name))
	if err != nil {
		return uuid.Nil, fmt.Errorf("web: path parameter %s: %w", name, db.ErrNotFound)
	}
	return id, nil
}

// WebURL checks that a field holds an absolute https:// address (with a
// host, no user name or password, at most 500 characters) and returns it
// cleaned, or "" when blank or wrong. loopbackHTTP also admits plain
// http:// to this machine (localhost, 127.0.0.1, ::1), for local trials
// against development services.
func (f *Form) WebURL(field string, loopbackHTTP bool) string {
	v := f.Get(field)
	if v == "" {
		return ""
	}
	if problem := WebURLProblem(v, loopbackHTTP); problem != "" {
		f.Add(field, problem)
		return ""
	}
	return v
}

// WebURLProblem says what is wrong with an address WebURL would refuse, or "".
func WebURLProblem(v string, loopbackHTTP bool) string {
	const msg = "Enter a full address starting with https://, such as https://meet.example.org/my-room."
	if len(v) > 500 || strings.ContainsAny(v, " \t\r\n\"'<>") {
		return msg
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" || u.User != nil || u.Opaque != "" {
		return msg
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		if h := u.Hostname(); loopbackHTTP && (h == "localhost" || h == "127.0.0.1" || h == "::1") {
			return ""
		}
	}
	return msg
}
