package calendar_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestCalendarPagesWireLabelsAndSwapsRight: on the availability editor
// and a session page every element id is used once, every label names a
// field of its own form, and every htmx swap selects its own target from
// the response. The date-override form's From and To shared their ids
// with the weekly-hours form (their labels focused the other form's
// fields), the cancel form's Reason with the move form's, and the live
// preview inherited the form's hx-select="#availability", so it vanished
// on the first change; the browser journey (e2e/smoke.mjs, "calendar")
// found all three.
func TestCalendarPagesWireLabelsAndSwapsRight(t *testing.T) {
	env := testkit.New(t)
	fx := newFixture(t, env, "America/New_York")
	s := fx.book(t, env, env.Clock.Now().Add(7*24*time.Hour).Truncate(time.Hour))
	base := "/o/" + fx.org.Slug + "/calendar"
	coach, member := env.SignIn(fx.coach.User), env.SignIn(fx.member.User)
	for _, c := range []struct {
		who  string
		b    *testkit.Browser
		path string
	}{
		{"coach", coach, base + "/availability"},
		{"coach", coach, base + "/sessions/" + s.ID.String()},
		{"member", member, base + "/sessions/" + s.ID.String()},
	} {
		p := c.b.Get(c.path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s GET %s = %d", c.who, c.path, p.Status)
		}
		doc := p.Doc()
		seen := map[string]int{}
		doc.Find("[id]").Each(func(_ int, el *goquery.Selection) { seen[el.AttrOr("id", "")]++ })
		for id, n := range seen {
			if n > 1 {
				t.Errorf("%s, %s: id %q used %d times", c.who, c.path, id, n)
			}
		}
		labels := 0
		doc.Find("form label[for]").Each(func(_ int, l *goquery.Selection) {
			labels++
			// A browser takes the first element with the id.
			target := doc.Find("#" + l.AttrOr("for", "")).First()
			if target.Length() == 0 {
				t.Errorf("%s, %s: label %q points at no field", c.who, c.path, l.Text())
				return
			}
			if !target.Closest("form").IsSelection(l.Closest("form")) {
				t.Errorf("%s, %s: label %q points at a field of another form", c.who, c.path, l.Text())
			}
		})
		// htmx inherits hx-select: an element that swaps its own target
		// must select that target from the response, not the enclosing
		// form's (the live availability preview used to vanish on the
		// first change, filtered through the form's hx-select).
		doc.Find("[hx-get], [hx-post]").Each(func(_ int, el *goquery.Selection) {
			target := inherited(el, "hx-target")
			if sel := inherited(el, "hx-select"); sel != "" && target != "" && sel != target {
				t.Errorf("%s, %s: an element swapping %s selects %s from the response", c.who, c.path, target, sel)
			}
		})
		if labels == 0 {
			t.Errorf("%s, %s: no labelled fields (the page changed?)", c.who, c.path)
		}
	}
}

// inherited is the value of an htmx attribute on el or its nearest
// ancestor that has it, as htmx reads it.
func inherited(el *goquery.Selection, attr string) string {
	for s := el; s.Length() > 0; s = s.Parent() {
		if v, ok := s.Attr(attr); ok {
			return v
		}
	}
	return ""
}
