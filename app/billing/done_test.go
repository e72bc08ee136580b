package billing_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/assessment"
	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// newMentorTraining makes a published paid course that qualifies as
// mentor training: one module with two lessons and a two-question quiz
// (pass mark 100%).
func newMentorTraining(t *testing.T, env *testkit.Env, org *testkit.Org, price int64) *courses.Outline {
	t.Helper()
	ctx := context.Background()
	st := env.Services.Courses.Store
	now := env.Clock.Now()
	c := &courses.Course{OrgID: org.ID, Title: "Mentor training for new mentors", Summary: "Become a mentor", Currency: "gbp",
		PriceMinor: price, QualifiesMentor: true, Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	m, err := st.AddModule(ctx, org.ID, c.ID, "What a mentor does", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Sharing experience", "Giving feedback"} {
		if err := st.AddLesson(ctx, &courses.Lesson{OrgID: org.ID, CourseID: c.ID, ModuleID: m.ID, Title: title, Body: "About " + title, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddQuestion(ctx, org.ID, c.ID, m.ID, "Is mentoring directive?", "Mentors guide and advise.", []string{"Yes", "No"}, 0, now); err != nil {
		t.Fatal(err)
	}
	if err := st.AddQuestion(ctx, org.ID, c.ID, m.ID, "Whose needs does mentoring tend to serve?", "Often the organisation's.", []string{"The mentor's", "The organisation's"}, 1, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SetPassMark(ctx, org.ID, c.ID, m.ID, 100, now); err != nil {
		t.Fatal(err)
	}
	o, err := st.Outline(ctx, org.ID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// quizAnswers picks the right (or wrong) option of every question.
func quizAnswers(q *courses.Quiz, right bool) map[string]string {
	out := map[string]string{}
	for _, qu := range q.Questions {
		for _, op := range qu.Options {
			if op.Correct == right {
				out["q-"+qu.ID.String()] = op.ID.String()
			}
		}
	}
	return out
}

// candidateReasons returns the reasons listed under a candidate's name on
// the coordinator's request page, and whether the candidate is listed.
func candidateReasons(p *testkit.Page, name string) (string, bool) {
	var reasons string
	found := false
	p.Doc().Find("article.card").Each(func(_ int, s *goquery.Selection) {
		if strings.TrimSpace(s.Find("h3").Text()) == name {
			found = true
			reasons = s.Find("ul").Text()
		}
	})
	return reasons, found
}

// TestDoneMeansATraineeBuysCompletesAndIsMatchedAsAMentor is the issue's
// "done means", walked through HTTP as the people would in a browser, with
// the app pointed at stripe-mock and Stripe's webhooks signed here: a
// trainee buys mentor training, waits for the webhook to open the course,
// completes the lessons and the quiz, gets a certificate whose public link
// verifies, and is ranked as a trained mentor by the coordinator; a refund
// closes the course again and keeps the progress.
func TestDoneMeansATraineeBuysCompletesAndIsMatchedAsAMentor(t *testing.T) {
	for _, engine := range testkit.Engines {
		t.Run(engine.String(), func(t *testing.T) {
			f := startStripe(t)
			env := testkit.New(t, testkit.OnEngine(engine), withStripe(f))
			org := env.NewOrg()
			trainee := env.NewPerson(org, tenancy.RoleMember)
			// An untrained mentor, for comparison in the ranking, and the
			// member who needs a mentor.
			untrained := env.NewPerson(org, tenancy.RolePractitioner, tenancy.KindMentor)
			mentee := env.NewPerson(org, tenancy.RoleMember)
			o := newMentorTraining(t, env, org, 12000)
			c := o.Course
			orgBase := "/o/" + org.Slug
			base := orgBase + "/courses/" + c.ID.String()

			// The trainee finds the course in the catalogue and buys it.
			b := env.SignIn(trainee.User)
			if p := b.Get(orgBase + "/courses"); !strings.Contains(p.Body, c.Title) {
				t.Fatalf("catalogue lacks the course: %s", p.Text("main"))
			}
			p := b.Get(base)
			if !strings.Contains(p.Body, "Buy your place") || !strings.Contains(p.Body, "£120.00") || !strings.Contains(p.Body, "qualifies you as a trained mentor") {
				t.Fatalf("course page does not offer the purchase: %s", p.Text("main"))
			}
			call, pay := buy(t, env, f, trainee, org, c)
			if call.Form.Get("success_url") != env.Config.BaseURL+base+"/purchased" {
				t.Fatalf("success URL = %q", call.Form.Get("success_url"))
			}

			// Back from Checkout: the page waits, nothing is open yet.
			p = b.Get(base + "/purchased")
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "access opens in a moment") {
				t.Fatalf("success page = %d: %s", p.Status, p.Text("main"))
			}
			if p.Doc().Find(`#access-status[hx-trigger="every 2s"]`).Length() != 1 {
				t.Fatalf("success page does not poll for access")
			}
			if p := b.HTMX(http.MethodGet, base+"/access", nil); !strings.Contains(p.Body, "Waiting for Stripe") || strings.Contains(p.Body, "<html") {
				t.Fatalf("status fragment before the webhook: %s", p.Body)
			}
			lessons := o.Lessons()
			if p := b.Get(base + "/lessons/" + lessons[0].ID.String()); !strings.Contains(p.Body, "Enrol on the course first") {
				t.Fatalf("lesson opened before the webhook")
			}

			// Stripe says the payment went through; the status fragment
			// opens the course.
			intent := "pi_done_" + pay.ID.String()[:8]
			body := send(t, env, event("evt_done_paid_"+pay.ID.String(), "checkout.session.completed",
				sessionObject(call, *pay.CheckoutSessionID, "paid", intent, 12000)))
			if !strings.Contains(body, "access granted") {
				t.Fatalf("webhook outcome: %s", body)
			}
			p = b.HTMX(http.MethodGet, base+"/access", nil)
			if !strings.Contains(p.Body, "Your access is open") || !strings.Contains(p.Body, `href="`+base+`"`) || strings.Contains(p.Body, "hx-trigger") {
				t.Fatalf("status fragment after the webhook: %s", p.Body)
			}
			if p := b.Get(base); !strings.Contains(p.Body, "Start the first lesson") {
				t.Fatalf("course page after the webhook: %s", p.Text("main"))
			}

			// Every lesson, marked complete with htmx: the progress bar moves.
			for i, l := range lessons {
				if p := b.Get(base + "/lessons/" + l.ID.String()); p.Status != http.StatusOK || !strings.Contains(p.Body, "About "+l.Title) {
					t.Fatalf("lesson %d = %d", i, p.Status)
				}
				p := b.HTMX(http.MethodPost, base+"/lessons/"+l.ID.String()+"/complete", nil)
				bar := p.Doc().Find("progress#lesson-progress-bar")
				if v, _ := bar.Attr("value"); p.Status != http.StatusOK || v != strconv.Itoa(i+1) {
					t.Fatalf("lesson %d complete = %d, progress %q: %s", i, p.Status, v, p.Body)
				}
			}
			// The quiz: a wrong try gives feedback, then a pass.
			q := o.Quizzes()[0]
			if p := b.Post(base+"/quizzes/"+q.ID.String(), quizAnswers(q, false)); !strings.Contains(p.Body, "Not yet") || !strings.Contains(p.Body, "Mentors guide and advise.") {
				t.Fatalf("failed quiz feedback: %s", p.Text("main"))
			}
			if n := env.Count("certificates", "org_id = ? AND user_id = ?", org.ID, trainee.ID); n != 0 {
				t.Fatalf("certificate before passing the quiz")
			}
			if p := b.Post(base+"/quizzes/"+q.ID.String(), quizAnswers(q, true)); !strings.Contains(p.Body, "You passed") || !strings.Contains(p.Body, "You completed the course") {
				t.Fatalf("passing the quiz: %s", p.Text("main"))
			}

			// The certificate, and its public link.
			p = b.Get(base)
			link := p.Doc().Find(`a[href*="/certificates/"]`)
			href, _ := link.Attr("href")
			if !strings.Contains(p.Body, "You completed this course") || href == "" {
				t.Fatalf("course page after completion: %s", p.Text("main"))
			}
			p = b.Get(href)
			public, _ := p.Doc().Find(`a[href^="` + env.Config.BaseURL + `/certificates/"]`).Attr("href")
			if p.Status != http.StatusOK || !strings.Contains(p.Body, trainee.Name) || public == "" {
				t.Fatalf("certificate page = %d: %s", p.Status, p.Text("main"))
			}
			anonymous := env.Browser()
			p = anonymous.Get(strings.TrimPrefix(public, env.Config.BaseURL))
			main := p.Text("main")
			if p.Status != http.StatusOK || p.Header.Get("X-Robots-Tag") != "noindex" {
				t.Fatalf("public certificate check = %d", p.Status)
			}
			for _, want := range []string{"genuine", trainee.Name, c.Title, env.Clock.Now().Format("Mon 2 Jan 2006")} {
				if !strings.Contains(main, want) {
					t.Errorf("public check lacks %q: %s", want, main)
				}
			}
			for _, leak := range []string{trainee.Email, org.Name, org.Slug, "£120.00"} {
				if strings.Contains(p.Body, leak) {
					t.Errorf("public check shows %q", leak)
				}
			}
			if p := anonymous.Get("/certificates/NOTACODE"); p.Status != http.StatusNotFound {
				t.Errorf("unknown certificate = %d", p.Status)
			}

			// The organisation's staff are told (through the worker), and
			// the completion is recorded on the practitioner profile.
			env.RunDueTasks()
			if n := len(env.Emails(org.Owner.Email)); n == 0 {
				t.Errorf("the coordinator was not told of the completion")
			}
			if n := env.Count("practitioner_profiles", "org_id = ? AND user_id = ? AND trained_mentor_at IS NOT NULL", org.ID, trainee.ID); n != 1 {
				t.Fatalf("trained_mentor_at not set on the profile")
			}

			// The trainee is a provisional mentor until a coordinator
			// approves them on the pipeline (issue 13); the admin also
			// makes them a practitioner; both mentors fill in their profile.
			owner := env.SignIn(org.Owner.User)
			p = owner.Post(orgBase+"/pipeline/mentors/"+trainee.ID.String()+"/approve", nil)
			if p.Status != http.StatusOK {
				t.Fatalf("approve the trained mentor = %d: %s", p.Status, p.Text("main"))
			}
			p = owner.PostValues(orgBase+"/people/"+trainee.ID.String()+"/role", url.Values{"role": {"practitioner"}, "kinds": {"mentor"}})
			if p.Status != http.StatusOK || !strings.Contains(p.Body, "is saved") {
				t.Fatalf("make the trainee a mentor = %d: %s", p.Status, p.Text("main"))
			}
			for _, who := range []*testkit.Person{trainee, untrained} {
				mb := env.SignIn(who.User)
				mb.Get(orgBase + "/profile")
				p := mb.PostValues(orgBase+"/profile", url.Values{"kinds": {"mentor"}, "topics": {"leadership"}, "languages": {"en"}, "capacity": {"2"},
					"time_zone": {"Europe/London"}, "bio": {"Mentor"}, "accepting": {"1"}})
				if p.Status != http.StatusOK || !strings.Contains(p.Body, "Profile saved") {
					t.Fatalf("save profile = %d: %s", p.Status, p.Text("main"))
				}
			}
			if n := env.Count("practitioner_profiles", "org_id = ? AND user_id = ? AND trained_mentor_at IS NOT NULL", org.ID, trainee.ID); n != 1 {
				t.Fatalf("saving the profile lost the trained-mentor mark")
			}

			// The coordinator matches a member who needs a mentor: the
			// trainee has the trained-mentor point, the other mentor not.
			r, err := env.Services.Assessment.RecordFaceToFace(env.Ctx(), org.ID, mentee.ID, org.Owner.ID, env.Clock.Now(),
				assessment.Decision{Kind: "mentoring", Format: "one_to_one", Duration: "ongoing", Topics: []string{"leadership"}, Reason: "Agreed in person"})
			if err != nil {
				t.Fatal(err)
			}
			p = owner.Get(orgBase + "/requests/" + r.ID.String())
			reasons, ok := candidateReasons(p, trainee.Name)
			if !ok || !strings.Contains(reasons, "Completed mentor training: 10") {
				t.Fatalf("the trainee is not ranked as a trained mentor (listed %v): %q", ok, reasons)
			}
			other, ok := candidateReasons(p, untrained.Name)
			if !ok || strings.Contains(other, "Completed mentor training") {
				t.Fatalf("the untrained mentor (listed %v): %q", ok, other)
			}
			first := p.Doc().Find("article.card h3").First().Text()
			if first != trainee.Name {
				t.Fatalf("top candidate = %q, want the trained mentor", first)
			}

			// A refund closes the course again: lessons refuse, progress stays.
			body = send(t, env, event("evt_done_refund_"+pay.ID.String(), "charge.refunded", map[string]any{
				"id": "ch_done", "object": "charge", "refunded": true, "amount_refunded": 12000, "payment_intent": intent,
			}))
			if !strings.Contains(body, "access revoked") {
				t.Fatalf("refund outcome: %s", body)
			}
			for _, l := range lessons {
				if p := b.Get(base + "/lessons/" + l.ID.String()); !strings.Contains(p.Body, "Enrol on the course first") || strings.Contains(p.Body, "About "+l.Title) {
					t.Fatalf("lesson %s still open after the refund", l.Title)
				}
			}
			if p := b.Get(base + "/quizzes/" + q.ID.String()); !strings.Contains(p.Body, "Enrol on the course first") {
				t.Fatalf("quiz still open after the refund")
			}
			if p := b.HTMX(http.MethodGet, base+"/access", nil); strings.Contains(p.Body, "Your access is open") {
				t.Fatalf("status fragment still says open after the refund")
			}
			if p := b.Get(base); !strings.Contains(p.Body, "was closed") {
				t.Fatalf("course page does not say the place was closed: %s", p.Text("main"))
			}
			if n := env.Count("lesson_progress", "org_id = ? AND user_id = ? AND course_id = ?", org.ID, trainee.ID, c.ID); n != len(lessons) {
				t.Fatalf("progress after the refund = %d lessons, want %d", n, len(lessons))
			}
			if n := env.Count("quiz_attempts", "org_id = ? AND user_id = ? AND passed", org.ID, trainee.ID); n != 1 {
				t.Fatalf("passed quiz attempt lost after the refund")
			}
			if p := b.Get(orgBase + "/billing"); !strings.Contains(p.Body, "refunded") {
				t.Fatalf("billing history does not show the refund")
			}
		})
	}
}
