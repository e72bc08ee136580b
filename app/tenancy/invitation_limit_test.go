package tenancy_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// TestInvitationsPerOrganisationPerDay: a new organisation sends at most
// its (lower) daily number of invitations, one by one or by CSV, and is
// told so; the next day it may send more, and after its first week the
// higher limit applies.
func TestInvitationsPerOrganisationPerDay(t *testing.T) {
	env := testkit.New(t, testkit.WithConfig(func(c *config.Config) { c.NewOrgInvitationsPerDay, c.InvitationsPerDay = 3, 5 }))
	org := env.NewOrg()
	b := env.SignIn(org.Owner.User)
	base := "/o/" + org.Slug + "/invitations"
	b.Get(base)
	invite := func(i int) *testkit.Page {
		return b.Post(base, map[string]string{"email": fmt.Sprintf("invitee-%d-%s@example.test", i, org.Slug), "role": "member"})
	}
	for i := range 3 {
		if p := invite(i); p.Status != http.StatusOK {
			t.Fatalf("invitation %d = %d", i+1, p.Status)
		}
	}
	p := invite(3)
	if p.Status != http.StatusTooManyRequests || !strings.Contains(p.Text(".field-error"), "3 invitations in any 24 hours") {
		t.Fatalf("4th invitation of a new organisation = %d (%q), want 429 with the limit", p.Status, p.Text(".field-error"))
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	part, _ := w.CreateFormFile("file", "people.csv")
	fmt.Fprintf(part, "email,role\ncsv-1-%s@example.test,member\ncsv-2-%s@example.test,member\n", org.Slug, org.Slug)
	w.Close()
	if p := b.PostRaw(base+"/upload", w.FormDataContentType(), &body); p.Status != http.StatusTooManyRequests || !strings.Contains(p.Body, "tomorrow") {
		t.Fatalf("CSV past the limit = %d, want 429 with a message", p.Status)
	}
	if n := env.Count("invitations", "org_id = ?", org.ID); n != 3 {
		t.Fatalf("%d invitations stored, want 3", n)
	}
	env.Clock.Advance(8 * 24 * time.Hour)
	for i := 10; i < 15; i++ {
		if p := invite(i); p.Status != http.StatusOK {
			t.Fatalf("after the first week, invitation %d of 5 = %d", i-9, p.Status)
		}
	}
	if p := invite(15); p.Status != http.StatusTooManyRequests {
		t.Fatalf("6th invitation of the day = %d, want 429", p.Status)
	}
}
