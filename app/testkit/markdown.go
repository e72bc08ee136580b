package testkit

import (
	"strings"
	"testing"
)

// HostileMarkdown is Markdown written to smuggle script into a page: a
// script element, a javascript: link and an image with an event handler.
// Every renderer of people's Markdown (lessons, library articles,
// agendas) is tested with it.
const HostileMarkdown = "# Title\n\n<script>alert(1)</script>\n\n[click](javascript:alert(2)) **bold** <img src=x onerror=alert(3)>"

// HostileMarkers are what must not survive rendering HostileMarkdown.
var HostileMarkers = []string{"<script", "javascript:", "onerror", "alert(1)"}

// CheckSanitised fails the test when html, rendered from HostileMarkdown,
// kept anything hostile or lost the Markdown around it.
func CheckSanitised(t testing.TB, html string) {
	t.Helper()
	for _, bad := range HostileMarkers {
		if strings.Contains(html, bad) {
			t.Errorf("rendered Markdown contains %q: %s", bad, html)
		}
	}
	if !strings.Contains(html, "<h1") || !strings.Contains(html, "<strong>bold</strong>") {
		t.Errorf("Markdown not rendered: %s", html)
	}
}
