package web

import (
	"net/url"
	"strings"
)

// maxLocalPath bounds a redirect target taken from a request.
const maxLocalPath = 2048

// LocalPath reports whether next, taken from a request (a next= parameter,
// a Referer), is safe to redirect to: a path on this site and nothing a
// browser could read as another origin. It must parse with no scheme, host
// or user, start with exactly one "/" followed by neither "/" nor "\", and
// hold no control character, as sent nor after percent-decoding (browsers
// drop tabs and newlines and read "\" as "/", so "/\t/evil.example" and
// "/%09/evil.example" would otherwise leave the site).
func LocalPath(next string) bool {
	if next == "" || len(next) > maxLocalPath {
		return false
	}
	for s, i := next, 0; ; i++ {
		if !localShape(s) {
			return false
		}
		decoded, err := url.PathUnescape(s)
		if err != nil {
			return false
		}
		if decoded == s {
			break
		}
		if i == 3 { // nested encodings this deep are never legitimate
			return false
		}
		s = decoded
	}
	u, err := url.Parse(next)
	return err == nil && u.Scheme == "" && u.Host == "" && u.User == nil && u.Opaque == "" && strings.HasPrefix(u.Path, "/")
}

// localShape checks one layer of decoding: one leading slash, then no
// second slash or backslash, and no control character anywhere.
func localShape(s string) bool {
	if len(s) == 0 || s[0] != '/' {
		return false
	}
	if len(s) > 1 && (s[1] == '/' || s[1] == '\\') {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// SafeNext returns next when it is a LocalPath, or fallback.
func SafeNext(next, fallback string) string {
	if LocalPath(next) {
		return next
	}
	return fallback
}
