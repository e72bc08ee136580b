package ops

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynqmon"
	"github.com/redis/go-redis/v9"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// QueuesPath is where asynqmon, the queue console of Asynq's authors, is
// mounted.
const QueuesPath = "/ops/queues"

// Queues serves asynqmon behind the operator check (the route table puts
// it in the operators group).
type Queues struct {
	// handler is nil without Redis (tests that run tasks themselves).
	handler *asynqmon.HTTPHandler
	origin  string
	store   *Store
	clock   clock.Clock
}

// NewQueues builds asynqmon on the application's own Redis client (in
// the embedded mode, the in-process server); rdb may be nil. baseURL is
// the site's public URL: the console's changes (POST, DELETE) must come
// from a page of that origin.
func NewQueues(rdb redis.UniversalClient, baseURL string, store *Store, clk clock.Clock) *Queues {
	origin := ""
	if u, err := url.Parse(baseURL); err == nil {
		origin = u.Scheme + "://" + u.Host
	}
	q := &Queues{origin: origin, store: store, clock: clk}
	if rdb != nil {
		// asynqmon is never closed: closing it would close the
		// application's client, which the application closes itself.
		q.handler = asynqmon.New(asynqmon.Options{RootPath: QueuesPath, RedisConnOpt: sharedRedis{rdb}})
	}
	return q
}

// sharedRedis hands asynqmon the application's Redis client instead of
// a connection of its own.
type sharedRedis struct{ c redis.UniversalClient }

// MakeRedisClient implements asynq.RedisConnOpt.
func (s sharedRedis) MakeRedisClient() interface{} { return s.c }

var (
	// asynqmon's page loads two stylesheets from a font CDN: the
	// operator's browser should not call out to a third party from the
	// console (and many production networks cannot); the page falls
	// back to the system's fonts.
	externalStylesheet = regexp.MustCompile(`<link rel="stylesheet" href="https://[^"]*"/?>`)
	inlineScript       = regexp.MustCompile(`(?s)<script>(.*?)</script>`)
)

// Serve answers asynqmon's pages and API.
//
// Security: asynqmon's API changes queues with POST and DELETE from its
// own script, which carries no CSRF token, so the route is exempt from the
// site's CSRF middleware and checks instead that such a request comes
// from a page of the site's own origin (the Origin header a browser sets
// on every cross-origin and same-origin POST or DELETE); the session
// cookie is SameSite=Lax besides.
//
// CSP: asynqmon's page is a React build with two inline scripts (its
// settings and webpack's loader) and styles injected at run time by its
// component library. The site's policy ("script-src 'self'", no inline
// style) would stop it, so its HTML gets a policy of its own: the inline
// scripts allowed by their SHA-256 hashes, computed from the page as
// served (nothing else inline runs), and inline styles allowed. Only
// responses under /ops/queues, which only operators reach, carry it.
func (q *Queues) Serve(c *gin.Context) {
	if q.handler == nil {
		c.String(http.StatusServiceUnavailable, "this process has no task queue")
		return
	}
	r := c.Request
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		if o := r.Header.Get("Origin"); o == "" || (o != q.origin && o != "http://"+r.Host && o != "https://"+r.Host) {
			c.String(http.StatusForbidden, "queue changes must come from the queue console's own page")
			return
		}
		v := web.CurrentViewer(c)
		_ = q.store.Record(r.Context(), Event{ActorID: &v.UserID, Actor: v.Email, Action: ActionQueuesChanged,
			Target: r.Method + " " + strings.TrimPrefix(r.URL.Path, QueuesPath), IP: c.ClientIP(), At: q.clock.Now()})
	}
	if strings.HasPrefix(r.URL.Path, QueuesPath+"/api/") {
		q.handler.ServeHTTP(c.Writer, r)
		return
	}
	rec := httptest.NewRecorder()
	q.handler.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	h := c.Writer.Header()
	for k, vs := range rec.Header() {
		h[k] = vs
	}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		body = externalStylesheet.ReplaceAll(body, nil)
		h.Set("Content-Security-Policy", queuesPolicy(body))
		h.Set("Cache-Control", "no-store")
	}
	c.Status(rec.Code)
	_, _ = c.Writer.Write(body)
}

// queuesPolicy is the CSP of asynqmon's page: its inline scripts by hash.
func queuesPolicy(page []byte) string {
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	var b bytes.Buffer
	b.WriteString("default-src 'self'; script-src 'self'")
	for _, h := range hashes {
		b.WriteString(" " + h)
	}
	b.WriteString("; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
		"manifest-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
	return b.String()
}
