package courses_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/leadershiptoolbox/toolbox/app/courses"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

// newCourse makes a published free course with two lessons in one module
// and a two-question quiz (pass mark 50%).
func newCourse(t *testing.T, env *testkit.Env, org *testkit.Org, qualifies bool) *courses.Outline {
	t.Helper()
	ctx := context.Background()
	st := env.Services.Courses.Store
	now := env.Clock.Now()
	c := &courses.Course{OrgID: org.ID, Title: "Mentoring basics", Summary: "Short", Currency: "gbp", QualifiesMentor: qualifies,
		Status: courses.StatusPublished, CreatedAt: now, UpdatedAt: now}
	if err := st.CreateCourse(ctx, c); err != nil {
		t.Fatal(err)
	}
	m, err := st.AddModule(ctx, org.ID, c.ID, "Starting", now)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"One", "Two"} {
		if err := st.AddLesson(ctx, &courses.Lesson{OrgID: org.ID, CourseID: c.ID, ModuleID: m.ID, Title: title, Body: "Lesson " + title, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.AddQuestion(ctx, org.ID, c.ID, m.ID, "First?", "Because A.", []string{"A", "B"}, 0, now); err != nil {
		t.Fatal(err)
	}
	if err := st.AddQuestion(ctx, org.ID, c.ID, m.ID, "Second?", "Because D.", []string{"C", "D"}, 1, now); err != nil {
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

func answers(q *courses.Quiz, right bool) map[string]string {
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

func TestFreeEnrolmentOnceAndRefusedTwice(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		o := newCourse(t, env, org, false)
		member := env.NewPerson(org, tenancy.RoleMember)
		b := env.SignIn(member.User)
		base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
		if p := b.Post(base+"/enrol", nil); p.Status != http.StatusOK || !strings.Contains(p.Body, "You are enrolled") {
			t.Fatalf("enrol = %d", p.Status)
		}
		if p := b.Post(base+"/enrol", nil); p.Status != http.StatusConflict || !strings.Contains(p.Body, "already enrolled") {
			t.Fatalf("second enrol = %d, want 409 with a clear message", p.Status)
		}
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND source = ? AND status = ?", org.ID, member.ID, courses.SourceFree, courses.EnrolActive); n != 1 {
			t.Fatalf("enrolments = %d", n)
		}
	})
}

func TestDraftsAreForAdmins(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	o := newCourse(t, env, org, false)
	o.Course.Status = courses.StatusDraft
	if err := env.Services.Courses.Store.UpdateCourse(context.Background(), o.Course); err != nil {
		t.Fatal(err)
	}
	member := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
	base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
	if p := member.Get(base); p.Status != http.StatusNotFound {
		t.Fatalf("member sees a draft: %d", p.Status)
	}
	if p := member.Get("/o/" + org.Slug + "/courses"); strings.Contains(p.Body, "Mentoring basics") {
		t.Fatalf("draft in the member's catalogue")
	}
	if p := env.SignIn(org.Owner.User).Get(base); p.Status != http.StatusOK {
		t.Fatalf("admin cannot preview a draft: %d", p.Status)
	}
}

func TestProgressQuizCompletionCertificateAndTrainedMentor(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		coordinator := env.NewPerson(org, tenancy.RoleCoordinator)
		o := newCourse(t, env, org, true)
		member := env.NewPerson(org, tenancy.RoleMember)
		b := env.SignIn(member.User)
		base := "/o/" + org.Slug + "/courses/" + o.Course.ID.String()
		b.Post(base+"/enrol", nil)
		lessons := o.Lessons()
		quiz := o.Modules[0].Quiz

		// Resume where you left off: open lesson two, the course page offers it.
		b.Get(base + "/lessons/" + lessons[1].ID.String())
		if p := b.Get(base); !strings.Contains(p.Body, "Resume: Two") {
			t.Fatalf("course page does not resume at lesson two: %s", p.Text("main"))
		}
		// Mark complete with htmx: the fragment has the progress bar.
		p := b.HTMX(http.MethodPost, base+"/lessons/"+lessons[0].ID.String()+"/complete", nil)
		if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") || p.Doc().Find(`progress[value="1"][max="3"]`).Length() != 1 {
			t.Fatalf("complete fragment = %d %s", p.Status, p.Body)
		}
		b.HTMX(http.MethodPost, base+"/lessons/"+lessons[0].ID.String()+"/complete", nil) // twice: once counted
		if n := env.Count("lesson_progress", "org_id = ? AND user_id = ?", org.ID, member.ID); n != 1 {
			t.Fatalf("progress rows = %d", n)
		}
		b.Post(base+"/lessons/"+lessons[1].ID.String()+"/complete", nil)

		// Quiz: a missing answer is 422; wrong answers fail with feedback.
		if p := b.Post(base+"/quizzes/"+quiz.ID.String(), nil); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose one answer") {
			t.Fatalf("empty quiz = %d", p.Status)
		}
		p = b.Post(base+"/quizzes/"+quiz.ID.String(), answers(quiz, false))
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Not yet: 0 of 2") || !strings.Contains(p.Body, "Because A.") {
			t.Fatalf("wrong answers = %d %s", p.Status, p.Text("#quiz-result"))
		}
		if n := env.Count("certificates", "org_id = ? AND user_id = ?", org.ID, member.ID); n != 0 {
			t.Fatalf("certificate before passing")
		}
		p = b.Post(base+"/quizzes/"+quiz.ID.String(), answers(quiz, true))
		if !strings.Contains(p.Body, "You passed with 2 of 2") || !strings.Contains(p.Body, "You completed the course") {
			t.Fatalf("right answers: %s", p.Text("#quiz-result"))
		}
		// Completion: certificate, trained mentor, e-mails once.
		if n := env.Count("enrolments", "org_id = ? AND user_id = ? AND status = ? AND completed_at IS NOT NULL", org.ID, member.ID, courses.EnrolCompleted); n != 1 {
			t.Fatalf("enrolment not completed")
		}
		cert, err := env.Services.Courses.Store.CertificateFor(context.Background(), org.ID, member.ID, o.Course.ID)
		if err != nil || cert == nil || len(cert.Code) < 26 {
			t.Fatalf("certificate = %+v, %v", cert, err)
		}
		ok, err := env.Services.Courses.Store.IsTrainedMentor(context.Background(), org.ID, member.ID)
		if err != nil || !ok {
			t.Fatalf("not a trained mentor: %v", err)
		}
		mentors, _ := env.Services.Courses.Store.TrainedMentors(context.Background(), org.ID)
		if len(mentors) != 1 || mentors[0].CourseID == nil || *mentors[0].CourseID != o.Course.ID {
			t.Fatalf("trained mentors = %+v", mentors)
		}
		b.Post(base+"/quizzes/"+quiz.ID.String(), answers(quiz, true)) // passing again changes nothing
		env.RunDueTasks()
		env.RunDueTasks()
		for _, to := range []string{member.Email, coordinator.Email, org.Owner.Email} {
			if n := len(env.Emails(to)); n != 1 {
				t.Errorf("e-mails to %s = %d, want 1", to, n)
			}
		}
		if link := env.LastLink(coordinator.Email, "completed"); link != "/certificates/"+cert.Code {
			t.Errorf("staff e-mail link = %q", link)
		}
		if p := b.Get(base); !strings.Contains(p.Body, "You completed this course") {
			t.Fatalf("course page after completion: %s", p.Text("main"))
		}
		if p := b.Get("/o/" + org.Slug + "/certificates/" + cert.Code); p.Status != http.StatusOK || !strings.Contains(p.Body, member.Name) {
			t.Fatalf("printable certificate = %d", p.Status)
		}
		admin := env.SignIn(org.Owner.User)
		if p := admin.Get("/o/" + org.Slug + "/courses"); !strings.Contains(p.Text("main"), member.Name) {
			t.Fatalf("trained mentors not listed for admins")
		}

		// The public check: name, course, date and nothing else.
		pub := env.Browser().Get("/certificates/" + cert.Code)
		if pub.Status != http.StatusOK {
			t.Fatalf("public certificate = %d", pub.Status)
		}
		main := pub.Text("main")
		for _, want := range []string{member.Name, "Mentoring basics", "Mon 1 Mar 2027"} {
			if !strings.Contains(main, want) {
				t.Errorf("public page lacks %q: %s", want, main)
			}
		}
		for _, secret := range []string{member.Email, org.Name, org.Slug, o.Course.ID.String(), member.ID.String()} {
			if strings.Contains(pub.Body, secret) {
				t.Errorf("public page shows %q", secret)
			}
		}
		if p := env.Browser().Get("/certificates/" + strings.Repeat("a", 26)); p.Status != http.StatusNotFound {
			t.Errorf("unknown code = %d", p.Status)
		}
	})
}

