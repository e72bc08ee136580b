package courses

import (
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the catalogue, the course pages and their admin.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
	// PaymentsEnabled says whether paid courses can be bought (Stripe keys
	// are configured); without it an admin grants places by hand.
	PaymentsEnabled bool
}

func coursePath(v *web.Viewer, courseID uuid.UUID) string {
	return "/o/" + v.Org.Slug + "/courses/" + courseID.String()
}

func isAdmin(v *web.Viewer) bool { return tenancy.Has(v, tenancy.Admins...) }

// visibleCourse loads a course the viewer may see: drafts are for admins.
func (h *Handlers) visibleCourse(c *gin.Context) (*Outline, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	o, err := h.Service.Store.Outline(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if !o.Course.Published() && !isAdmin(v) {
		return nil, db.ErrNotFound
	}
	return o, nil
}

// CatalogueEntry is a course with the viewer's place on it.
type CatalogueEntry struct {
	Course    Course
	Enrolment *Enrolment
}

func (h *Handlers) ShowCataloguePage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	// A new organisation gets the example course on its first visit here.
	if n, err := h.Service.Store.CountCourses(ctx, v.Org.ID); err != nil {
		return err
	} else if n == 0 {
		if _, err := h.Service.Store.SeedExample(ctx, v.Org.ID, h.Service.Clock.Now()); err != nil {
			return err
		}
	}
	list, err := h.Service.Store.Courses(ctx, v.Org.ID, isAdmin(v))
	if err != nil {
		return err
	}
	mine, err := h.Service.Store.Enrolments(ctx, v.Org.ID, v.UserID)
	if err != nil {
		return err
	}
	entries := make([]CatalogueEntry, len(list))
	for i, co := range list {
		entries[i] = CatalogueEntry{Course: co, Enrolment: mine[co.ID]}
	}
	data := gin.H{"Courses": entries, "IsAdmin": isAdmin(v), "PaymentsEnabled": h.PaymentsEnabled}
	if isAdmin(v) {
		mentors, err := h.Service.Store.TrainedMentors(ctx, v.Org.ID)
		if err != nil {
			return err
		}
		ids := make([]uuid.UUID, len(mentors))
		for i, m := range mentors {
			ids[i] = m.UserID
		}
		names, err := h.Service.Tenancy.Names(ctx, v.Org.ID, ids)
		if err != nil {
			return err
		}
		type mentorRow struct {
			Name string
			TrainedMentor
		}
		var rows []mentorRow
		for _, m := range mentors {
			rows = append(rows, mentorRow{Name: names[m.UserID], TrainedMentor: m})
		}
		data["Mentors"] = rows
	}
	page := web.NewPage(c, "Courses", data)
	page.Nav = "courses"
	return h.Renderer.Render(c, http.StatusOK, PageCatalogue, page)
}

func (h *Handlers) courseData(c *gin.Context, o *Outline) (gin.H, error) {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	data := gin.H{"Outline": o, "Course": o.Course, "IsAdmin": isAdmin(v), "PaymentsEnabled": h.PaymentsEnabled}
	e, err := h.Service.Store.Enrolment(ctx, v.Org.ID, o.Course.ID, v.UserID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return nil, err
	}
	data["Enrolment"] = e
	var last *uuid.UUID
	if e != nil {
		last = e.LastLessonID
	}
	p, err := h.Service.Store.Progress(ctx, o, v.UserID, last)
	if err != nil {
		return nil, err
	}
	data["Progress"] = p
	cert, err := h.Service.Store.CertificateFor(ctx, v.Org.ID, v.UserID, o.Course.ID)
	if err != nil {
		return nil, err
	}
	data["Certificate"] = cert
	return data, nil
}

func (h *Handlers) ShowCoursePage(c *gin.Context) error {
	o, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	data, err := h.courseData(c, o)
	if err != nil {
		return err
	}
	page := web.NewPage(c, o.Course.Title, data)
	page.Nav = "courses"
	return h.Renderer.Render(c, http.StatusOK, PageCourse, page)
}

func (h *Handlers) Enrol(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, err := h.visibleCourse(c)
	if err != nil {
		return err
	}
	to := coursePath(v, o.Course.ID)
	if !o.Course.Free() {
		web.AddFlash(c, "info", "This course is paid: use the button on the course page to buy your place.")
		web.Redirect(c, to)
		return nil
	}
	_, err = h.Service.EnrolFree(c.Request.Context(), v.Org.ID, o.Course.ID, v.UserID)
	switch {
	case errors.Is(err, ErrAlreadyEnrolled):
		return web.Errorf(http.StatusConflict, "You are already enrolled on this course. Open it from the course page.")
	case errors.Is(err, db.ErrNotFound):
		return web.Errorf(http.StatusConflict, "This course is not open for enrolment yet.")
	case err != nil:
		return err
	}
	web.AddFlash(c, "success", "You are enrolled. Start with the first lesson whenever you are ready.")
	web.Redirect(c, to)
	return nil
}

