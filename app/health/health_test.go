package health

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func serve(r http.Handler, path string) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
	return w
}

func TestReadinessNamesTheDependencyThatIsDown(t *testing.T) {
	r := gin.New()
	r.GET("/healthz", Live)
	r.GET("/readyz", Ready(Checks{
		"database": PingFunc(func(context.Context) error { return nil }),
		"redis":    PingFunc(func(context.Context) error { return errors.New("connection refused") }),
	}))
	w := serve(r, "/readyz")
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "redis") {
		t.Fatalf("/readyz = %d %q", w.Code, w.Body.String())
	}
	if w := serve(r, "/healthz"); w.Code != http.StatusOK {
		t.Fatalf("/healthz = %d while Redis is down; the process is up", w.Code)
	}
}
