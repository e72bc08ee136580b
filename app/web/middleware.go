package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/justinas/nosurf"

	"github.com/leadershiptoolbox/toolbox/app/logctx"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	ginContextKey
)

// AssignRequestID gives every request an id (kept from X-Request-ID when a
// proxy set a sane one), echoes it in the response and puts it in the
// context. Ids are a random per-process prefix and a counter: unique
// across processes without a system call per request.
func AssignRequestID() gin.HandlerFunc {
	var prefix [4]byte
	_, _ = rand.Read(prefix[:])
	p := hex.EncodeToString(prefix[:]) + "-"
	var counter atomic.Uint64
	return func(c *gin.Context) {
		id := c.GetHeader("X-Request-ID")
		if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, " \r\n\t") {
			id = p + strconv.FormatUint(counter.Add(1), 36)
		}
		c.Header("X-Request-ID", id)
		// Every line logged with the request's context carries its id.
		ctx := logctx.With(context.WithValue(c.Request.Context(), requestIDKey, id), slog.String("request_id", id))
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// RequestID returns the id RequestID gave the request.
func RequestID(c *gin.Context) string {
	id, _ := c.Request.Context().Value(requestIDKey).(string)
	return id
}

// AccessLog logs one structured line per request.
func AccessLog(log *slog.Logger) gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		status := c.Writer.Status()
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelError
		}
		// Static assets and health probes are noise at info level.
		if strings.HasPrefix(c.Request.URL.Path, "/static/") || c.Request.URL.Path == "/healthz" || c.Request.URL.Path == "/readyz" {
			level = slog.LevelDebug
		}
		if !log.Enabled(c.Request.Context(), level) {
			return
		}
		log.LogAttrs(c.Request.Context(), level, "request",
			slog.String("method", c.Request.Method),
			slog.String("path", c.Request.URL.Path),
			slog.Int("status", status),
			slog.Duration("took", time.Since(start)),
		)
	}
}

// Recover turns a panic into a logged 500 page instead of a dropped
// connection.
func Recover(errs *Errors) gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				errs.Log.ErrorContext(c.Request.Context(), "panic", "value", fmt.Sprint(v), "stack", string(debug.Stack()))
				errs.Handle(c, fmt.Errorf("panic: %v", v))
			}
		}()
		c.Next()
	}
}

// SecurityHeaders sets the headers every response carries. The CSP allows
// only our own scripts and styles: no inline code, no CDN.
func SecurityHeaders(https bool) gin.HandlerFunc {
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
		"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if https {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		c.Next()
	}
}

// CSRF protects every state-changing request with nosurf's masked
// double-submit token plus its Origin/Referer check. Forms carry the token
// in a hidden field (csrf_token), htmx in the X-CSRF-Token header, which
// the layout configures once. exempt lists path prefixes that authenticate
// otherwise (signed webhooks).
func CSRF(baseURL string, errs *Errors, exempt ...string) gin.HandlerFunc {
	secure := strings.HasPrefix(baseURL, "https://")
	inner := nosurf.New(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(ginContextKey).(*gin.Context)
		c.Request = r
		c.Next()
	}))
	inner.SetBaseCookie(http.Cookie{Name: "csrf", Path: "/", HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode, MaxAge: 365 * 24 * 3600})
	inner.SetIsTLSFunc(func(*http.Request) bool { return secure })
	// Requests arrive under the public base URL's host even behind a proxy
	// that rewrites Host; trust that origin explicitly.
	if u, err := url.Parse(baseURL); err == nil && u.Host != "" {
		if allowed, err := nosurf.StaticOrigins(u.Scheme + "://" + u.Host); err == nil {
			inner.SetIsAllowedOriginFunc(allowed)
		}
	}
	inner.ExemptFunc(func(r *http.Request) bool {
		for _, p := range exempt {
			if strings.HasPrefix(r.URL.Path, p) {
				return true
			}
		}
		return false
	})
	inner.SetFailureHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := r.Context().Value(ginContextKey).(*gin.Context)
		errs.Log.WarnContext(r.Context(), "csrf check failed", "path", r.URL.Path, "reason", fmt.Sprint(nosurf.Reason(r)))
		errs.Handle(c, Errorf(http.StatusForbidden, "Your form expired or came from another site. Please go back, reload the page and try again."))
	}))
	return func(c *gin.Context) {
		c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), ginContextKey, c))
		// nosurf calls either the inner handler, which runs the rest of the
		// chain, or the failure handler, which aborts it.
		inner.ServeHTTP(c.Writer, c.Request)
	}
}

// CSRFToken is the token to put in forms and the csrf-token meta tag.
func CSRFToken(c *gin.Context) string { return nosurf.Token(c.Request) }
