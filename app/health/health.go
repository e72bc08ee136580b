// Package health answers the liveness and readiness probes.
package health

import (
	"context"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
)

// Pinger is a dependency that can say whether it is reachable.
type Pinger interface {
	PingContext(ctx context.Context) error
}

// PingFunc adapts a function to Pinger.
type PingFunc func(ctx context.Context) error

// PingContext calls f.
func (f PingFunc) PingContext(ctx context.Context) error { return f(ctx) }

// Checks are the readiness dependencies by name.
type Checks map[string]Pinger

// Live answers GET /healthz: the process is up.
func Live(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.String(http.StatusOK, "ok\n")
}

// Ready answers GET /readyz: every dependency answers, or 503 naming the
// first that does not.
func Ready(checks Checks) gin.HandlerFunc {
	return func(c *gin.Context) {
		c.Header("Cache-Control", "no-store")
		ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
		defer cancel()
		for _, name := range []string{"database", "redis"} {
			p, ok := checks[name]
			if !ok {
				continue
			}
			if err := p.PingContext(ctx); err != nil {
				c.String(http.StatusServiceUnavailable, "not ready: %s unreachable: %v\n", name, err)
				return
			}
		}
		c.String(http.StatusOK, "ready\n")
	}
}

// Readiness adds to /readyz what the serving process alone knows: that it
// is draining (stopping: a load balancer should send no new requests,
// though the ones that come are still served), and whether the database
// schema is the one it was built for.
type Readiness struct {
	// Schema fails while the schema is older than the binary expects.
	Schema   Pinger
	draining atomic.Bool
}

// Drain makes /readyz answer 503 from now on.
func (r *Readiness) Drain() { r.draining.Store(true) }

// Wrap answers /readyz with 503 while draining or while the schema check
// fails, and hands everything else (and /readyz otherwise) to h.
func (r *Readiness) Wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/readyz" {
			w.Header().Set("Cache-Control", "no-store")
			if r.draining.Load() {
				http.Error(w, "not ready: shutting down", http.StatusServiceUnavailable)
				return
			}
			if r.Schema != nil {
				ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
				defer cancel()
				if err := r.Schema.PingContext(ctx); err != nil {
					http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
					return
				}
			}
		}
		h.ServeHTTP(w, req)
	})
}
