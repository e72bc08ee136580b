package web

import (
	"net/url"
	"strings"
	"testing"
)

// browserBase is the origin the browser model resolves redirects against.
var browserBase, _ = url.Parse("https://toolbox.example/o/acme/people")

// browserHosts returns the hosts a browser could end up on when it follows
// a Location of target: read as sent and after each percent-decoding, with
// the WHATWG URL parser's clean-up applied (leading and trailing C0 controls
// and spaces trimmed, tabs and newlines removed, "\" read as "/").
func browserHosts(target string) []string {
	var hosts []string
	for s, i := target, 0; i < 4; i++ {
		clean := strings.TrimFunc(s, func(r rune) bool { return r <= 0x20 })
		clean = strings.Map(func(r rune) rune {
			switch r {
			case '\t', '\n', '\r':
				return -1
			case '\\':
				return '/'
			}
			return r
		}, clean)
		if u, err := url.Parse(clean); err == nil {
			hosts = append(hosts, browserBase.ResolveReference(u).Host)
		} else {
			hosts = append(hosts, "unparseable")
		}
		decoded, err := url.PathUnescape(s)
		if err != nil || decoded == s {
			break
		}
		s = decoded
	}
	return hosts
}

var redirectVectors = []string{
	"/%09/evil.example", "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "\t//evil.example",
	"//evil.example", "/\\evil.example", "\\\\evil.example", "/%5Cevil.example", "/%2F/evil.example",
	"/%252F/evil.example", "/%2509/evil.example", " //evil.example", "https://evil.example", "http:evil.example",
	"javascript:alert(1)", "/\x00/evil.example", "/%00", "/%0d%0aSet-Cookie:x=1", "/\u0085/evil.example",
	"//", "/\\", "", "home", "./x", "../x", "/a\x7f",
}

func TestLocalPathRefusesWhatLeavesTheSite(t *testing.T) {
	for _, v := range redirectVectors {
		if LocalPath(v) {
			t.Errorf("LocalPath(%q) = true, want false", v)
		}
	}
	for _, ok := range []string{"/", "/home", "/o/acme/people?q=ann&page=2", "/o/acme/sessions/1#notes", "/a/b%20c", "/a//b", "/a\\b"} {
		if !LocalPath(ok) {
			t.Errorf("LocalPath(%q) = false, want true", ok)
		}
	}
	if got := SafeNext("/%09/evil.example", "/home"); got != "/home" {
		t.Errorf("SafeNext = %q", got)
	}
}

// FuzzLocalPath checks that no accepted target takes a browser to another
// host, however it normalises the text.
func FuzzLocalPath(f *testing.F) {
	for _, v := range redirectVectors {
		f.Add(v)
	}
	f.Add("/o/acme/people?next=//evil.example")
	f.Fuzz(func(t *testing.T, target string) {
		if !LocalPath(target) {
			return
		}
		for _, h := range browserHosts(target) {
			if h != browserBase.Host {
				t.Fatalf("LocalPath(%q) accepted a target a browser reads as host %q", target, h)
			}
		}
		for _, r := range target {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("LocalPath(%q) accepted a control character", target)
			}
		}
	})
}