// studyAccess loads the course for a learner, or sends them to the
// course page to enrol first.
func (h *Handlers) studyAccess(c *gin.Context) (*Outline, *Enrolment, bool, error) {
	v := web.CurrentViewer(c)
	o, err := h.visibleCourse(c)
	if err != nil {
		return nil, nil, false, err
	}
	_, e, err := h.Service.Access(c.Request.Context(), v.Org.ID, o.Course.ID, v.UserID)
	if errors.Is(err, ErrNotEnrolled) {
		web.AddFlash(c, "info", "Enrol on the course first to open its lessons and quizzes.")
		web.Redirect(c, coursePath(v, o.Course.ID))
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	return o, e, true, nil
}

// gate refuses a step the course does not open yet (enforced order, or a
// module released later), saying why and when.
func (h *Handlers) gate(c *gin.Context, o *Outline, e *Enrolment, decide func(*Progress, time.Time) Gate) error {
	if !o.Course.EnforceOrder && o.Course.DripDays == 0 {
		return nil
	}
	p, err := h.Service.Store.Progress(c.Request.Context(), o, e.UserID, nil)
	if err != nil {
		return err
	}
	g := decide(p, h.Service.Clock.Now())
	if g.Open {
		return nil
	}
	loc, err := time.LoadLocation(web.CurrentViewer(c).Zone())
	if err != nil {
		loc = time.UTC
	}
	return web.Errorf(http.StatusForbidden, g.Message(loc))
}

// studyLesson is studyAccess plus the lesson named in the path, which
// must belong to the course.
func (h *Handlers) studyLesson(c *gin.Context) (*Outline, *Enrolment, *Lesson, *Module, bool, error) {
	o, e, ok, err := h.studyAccess(c)
	if err != nil || !ok {
		return nil, nil, nil, nil, ok, err
	}
	id, err := web.IDParam(c, "lesson")
	if err != nil {
		return nil, nil, nil, nil, false, err
	}
	l, m, err := o.Lesson(id)
	if err != nil {
		return nil, nil, nil, nil, false, err
	}
	if err := h.gate(c, o, e, func(p *Progress, now time.Time) Gate { return LessonGate(o, e, p, l.ID, now) }); err != nil {
		return nil, nil, nil, nil, false, err
	}
	return o, e, l, m, true, nil
}

func (h *Handlers) ShowLessonPage(c *gin.Context) error {
	o, e, l, m, ok, err := h.studyLesson(c)
	if err != nil || !ok {
		return err
	}
	if err := h.Service.OpenLesson(c.Request.Context(), e, l.ID); err != nil {
		return err
	}
	p, err := h.Service.Store.Progress(c.Request.Context(), o, e.UserID, &l.ID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, l.Title, h.lessonData(o, m, l, p))
	page.Nav = "courses"
	return h.Renderer.Render(c, http.StatusOK, PageLesson, page)
}

func (h *Handlers) lessonData(o *Outline, m *Module, l *Lesson, p *Progress) gin.H {
	lessons := o.Lessons()
	var prev, next *Lesson
	for i := range lessons {
		if lessons[i].ID == l.ID {
			if i > 0 {
				prev = &lessons[i-1]
			}
			if i+1 < len(lessons) {
				next = &lessons[i+1]
			}
		}
	}
	var quiz *Quiz
	if m.Quiz != nil && len(m.Quiz.Questions) > 0 && len(m.Lessons) > 0 && m.Lessons[len(m.Lessons)-1].ID == l.ID {
		quiz = m.Quiz
	}
	return gin.H{
		"Course": o.Course, "Module": m, "Lesson": l, "Body": markdown.Render(l.Body), "Progress": p,
		"Done": p.Done[l.ID], "Prev": prev, "Next": next, "Quiz": quiz,
	}
}

func (h *Handlers) CompleteLesson(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, e, l, m, ok, err := h.studyLesson(c)
	if err != nil || !ok {
		return err
	}
	p, err := h.Service.CompleteLesson(c.Request.Context(), o, e, l.ID)
	if err != nil {
		return err
	}
	data := h.lessonData(o, m, l, p)
	to, flash := coursePath(v, o.Course.ID), web.Flash{}
	switch {
	case p.Complete():
		flash = web.Flash{Kind: "success", Message: "Course complete — well done. Your certificate is ready."}
	case data["Quiz"] != nil:
		to += "/quizzes/" + m.Quiz.ID.String()
	case data["Next"] != nil:
		to += "/lessons/" + data["Next"].(*Lesson).ID.String()
	}
	return web.Done(c, to, flash, func() error {
		return h.Renderer.RenderBlock(c, http.StatusOK, PageLesson, "lesson-progress", web.NewPage(c, l.Title, data))
	})
}

func (h *Handlers) quizFor(c *gin.Context, o *Outline) (*Quiz, *Module, error) {
	id, err := web.IDParam(c, "quiz")
	if err != nil {
		return nil, nil, err
	}
	q, m, err := o.Quiz(id)
	if err != nil {
		return nil, nil, err
	}
	if len(q.Questions) == 0 {
		return nil, nil, db.ErrNotFound
	}
	return q, m, nil
}

func (h *Handlers) ShowQuizPage(c *gin.Context) error {
	o, e, ok, err := h.studyAccess(c)
	if err != nil || !ok {
		return err
	}
	q, m, err := h.quizFor(c, o)
	if err != nil {
		return err
	}
	if err := h.gate(c, o, e, func(p *Progress, now time.Time) Gate { return QuizGate(o, e, p, q.ID, now) }); err != nil {
		return err
	}
	last, err := h.Service.Store.LastAttempt(c.Request.Context(), e.OrgID, e.UserID, q.ID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Quiz: "+m.Title, gin.H{"Course": o.Course, "Module": m, "Quiz": q, "Last": last, "Form": web.NewForm(nil)})
	page.Nav = "courses"
	return h.Renderer.Render(c, http.StatusOK, PageQuiz, page)
}

func (h *Handlers) SubmitQuiz(c *gin.Context) error {
	o, e, ok, err := h.studyAccess(c)
	if err != nil || !ok {
		return err
	}
	q, m, err := h.quizFor(c, o)
	if err != nil {
		return err
	}
	if err := h.gate(c, o, e, func(p *Progress, now time.Time) Gate { return QuizGate(o, e, p, q.ID, now) }); err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	answers := map[uuid.UUID]uuid.UUID{}
	for _, qu := range q.Questions {
		raw := f.Get("q-" + qu.ID.String())
		chosen, err := uuid.Parse(raw)
		valid := err == nil && slices.ContainsFunc(qu.Options, func(op Option) bool { return op.ID == chosen })
		if !valid {
			f.Add("q-"+qu.ID.String(), "Choose one answer.")
			continue
		}
		answers[qu.ID] = chosen
	}
	data := gin.H{"Course": o.Course, "Module": m, "Quiz": q, "Form": f}
	if !f.Valid() {
		page := web.NewPage(c, "Quiz: "+m.Title, data)
		page.Nav = "courses"
		return h.Renderer.Render(c, http.StatusUnprocessableEntity, PageQuiz, page)
	}
	g, err := h.Service.SubmitQuiz(c.Request.Context(), o, e, q, answers)
	if err != nil {
		return err
	}
	data["Grade"] = g
	page := web.NewPage(c, "Quiz: "+m.Title, data)
	page.Nav = "courses"
	return h.Renderer.Render(c, http.StatusOK, PageQuiz, page)
}

func (h *Handlers) ShowCertificatePage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	cert, err := h.Service.Store.Certificate(c.Request.Context(), v.Org.ID, c.Param("code"))
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	o, err := h.Service.Store.Outline(ctx, v.Org.ID, cert.CourseID)
	if err != nil {
		return err
	}
	lessons, attempts, err := h.Service.Store.CompletedSteps(ctx, v.Org.ID, cert.UserID, cert.CourseID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Certificate: "+cert.CourseTitle, gin.H{"Certificate": cert, "Org": v.Org, "Record": Record(o, lessons, attempts)})
	return h.Renderer.Render(c, http.StatusOK, PageCertificate, page)
}

// showVerifyPage is the public check of a certificate: the holder's
// name, the course and the date, and nothing else.
func (h *Handlers) ShowVerifyPage(c *gin.Context) error {
	cert, err := h.Service.Store.VerifyCertificate(c.Request.Context(), c.Param("code"))
	if err != nil {
		if errors.Is(err, db.ErrNotFound) {
			return web.Errorf(http.StatusNotFound, "We could not find a certificate with this code.")
		}
		return err
	}
	c.Header("X-Robots-Tag", "noindex")
	return h.Renderer.Render(c, http.StatusOK, PageVerify, web.NewPage(c, "Certificate check", gin.H{
		"Name": cert.HolderName, "Course": cert.CourseTitle, "IssuedAt": cert.IssuedAt,
	}))
}