func TestLessonMarkdownIsSanitised(t *testing.T) {
	testkit.CheckSanitised(t, string(markdown.Render(testkit.HostileMarkdown)))
}

func TestAdminBuildsACourse(t *testing.T) {
	env := testkit.New(t)
	org := env.NewOrg()
	admin := env.SignIn(org.Owner.User)
	base := "/o/" + org.Slug + "/courses"
	if p := admin.Post(base, map[string]string{"title": "", "price": "abc"}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Enter a price") {
		t.Fatalf("bad course form = %d", p.Status)
	}
	p := admin.Post(base, map[string]string{"title": "Advanced mentoring", "price": "49.50", "currency": "gbp", "status": "published", "qualifies_mentor": "on"})
	if p.Status != http.StatusOK {
		t.Fatalf("create = %d", p.Status)
	}
	var c courses.Course
	if err := env.OwnerDB.NewSelect().Model(&c).Where("org_id = ? AND title = ?", org.ID, "Advanced mentoring").Scan(context.Background()); err != nil {
		t.Fatal(err)
	}
	if c.PriceMinor != 4950 || !c.QualifiesMentor || c.Status != courses.StatusPublished {
		t.Fatalf("course = %+v", c)
	}
	edit := base + "/" + c.ID.String()
	admin.Post(edit+"/modules", map[string]string{"module_title": "Part one"})
	o, _ := env.Services.Courses.Store.Outline(context.Background(), org.ID, c.ID)
	if len(o.Modules) != 1 {
		t.Fatalf("module not added")
	}
	mod := edit + "/modules/" + o.Modules[0].ID.String()
	admin.Post(mod+"/lessons", map[string]string{"title": "Hello", "body": "Some *text* <script>x</script>"})
	if p := admin.Post(mod+"/quiz/questions", map[string]string{"prompt": "Q", "option_1": "a"}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("question with one answer = %d", p.Status)
	}
	admin.Post(mod+"/quiz/questions", map[string]string{"prompt": "Q", "option_1": "a", "option_2": "b", "correct": "option_2", "explanation": "b it is"})
	if p := admin.Post(mod+"/quiz", map[string]string{"pass_mark": "101"}); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("pass mark 101 = %d", p.Status)
	}
	admin.Post(mod+"/quiz", map[string]string{"pass_mark": "80"})
	o, _ = env.Services.Courses.Store.Outline(context.Background(), org.ID, c.ID)
	if len(o.Modules[0].Lessons) != 1 || o.Modules[0].Quiz == nil || o.Modules[0].Quiz.PassMark != 80 || len(o.Modules[0].Quiz.Questions) != 1 {
		t.Fatalf("outline = %+v", o.Modules[0])
	}
	if !o.Modules[0].Quiz.Questions[0].Options[1].Correct {
		t.Fatalf("wrong answer marked correct")
	}
	member := env.NewPerson(org, tenancy.RoleMember)
	if _, err := env.Services.Courses.EnrolFree(context.Background(), org.ID, c.ID, member.ID); err == nil {
		t.Fatalf("free enrolment on a paid course")
	}
	lesson := edit + "/lessons/" + o.Modules[0].Lessons[0].ID.String()
	env.Services.Courses.Grant(context.Background(), courses.GrantInput{OrgID: org.ID, CourseID: c.ID, UserID: member.ID, Actor: org.Owner.User})
	if p := env.SignIn(member.User).Get(lesson); strings.Contains(p.Body, "<script>x") || !strings.Contains(p.Body, "<em>text</em>") {
		t.Fatalf("lesson body not rendered safely: %s", p.Text("main"))
	}
}

func TestExampleCourseIsSeededOnce(t *testing.T) {
	testkit.Each(t, func(t *testing.T, env *testkit.Env) {
		org := env.NewOrg()
		member := env.SignIn(env.NewPerson(org, tenancy.RoleMember).User)
		for range 2 {
			if p := member.Get("/o/" + org.Slug + "/courses"); !strings.Contains(p.Body, "Foundations of mentoring") {
				t.Fatalf("example course missing")
			}
		}
		if n := env.Count("courses", "org_id = ?", org.ID); n != 1 {
			t.Fatalf("courses = %d", n)
		}
		var c courses.Course
		if err := env.OwnerDB.NewSelect().Model(&c).Where("org_id = ?", org.ID).Scan(context.Background()); err != nil {
			t.Fatal(err)
		}
		o, err := env.Services.Courses.Store.Outline(context.Background(), org.ID, c.ID)
		if err != nil || len(o.Modules) < 3 || len(o.Quizzes()) < 3 {
			t.Fatalf("example outline: %v %+v", err, o)
		}
		if _, err := env.Services.Courses.Store.SeedExample(context.Background(), org.ID, env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if n := env.Count("courses", "org_id = ?", org.ID); n != 1 {
			t.Fatalf("seeded twice")
		}
	})
}
