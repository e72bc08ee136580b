package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestOperatorCommandAndMetricsListener runs the embedded mode with its
// metrics on their own address, signs an organisation up, and gives and
// takes the operator's role from the command line against the same data
// directory while the server runs.
func TestOperatorCommandAndMetricsListener(t *testing.T) {
	dataDir := t.TempDir()
	metricsAddr := freePort(t)
	t.Setenv("TOOLBOX_METRICS_ADDR", metricsAddr)
	base, stop := startEmbedded(t, dataDir)
	defer stop()
	signUpEmbedded(t, base, "opsco", "olive@example.test")

	cli := func(args ...string) (int, string) {
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	if code, out := cli("operator", "grant", "olive@example.test"); code != 0 || !strings.Contains(out, "is now a platform operator") {
		t.Fatalf("grant: exit %d, %q", code, out)
	}
	if code, out := cli("operator", "grant", "olive@example.test"); code != 0 || !strings.Contains(out, "already") {
		t.Errorf("grant again: exit %d, %q", code, out)
	}
	if code, out := cli("operator", "list"); code != 0 || strings.TrimSpace(out) != "olive@example.test" {
		t.Errorf("list: exit %d, %q", code, out)
	}
	if code, out := cli("operator", "grant", "nobody@example.test"); code != 1 || !strings.Contains(out, "no account with that address nobody@example.test") {
		t.Errorf("grant to no account: exit %d, %q", code, out)
	}
	if code, out := cli("operator", "revoke", "olive@example.test"); code != 0 || !strings.Contains(out, "no longer") {
		t.Errorf("revoke: exit %d, %q", code, out)
	}
	if code, out := cli("operator"); code != 1 || !strings.Contains(out, "operator needs grant EMAIL") {
		t.Errorf("operator alone: exit %d, %q", code, out)
	}

	resp, err := http.Get("http://" + metricsAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`toolbox_http_requests_total{method="POST",route="/signup",status="303"}`, `go_sql_open_connections{db_name="main"}`, "toolbox_outbox_waiting"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("the metrics listener lacks %s", want)
		}
	}
	if resp, err := http.Get(base + "/metrics"); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("the site serves /metrics: %d", resp.StatusCode)
		}
	}
}
