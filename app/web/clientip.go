package web

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// TrustProxies decides where c.ClientIP comes from. With no proxies listed
// (the default) no header is believed and the client is the TCP peer: an
// X-Forwarded-For sent by anyone else would let them choose the address
// that sign-in limits and the audit log record. With proxies listed, only a
// request whose peer is one of them may name the client in X-Forwarded-For
// (read right to left, skipping the listed proxies).
func TrustProxies(r *gin.Engine, proxies []string) error {
	r.TrustedPlatform = ""
	r.RemoteIPHeaders = []string{"X-Forwarded-For"}
	r.ForwardedByClientIP = len(proxies) > 0
	var list []string
	if len(proxies) > 0 {
		list = proxies
	}
	if err := r.SetTrustedProxies(list); err != nil {
		return fmt.Errorf("web: trusted proxies %v: %w", proxies, err)
	}
	return nil
}

// HumanWait says a wait in whole seconds or minutes, rounded up.
func HumanWait(d time.Duration) string {
	s := int(d.Seconds() + 0.999)
	if s < 60 {
		return fmt.Sprintf("%d seconds", s)
	}
	return fmt.Sprintf("%d minutes", (s+59)/60)
}

// LoopbackOnly answers 404, as if the route did not exist, unless the
// request's TCP peer is a loopback address. It reads the socket's address,
// never a forwarded header: a proxy on this machine forwarding the public's
// requests would still pass, so the routes behind it must also be off in a
// real deployment (config.DevOutbox).
func LoopbackOnly(errs *Errors) gin.HandlerFunc {
	return func(c *gin.Context) {
		host, _, err := net.SplitHostPort(c.Request.RemoteAddr)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			errs.Handle(c, Errorf(http.StatusNotFound, "We could not find that page."))
			return
		}
		c.Next()
	}
}
