package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
)

// maxMultipartMemory is how much of a multipart body is held in memory;
// bodies are capped well below it (limitBody), so nothing reaches disk.
const maxMultipartMemory = 16 << 20

// ReadInput is the one place where what a request carries is refused when
// no handler could make sense of it:
//   - a path or query parameter holding a control character (such as NUL)
//     or bytes that are not UTF-8: 400, for people and machines;
//   - a form body larger than the limit: 413, before the CSRF check reads
//     the body and would see only a missing token;
//   - a form body that cannot be parsed: 400.
//
// Form fields are checked by NewForm, so that a bad value gets its message
// beside its field (422).
func ReadInput(errs *Errors) gin.HandlerFunc {
	return func(c *gin.Context) {
		r := c.Request
		if TextProblem("", r.URL.Path) != "" || queryProblem(r.URL.RawQuery) {
			errs.Handle(c, Errorf(http.StatusBadRequest, "The address of this page holds characters we cannot read (such as a NUL byte or a control character). Please check the link."))
			return
		}
		if err := parseBody(r); err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				errs.Handle(c, Errorf(http.StatusRequestEntityTooLarge,
					fmt.Sprintf("What you sent is too large (at most %d MB). For a file, split it into smaller ones.", tooLarge.Limit>>20)))
				return
			}
			errs.Handle(c, Errorf(http.StatusBadRequest, "We could not read what you sent. Please go back and try again."))
			return
		}
		c.Next()
	}
}

// parseBody parses a form body now, so that later readers (the CSRF check,
// PostedForm) share the result and a failure is reported as what it is.
func parseBody(r *http.Request) error {
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	default:
		return nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/x-www-form-urlencoded":
		return r.ParseForm()
	case "multipart/form-data":
		return r.ParseMultipartForm(maxMultipartMemory)
	}
	return nil
}

func queryProblem(raw string) bool {
	if raw == "" {
		return false
	}
	values, err := url.ParseQuery(raw)
	if err != nil {
		// Unparseable pairs are dropped by every reader; what remains is
		// still checked.
		values, _ = url.ParseQuery(strings.Map(func(r rune) rune {
			if r == '%' {
				return -1
			}
			return r
		}, raw))
	}
	for k, vs := range values {
		if TextProblem("", k) != "" {
			return true
		}
		for _, v := range vs {
			if TextProblem("", v) != "" {
				return true
			}
		}
	}
	return false
}

// multiLineFields are the form fields that may hold line breaks (the
// textareas of the templates; app's tests check the list against them).
// Every other field is one line: a CR or LF in a name would let it break
// out of a mail header or a calendar invitation.
var multiLineFields = map[string]bool{
	"bio": true, "body": true, "comment": true, "domains": true, "note": true, "reason": true, "summary": true, "themes": true,
	// a supervision case's structured fields (app/supervision)
	"context": true, "question": true, "tried": true, "learning": true,
}

// MultiLine reports whether a form field may hold line breaks.
func MultiLine(field string) bool { return multiLineFields[field] }

// TextProblem says what is wrong with a submitted value of field, or ""
// if nothing is: bytes that are not UTF-8, a control character other than
// tab and line breaks, and line breaks outside the multi-line fields. An
// empty field name means a one-line value (a query parameter, a path).
func TextProblem(field, v string) string {
	if !utf8.ValidString(v) {
		return "This holds bytes that are not text. Please type it again."
	}
	for _, r := range v {
		switch {
		case r == '\r' || r == '\n':
			if !MultiLine(field) {
				return "This must fit on one line."
			}
		case r == '\t':
		case unicode.IsControl(r):
			return "This holds a control character (such as a NUL byte) that we cannot accept. Please type it again."
		}
	}
	return ""
}
