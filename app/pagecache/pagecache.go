// Package pagecache keeps the pages an organisation's people ask for
// again and again (the dashboard, a list, the week) as they were last
// rendered, until anything of the organisation changes.
//
// A page is kept for one person's session, one address and the htmx
// headers that shape it, and is served again only while three things
// hold: no committed write of the organisation since it was rendered
// (app/db's Invalidator tells of each, in this process at once and from
// every other process through PostgreSQL's LISTEN/NOTIFY), no write
// scoped to no organisation since (those may touch anyone's pages), and
// the same minute on the application's clock (pages say "in 5 minutes",
// "overdue"; no page is served more than a minute after it was made).
// Whether a person may see the page at all is decided afresh on every
// request (the cache sits behind the tenant wall and the sign-in), and
// the role that admits them is a membership, whose change drops every
// page.
//
// What is per rendering is made afresh on each serving: every form's
// once-only key (web.FormKeyField), so that a page served twice still
// gives two forms two keys. Responses that set a cookie (a flash message
// taken, a CSRF cookie issued), that are not 200, that are streamed or
// larger than a set size are not kept. While the database's change feed
// is down, nothing is served from the cache.
package pagecache

import (
	"bufio"
	"bytes"
	"container/list"
	"hash/maphash"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// MaxPage is the largest response kept.
const MaxPage = 256 << 10

// Cache is the page cache of one process.
type Cache struct {
	clock    clock.Clock
	enabled  *atomic.Bool
	maxBytes int
	seed     maphash.Seed

	mu     sync.Mutex
	global uint64
	orgs   map[uuid.UUID]uint64
	// entries by key, and their order of use (front: most recent).
	entries map[uint64]*list.Element
	lru     list.List
	bytes   int

	hits, misses atomic.Uint64
}

// version is what a page was rendered against.
type version struct {
	global, org uint64
	minute      int64
}

type entry struct {
	key    uint64
	org    uuid.UUID
	id     string // the key in full: a hash collision is a miss
	ver    version
	header http.Header
	parts  [][]byte // the body, cut where a form key goes
	size   int
}

// New returns a cache of at most maxBytes of pages, serving while
// enabled holds (the change feed is connected). A nil *Cache caches
// nothing.
func New(c clock.Clock, enabled *atomic.Bool, maxBytes int) *Cache {
	if maxBytes <= 0 {
		return nil
	}
	return &Cache{clock: c, enabled: enabled, maxBytes: maxBytes, seed: maphash.MakeSeed(),
		orgs: map[uuid.UUID]uint64{}, entries: map[uint64]*list.Element{}}
}

// Changed drops org's pages (every page when org is uuid.Nil). It is
// the Invalidator's OnChange subscriber.
func (pc *Cache) Changed(org uuid.UUID) {
	if pc == nil {
		return
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if org == uuid.Nil {
		pc.global++
		pc.entries = map[uint64]*list.Element{}
		pc.lru.Init()
		pc.bytes = 0
		return
	}
	// The organisation's pages stay where they are, never served again
	// (their version is past), until they are asked for or the oldest
	// make room: a write costs no walk over the cache.
	pc.orgs[org]++
}

// Stats returns how many pages were served from the cache and how many
// were rendered while it was on.
func (pc *Cache) Stats() (hits, misses uint64) {
	if pc == nil {
		return 0, 0
	}
	return pc.hits.Load(), pc.misses.Load()
}

func (pc *Cache) remove(el *list.Element) {
	e := el.Value.(*entry)
	pc.lru.Remove(el)
	delete(pc.entries, e.key)
	pc.bytes -= e.size
}

func (pc *Cache) current(org uuid.UUID, now time.Time) version {
	return version{global: pc.global, org: pc.orgs[org], minute: now.Unix() / 60}
}

// Serve is the middleware. It must run after the viewer and their
// organisation are known (behind the tenant wall).
func (pc *Cache) Serve(c *gin.Context) {
	v := web.CurrentViewer(c)
	if pc == nil || c.Request.Method != http.MethodGet || v == nil || v.Org == nil || !pc.enabled.Load() {
		c.Next()
		return
	}
	id := requestID(c.Request, v.UserID)
	key := maphash.String(pc.seed, id)
	org := v.Org.ID

	pc.mu.Lock()
	ver := pc.current(org, pc.clock.Now())
	var hit *entry
	if el, ok := pc.entries[key]; ok {
		e := el.Value.(*entry)
		if e.id == id && e.ver == ver {
			pc.lru.MoveToFront(el)
			hit = e
		} else if e.ver != ver {
			pc.remove(el)
		}
	}
	pc.mu.Unlock()

	if hit != nil {
		pc.hits.Add(1)
		h := c.Writer.Header()
		for k, vs := range hit.header {
			h[k] = vs
		}
		c.Status(http.StatusOK)
		for i, part := range hit.parts {
			if i > 0 {
				_, _ = c.Writer.WriteString(web.NewFormKey())
			}
			_, _ = c.Writer.Write(part)
		}
		c.Abort()
		return
	}

	pc.misses.Add(1)
	before := c.Writer.Header().Clone()
	rec := &recorder{ResponseWriter: c.Writer, limit: MaxPage}
	c.Writer = rec
	c.Next()
	c.Writer = rec.ResponseWriter
	if rec.spoilt || rec.Status() != http.StatusOK || c.Writer.Header().Get("Set-Cookie") != "" || len(c.Errors) > 0 {
		return
	}
	e := &entry{key: key, org: org, id: id, ver: ver, header: added(before, c.Writer.Header())}
	e.parts = cutFormKeys(rec.body.Bytes())
	e.size = len(id) + rec.body.Len()
	pc.put(e)
}

func (pc *Cache) put(e *entry) {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	// A write since the page began: what it shows may be older than that.
	if pc.current(e.org, pc.clock.Now()) != e.ver || e.size > pc.maxBytes {
		return
	}
	if el, ok := pc.entries[e.key]; ok {
		pc.remove(el)
	}
	for pc.bytes+e.size > pc.maxBytes && pc.lru.Len() > 0 {
		pc.remove(pc.lru.Back())
	}
	pc.entries[e.key] = pc.lru.PushFront(e)
	pc.bytes += e.size
}

// requestID names what shapes a response besides the data: the person,
// the address, their cookies (the session, the CSRF cookie whose token
// the page's forms carry) and the headers a handler reads (htmx's, the
// Accept headers).
func requestID(r *http.Request, user uuid.UUID) string {
	var b strings.Builder
	b.Grow(256)
	b.WriteString(user.String())
	b.WriteByte(' ')
	b.WriteString(r.URL.RequestURI())
	for _, name := range []string{"Cookie", "Accept", "Accept-Language"} {
		b.WriteByte('\n')
		b.WriteString(strings.Join(r.Header.Values(name), "; "))
	}
	var hx []string
	for name := range r.Header {
		if strings.HasPrefix(name, "Hx-") {
			hx = append(hx, name)
		}
	}
	slices.Sort(hx)
	for _, name := range hx {
		b.WriteByte('\n')
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.Join(r.Header.Values(name), ","))
	}
	return b.String()
}

// added returns the headers the handlers set (not those set before the
// cache, such as the request's id, which each serving sets itself).
func added(before, after http.Header) http.Header {
	out := http.Header{}
	for k, vs := range after {
		if !slices.Equal(before[k], vs) {
			out[k] = slices.Clone(vs)
		}
	}
	return out
}

// formKeyMark is how a form key is written in a page (the "csrf" partial).
var formKeyMark = []byte(`name="` + web.FormKeyField + `" value="`)

// cutFormKeys cuts body where each form key stands, leaving the keys out.
func cutFormKeys(body []byte) [][]byte {
	var parts [][]byte
	rest := bytes.Clone(body)
	for {
		i := bytes.Index(rest, formKeyMark)
		if i < 0 {
			break
		}
		start := i + len(formKeyMark)
		end := bytes.IndexByte(rest[start:], '"')
		if end < 0 {
			break
		}
		parts = append(parts, rest[:start])
		rest = rest[start+end:]
	}
	return append(parts, rest)
}

// recorder keeps a copy of what the handlers write, up to limit.
type recorder struct {
	gin.ResponseWriter
	body   bytes.Buffer
	limit  int
	spoilt bool // streamed, hijacked, or too large: not kept
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.room(len(p)) {
		r.body.Write(p)
	}
	return r.ResponseWriter.Write(p)
}

func (r *recorder) WriteString(s string) (int, error) {
	if r.room(len(s)) {
		r.body.WriteString(s)
	}
	return r.ResponseWriter.WriteString(s)
}

// room reports whether n more bytes may be kept; past the limit the
// response is spoilt for keeping.
func (r *recorder) room(n int) bool {
	if !r.spoilt && r.body.Len()+n > r.limit {
		r.spoilt = true
	}
	return !r.spoilt
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	r.spoilt = true
	return r.ResponseWriter.Hijack()
}

func (r *recorder) Flush() {
	r.spoilt = true
	r.ResponseWriter.Flush()
}
