package logctx

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

func TestLinesCarryTheContextsAttributes(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewTextHandler(&buf, nil)))
	ctx := With(context.Background(), slog.String("request_id", "r1"))
	ctx = With(ctx, slog.String("org_id", "o1"), slog.String("request_id", "r2"))
	log.InfoContext(ctx, "hello", "n", 1)
	log.With("component", "x").WarnContext(ctx, "again")
	log.Info("bare")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("lines: %q", lines)
	}
	for _, l := range lines[:2] {
		if !strings.Contains(l, "request_id=r2") || !strings.Contains(l, "org_id=o1") || strings.Contains(l, "request_id=r1") {
			t.Errorf("line without the context's ids: %s", l)
		}
	}
	if strings.Contains(lines[2], "request_id") {
		t.Errorf("a line without context got ids: %s", lines[2])
	}
}
