package busy_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/busy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// icsServer serves testdata/coach.ics at /coach.ics, and the failures a
// calendar's address can give at other paths.
func icsServer(t *testing.T) *httptest.Server {
	t.Helper()
	body, err := os.ReadFile("testdata/coach.ics")
	if err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/coach.ics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		_, _ = w.Write(body)
	})
	mux.HandleFunc("/private.ics", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>Sign in to see this calendar</body></html>"))
	})
	// Over 10 MB: announced, and unannounced (chunked).
	mux.HandleFunc("/huge-announced.ics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "11000000")
		_, _ = w.Write([]byte(strings.Repeat("X", 1<<16)))
	})
	mux.HandleFunc("/huge.ics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/calendar")
		chunk := []byte("BEGIN:VEVENT\r\nUID:x\r\nDTSTART:20270302T100000Z\r\nDTEND:20270302T110000Z\r\nEND:VEVENT\r\n")
		for sent := 0; sent <= busy.MaxBytes+len(chunk); sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	// Never answers (until the test ends).
	mux.HandleFunc("/slow.ics", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(stop); srv.Close() })
	return srv
}

func TestFetchFailuresSayWhy(t *testing.T) {
	srv := icsServer(t)
	// The default timeout (30 s) for all but the server that never
	// answers, so that reading 10 MB on a busy machine is not cut short.
	f := &busy.Fetcher{AllowPrivate: true}
	impatient := &busy.Fetcher{AllowPrivate: true, Timeout: 500 * time.Millisecond}
	cases := map[string]string{
		"/missing.ics":        busy.FailAddress,
		"/private.ics":        busy.FailUnauthorised,
		"/page.html":          busy.FailContent,
		"/huge-announced.ics": busy.FailTooLarge,
		"/huge.ics":           busy.FailTooLarge,
		"/slow.ics":           busy.FailTimeout,
	}
	for path, want := range cases {
		fetcher := f
		if want == busy.FailTimeout {
			fetcher = impatient
		}
		_, err := fetcher.Fetch(context.Background(), busy.KindICS, busy.Credentials{URL: srv.URL + path}, testkit.Epoch, testkit.Epoch.AddDate(0, 0, 60))
		var fe *busy.FetchError
		if !errors.As(err, &fe) || fe.Kind != want {
			t.Errorf("%s: error %v, want kind %s", path, err, want)
		} else if strings.Contains(fe.Detail, path) {
			t.Errorf("%s: the recorded detail %q names the (secret) address", path, fe.Detail)
		}
	}
	// A server whose certificate is not trusted: a server error, which
	// does not name the address either.
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	_, err := f.Fetch(context.Background(), busy.KindICS, busy.Credentials{URL: tlsSrv.URL + "/private-abc/basic.ics"}, testkit.Epoch, testkit.Epoch.Add(time.Hour))
	var fe *busy.FetchError
	if !errors.As(err, &fe) || fe.Kind != busy.FailServer || strings.Contains(fe.Detail, "private-abc") {
		t.Errorf("untrusted certificate: %v", err)
	}
	cals, err := f.Fetch(context.Background(), busy.KindICS, busy.Credentials{URL: srv.URL + "/coach.ics"}, testkit.Epoch, testkit.Epoch.AddDate(0, 0, 60))
	if err != nil || len(cals) != 1 || len(cals[0].Events()) == 0 {
		t.Fatalf("coach.ics: %v", err)
	}
}

// TestFetchRefusesPrivateAddresses: without AllowPrivate, an address on
// this machine or a private network is refused, before any request
// (NormaliseURL) and at the dial (a public name that resolves inwards).
func TestFetchRefusesPrivateAddresses(t *testing.T) {
	srv := icsServer(t)
	f := &busy.Fetcher{Timeout: 2 * time.Second}
	_, err := f.Fetch(context.Background(), busy.KindICS, busy.Credentials{URL: strings.Replace(srv.URL, "http://", "https://", 1) + "/coach.ics"}, testkit.Epoch, testkit.Epoch.Add(time.Hour))
	var fe *busy.FetchError
	if !errors.As(err, &fe) || fe.Kind != busy.FailRefused {
		t.Errorf("a loopback address: %v, want refused", err)
	}
	if _, err := f.Fetch(context.Background(), busy.KindICS, busy.Credentials{URL: srv.URL + "/coach.ics"}, testkit.Epoch, testkit.Epoch.Add(time.Hour)); err == nil {
		t.Error("plain http was read where private addresses are refused")
	}
	for _, raw := range []string{"https://127.0.0.1/x.ics", "https://10.1.2.3/x.ics", "https://[::1]/x.ics", "https://localhost/x.ics",
		"https://169.254.169.254/latest/meta-data", "http://calendar.example.com/x.ics", "https://user:pw@calendar.example.com/x.ics", "calendar.example.com"} {
		if _, err := f.NormaliseURL(raw); err == nil {
			t.Errorf("%s was accepted", raw)
		}
	}
	got, err := f.NormaliseURL(" webcal://calendar.example.com/secret/basic.ics ")
	if err != nil || got != "https://calendar.example.com/secret/basic.ics" {
		t.Errorf("webcal address = %q, %v", got, err)
	}
	for ip, public := range map[string]bool{"8.8.8.8": true, "2606:4700::1111": true, "127.0.0.1": false, "192.168.1.1": false,
		"172.16.0.1": false, "100.64.0.1": false, "fd00::1": false, "fe80::1": false, "::ffff:10.0.0.1": false, "0.0.0.0": false} {
		if busy.Public(netip.MustParseAddr(ip)) != public {
			t.Errorf("Public(%s) = %v", ip, !public)
		}
	}
}
