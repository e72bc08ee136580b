package courses_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

// twoModules is a published free course of two modules with two lessons
// each, the first module closed by a quiz.
func twoModules(t *testing.T, env *testkit.Env, org *testkit.Org, enforce bool, drip int) *courses.Outline {
	t.Helper()
	o := newCourse(t, env, org, false)
	st, now := env.Services.Courses.Store, env.Clock.Now()
	m, err := st.AddModule(env.Ctx(), org.ID, o.Course.ID, "Going further", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Three", "Four"} {
		if err := st.AddLesson(env.Ctx(), &courses.Lesson{OrgID: org.ID, CourseID: o.Course.ID, ModuleID: m.ID, Title: title, Body: title, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	o.Course.EnforceOrder, o.Course.DripDays = enforce, drip
	if err := st.UpdateCourse(env.Ctx(), o.Course); err != nil {
		t.Fatal(err)
	}
	if o, err = st.Outline(env.Ctx(), org.ID, o.Course.ID); err != nil {
		t.Fatal(err)
	}
	return o
}

func TestAnOrderedCourseOpensEachStepAfterTheOneBefore(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		o := twoModules(t, env, org, true, 0)
		b := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
		base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
		b.Post(base+"/enrol", nil)
		ls := o.Lessons()
		if p := b.Get(base + "/lessons/" + ls[1].ID.String()); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "finish “One” first") {
			t.Fatalf("lesson two before one = %d", p.Status)
		}
		if p := b.Get(base + "/quizzes/" + o.Modules[0].Quiz.ID.String()); p.Status != http.StatusForbidden {
			t.Fatalf("quiz before its lessons = %d", p.Status)
		}
		b.Get(base + "/lessons/" + ls[0].ID.String())
		b.Post(base+"/lessons/"+ls[0].ID.String()+"/complete", nil)
		if p := b.Get(base + "/lessons/" + ls[1].ID.String()); p.Status != http.StatusOK {
			t.Fatalf("lesson two after one = %d", p.Status)
		}
		b.Post(base+"/lessons/"+ls[1].ID.String()+"/complete", nil)
		// The second module waits for the first module's quiz.
		if p := b.Get(base + "/lessons/" + ls[2].ID.String()); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "the quiz of") {
			t.Fatalf("module two before the quiz = %d", p.Status)
		}
		b.Get(base + "/quizzes/" + o.Modules[0].Quiz.ID.String())
		if p := b.Post(base+"/quizzes/"+o.Modules[0].Quiz.ID.String(), answers(o.Modules[0].Quiz, true)); p.Status != http.StatusOK {
			t.Fatalf("quiz = %d", p.Status)
		}
		if p := b.Get(base + "/lessons/" + ls[2].ID.String()); p.Status != http.StatusOK {
			t.Fatalf("module two after the quiz = %d", p.Status)
		}
	})
}

func TestModulesAreReleasedOnASchedule(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	o := twoModules(t, env, org, false, 7)
	b := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
	base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
	b.Post(base+"/enrol", nil)
	ls := o.Lessons()
	if p := b.Get(base + "/lessons/" + ls[1].ID.String()); p.Status != http.StatusOK {
		t.Fatalf("module one = %d (no order enforced)", p.Status)
	}
	if p := b.Get(base + "/lessons/" + ls[2].ID.String()); p.Status != http.StatusForbidden || !strings.Contains(p.Body, "opens on Mon 8 Mar 2027") {
		t.Fatalf("module two on day one = %d: %s", p.Status, p.Text("main"))
	}
	env.Clock.Advance(7 * 24 * time.Hour)
	if p := b.Get(base + "/lessons/" + ls[2].ID.String()); p.Status != http.StatusOK {
		t.Fatalf("module two a week later = %d", p.Status)
	}
}

func TestGatesAreOffUnlessACourseAsks(t *testing.T) {
	o := &courses.Outline{Course: &courses.Course{}, Modules: []courses.Module{{Lessons: []courses.Lesson{{Title: "A"}, {Title: "B"}}}}}
	o.Modules[0].Lessons[1].ID = [16]byte{1}
	g := courses.LessonGate(o, &courses.Enrolment{}, &courses.Progress{}, o.Modules[0].Lessons[1].ID, testkit.Epoch)
	if !g.Open {
		t.Fatalf("a plain course closed a lesson: %+v", g)
	}
}

func TestTheCertificateStatesWhatWasCompletedAndTheTimeTaken(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	o := newCourse(t, env, org, false)
	member := env.NewPerson(org, tenancy.RoleMember)
	b := env.SignIn(member.User)
	base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
	b.Post(base+"/enrol", nil)
	ls := o.Lessons()
	for i, spent := range []time.Duration{12 * time.Minute, 5 * time.Hour} {
		b.Get(base + "/lessons/" + ls[i].ID.String())
		env.Clock.Advance(spent)
		b.Post(base+"/lessons/"+ls[i].ID.String()+"/complete", nil)
	}
	quiz := o.Modules[0].Quiz
	b.Get(base + "/quizzes/" + quiz.ID.String())
	b.Post(base+"/quizzes/"+quiz.ID.String(), answers(quiz, true))
	var code string
	if err := env.OwnerDB.NewSelect().Table("certificates").Column("code").Where("user_id = ?", member.ID).Scan(env.Ctx(), &code); err != nil {
		t.Fatal(err)
	}
	rows := b.Get("/o/" + org.Slug + "/certificates/" + code).Doc().Find("#certificate-record tbody tr")
	var got []string
	rows.Each(func(_ int, r *goquery.Selection) {
		got = append(got, strings.Join(r.Find("td").Map(func(_ int, td *goquery.Selection) string { return td.Text() }), " "))
	})
	want := []string{"Starting One Mon 1 Mar 2027 12 min", "Starting Two Mon 1 Mar 2027 120 min", "Starting Quiz Mon 1 Mar 2027 2 of 2 correct"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("record = %q, want %q", got, want)
	}
}
