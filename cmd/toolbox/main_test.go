package main

import (
	"bytes"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestWrongDatabaseURLGivesOneClearLineAndExit2(t *testing.T) {
	for _, dbURL := range []string{"postgres://nobody@127.0.0.1:1/nothing", "mysql://x/y"} {
		t.Setenv("TOOLBOX_DATABASE_URL", dbURL)
		t.Setenv("TOOLBOX_SECRET_KEY", strings.Repeat("k", 40))
		t.Setenv("TOOLBOX_DATA_DIR", t.TempDir())
		var stdout, stderr bytes.Buffer
		code := run([]string{"web"}, &stdout, &stderr)
		lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
		if code != 2 || len(lines) != 1 || !strings.Contains(lines[0], "TOOLBOX_DATABASE_URL") {
			t.Errorf("%s: exit %d, stderr %q", dbURL, code, stderr.String())
		}
		if strings.Contains(stderr.String(), "goroutine") || strings.Contains(stderr.String(), "panic") {
			t.Errorf("stack trace printed: %s", stderr.String())
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"frobnicate"}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "unknown command") {
		t.Fatalf("exit %d, %q", code, stderr.String())
	}
}

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startEmbedded runs the zero-configuration mode in this process until
// stop is called (which sends SIGINT, as Ctrl-C would).
func startEmbedded(t *testing.T, dataDir string) (base string, stop func() int) {
	addr := freePort(t)
	t.Setenv("TOOLBOX_ADDR", addr)
	t.Setenv("TOOLBOX_DATA_DIR", dataDir)
	t.Setenv("TOOLBOX_LOG_LEVEL", "error")
	done := make(chan int, 1)
	go func() {
		var out, errOut bytes.Buffer
		done <- run(nil, &out, &errOut)
	}()
	base = "http://" + addr
	for i := 0; ; i++ {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case code := <-done:
			t.Fatalf("the embedded mode exited with %d before serving", code)
		default:
		}
		if i > 200 {
			t.Fatal("the embedded mode did not serve /healthz")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return base, func() int {
		if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
			t.Fatal(err)
		}
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("the embedded mode did not stop on SIGINT")
			return -1
		}
	}
}

var csrfMeta = regexp.MustCompile(`name="csrf-token" content="([^"]+)"`)

// TestEmbeddedModeKeepsDataAcrossRestarts: the zero-configuration mode
// serves, shuts down gracefully on SIGINT, and a second start finds the
// organisation the first one created.
func TestEmbeddedModeKeepsDataAcrossRestarts(t *testing.T) {
	dataDir := t.TempDir()
	base, stop := startEmbedded(t, dataDir)
	for _, p := range []string{"/healthz", "/readyz", "/"} {
		resp, err := http.Get(base + p)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", p, resp, err)
		}
		resp.Body.Close()
	}
	signUpEmbedded(t, base, "restart", "rita@example.test")
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d after SIGINT", code)
	}

	base, stop = startEmbedded(t, dataDir)
	defer stop()
	resp, err := http.Get(base + "/signup/slug?slug=restart")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(body.String(), "already uses") {
		t.Fatalf("after a restart the organisation is gone: %s", body.String())
	}
	if _, err := os.Stat(fmt.Sprintf("%s/toolbox.db", dataDir)); err != nil {
		t.Fatalf("no SQLite file in the data dir: %v", err)
	}
}

// signUpEmbedded signs an organisation up through the form of a running
// server, as a browser would.
func signUpEmbedded(t *testing.T, base, slug, email string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar}
	resp, err := client.Get(base + "/signup")
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	resp.Body.Close()
	m := csrfMeta.FindStringSubmatch(body.String())
	if m == nil {
		t.Fatal("no CSRF token on the sign-up page")
	}
	form := url.Values{"csrf_token": {html.UnescapeString(m[1])}, "org_name": {"Restart Ltd"}, "slug": {slug}, "time_zone": {"Europe/London"},
		"name": {"Rita"}, "email": {email}, "password": {"a long enough password"}}
	req, _ := http.NewRequest(http.MethodPost, base+"/signup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = client.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK || !strings.HasSuffix(resp.Request.URL.Path, "/o/"+slug) {
		t.Fatalf("sign-up: %v %v", resp, err)
	}
	resp.Body.Close()
}
