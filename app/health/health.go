// Package health answers the liveness and readiness probes.
package health

import (
	"context"
	"net/http"
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
