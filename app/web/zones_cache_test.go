package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/gin-gonic/gin"
)

// zonesAcrossDST are zones whose rules differ: northern and southern
// summer time, a half-hour zone, a 45-minute zone with its own DST, a zone
// that dropped DST, and one without any.
var zonesAcrossDST = []string{
	"Europe/London", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
	"Pacific/Chatham", "Europe/Istanbul", "Asia/Kolkata", "UTC",
}

// TestZonesMatchLoadLocation walks every quarter of an hour through years
// with transitions (a past year, this year, and one beyond the zone
// tables' explicit transitions, where the POSIX rule applies) and checks
// that the cached zone shows the same wall time, offset and abbreviation
// as a freshly loaded one.
func TestZonesMatchLoadLocation(t *testing.T) {
	var z Zones
	const layout = "2006-01-02 15:04:05 -0700 MST"
	for _, name := range zonesAcrossDST {
		fresh, err := time.LoadLocation(name)
		if err != nil {
			t.Fatalf("LoadLocation(%s): %v", name, err)
		}
		cached, err := z.Load(name)
		if err != nil {
			t.Fatalf("Zones.Load(%s): %v", name, err)
		}
		if again, _ := z.Load(name); again != cached {
			t.Fatalf("Zones.Load(%s) loaded the zone twice", name)
		}
		transitions := 0
		for _, year := range []int{1995, 2026, 2045} {
			start := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
			end := start.AddDate(1, 0, 0)
			_, lastOffset := start.In(fresh).Zone()
			for at := start; at.Before(end); at = at.Add(15 * time.Minute) {
				want := at.In(fresh)
				got := z.In(at, name)
				if got.Format(layout) != want.Format(layout) || !got.Equal(at) {
					t.Fatalf("%s at %s: cached %s, LoadLocation %s", name, at.Format(time.RFC3339), got.Format(layout), want.Format(layout))
				}
				if _, off := want.Zone(); off != lastOffset {
					transitions++
					lastOffset = off
				}
			}
		}
		if name != "UTC" && name != "Asia/Kolkata" && transitions == 0 {
			t.Errorf("%s: no daylight-saving transition crossed; the test walked the wrong years", name)
		}
	}
}

func TestZonesUnknownNameShowsUTC(t *testing.T) {
	var z Zones
	at := time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC)
	for i := 0; i < 2; i++ { // the second answer comes from the cache
		if _, err := z.Load("Mars/Olympus_Mons"); err == nil {
			t.Fatal("an unknown zone loaded")
		}
		if got := z.In(at, "Mars/Olympus_Mons"); got.Location() != time.UTC || !got.Equal(at) {
			t.Fatalf("unknown zone gave %s, want the instant in UTC", got)
		}
	}
	if got := z.In(at, ""); got.Location() != time.UTC {
		t.Fatalf(`zone "" gave %s, want UTC`, got.Location())
	}
}

// TestInZoneTemplateFunction renders through a Renderer, so that the
// function the templates call is the cached one and shows wall times on
// both sides of London's spring and autumn changes.
func TestInZoneTemplateFunction(t *testing.T) {
	fsys := fstest.MapFS{
		"layouts/base.html":   {Data: []byte(`{{define "base"}}{{template "content" .}}{{end}}`)},
		"partials/empty.html": {Data: []byte(`{{define "nothing"}}{{end}}`)},
		"pages/x/times.html":  {Data: []byte(`{{define "content"}}{{range .}}{{inZone . "Europe/London" | fmtDateTime}}|{{end}}{{end}}`)},
	}
	r, err := NewRenderer(fsys, nil)
	if err != nil {
		t.Fatal(err)
	}
	times := []time.Time{
		time.Date(2026, 3, 29, 0, 59, 0, 0, time.UTC),  // 00:59 GMT
		time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC),   // 02:00 BST
		time.Date(2026, 10, 25, 0, 59, 0, 0, time.UTC), // 01:59 BST
		time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC),  // 01:00 GMT
	}
	gin.SetMode(gin.ReleaseMode)
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	c.Request = httptest.NewRequest(http.MethodGet, "/", nil)
	if err := r.Render(c, http.StatusOK, "x/times", times); err != nil {
		t.Fatal(err)
	}
	want := "Sun 29 Mar 2026, 00:59 GMT|Sun 29 Mar 2026, 02:00 BST|Sun 25 Oct 2026, 01:59 BST|Sun 25 Oct 2026, 01:00 GMT|"
	if got := w.Body.String(); !strings.Contains(got, want) {
		t.Fatalf("rendered %q, want %q", got, want)
	}
}

// BenchmarkInZone is the per-row cost of showing a time in a zone.
func BenchmarkInZone(b *testing.B) {
	at := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	b.Run("LoadLocation", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			loc, _ := time.LoadLocation("Europe/London")
			_ = at.In(loc)
		}
	})
	b.Run("Zones", func(b *testing.B) {
		var z Zones
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_ = z.In(at, "Europe/London")
		}
	})
}
