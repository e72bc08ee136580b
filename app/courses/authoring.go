package courses

import (
	"errors"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/auth"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/markdown"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// The admins' pages: courses, modules, lessons and quizzes written and
// edited, and places granted.

var priceRE = regexp.MustCompile(`^\d{1,6}(\.\d{1,2})?$`)

// parsePrice reads "12.50" into 1250 minor units.
func parsePrice(s string) (int64, bool) {
	s = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(s), "£€$"))
	if s == "" {
		return 0, true
	}
	if !priceRE.MatchString(s) {
		return 0, false
	}
	whole, frac, _ := strings.Cut(s, ".")
	for len(frac) < 2 {
		frac += "0"
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f, true
}

func priceText(minor int64) string {
	if minor == 0 {
		return ""
	}
	return strconv.FormatInt(minor/100, 10) + "." + strconv.FormatInt(minor%100/10, 10) + strconv.FormatInt(minor%10, 10)
}

func courseForm(co *Course) *web.Form {
	f := web.NewForm(nil)
	f.Set("title", co.Title)
	f.Set("summary", co.Summary)
	f.Set("price", priceText(co.PriceMinor))
	f.Set("currency", co.Currency)
	f.Set("status", co.Status)
	if co.QualifiesMentor {
		f.Set("qualifies_mentor", "on")
	}
	if co.EnforceOrder {
		f.Set("enforce_order", "on")
	}
	f.Set("drip_days", strconv.Itoa(co.DripDays))
	return f
}

// readCourseForm validates the course form into co.
func readCourseForm(f *web.Form, co *Course) {
	f.Required("title")
	f.MaxLength("title", 160)
	f.MaxLength("summary", 2000)
	f.OneOf("currency", Currencies...)
	f.OneOf("status", StatusDraft, StatusPublished)
	price, ok := parsePrice(f.Get("price"))
	if !ok {
		f.Add("price", "Enter a price such as 49 or 49.50, or leave it empty for a free course.")
	} else if price > 0 && price < 50 {
		f.Add("price", "A paid course costs at least 0.50.")
	}
	co.Title, co.Summary, co.PriceMinor = f.Get("title"), f.Get("summary"), price
	co.Currency = f.Get("currency")
	if co.Currency == "" {
		co.Currency = "gbp"
	}
	co.Status = f.Get("status")
	if co.Status == "" {
		co.Status = StatusDraft
	}
	co.QualifiesMentor = f.Get("qualifies_mentor") != ""
	co.EnforceOrder = f.Get("enforce_order") != ""
	co.DripDays = 0
	if d := f.Get("drip_days"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 365 {
			f.Add("drip_days", "Enter a number of days from 0 to 365.")
		}
		co.DripDays = n
	}
}

func (h *Handlers) renderCourseForm(c *gin.Context, status int, f *web.Form, o *Outline) error {
	v := web.CurrentViewer(c)
	data := gin.H{"Form": f, "Outline": o, "Currencies": Currencies, "PaymentsEnabled": h.PaymentsEnabled}
	title := "New course"
	if o != nil {
		title = "Edit " + o.Course.Title
		rows, err := h.Service.Store.CourseEnrolments(c.Request.Context(), v.Org.ID, o.Course.ID)
		if err != nil {
			return err
		}
		data["Enrolments"] = rows
		people, err := h.Service.Tenancy.People(c.Request.Context(), v.Org.ID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
		if err != nil {
			return err
		}
		data["People"] = people
		if g, ok := c.Get("grantForm"); ok {
			data["Grant"] = g
		} else {
			data["Grant"] = web.NewForm(nil)
		}
	}
	page := web.NewPage(c, title, data)
	page.Nav = "courses"
	return h.Renderer.Render(c, status, PageCourseForm, page)
}

func (h *Handlers) ShowNewCoursePage(c *gin.Context) error {
	return h.renderCourseForm(c, http.StatusOK, courseForm(&Course{Currency: "gbp", Status: StatusDraft}), nil)
}

func (h *Handlers) CreateCourse(c *gin.Context) error {
	v := web.CurrentViewer(c)
	f := web.NewForm(web.PostedForm(c))
	now := h.Service.Clock.Now()
	co := &Course{ID: uuid.Must(uuid.NewV7()), OrgID: v.Org.ID, CreatedAt: now, UpdatedAt: now}
	readCourseForm(f, co)
	if !f.Valid() {
		return h.renderCourseForm(c, http.StatusUnprocessableEntity, f, nil)
	}
	if err := h.Service.Store.CreateCourse(c.Request.Context(), co); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Course created. Add modules and lessons below.")
	web.Redirect(c, coursePath(v, co.ID)+"/edit")
	return nil
}

func (h *Handlers) adminOutline(c *gin.Context) (*Outline, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return h.Service.Store.Outline(c.Request.Context(), v.Org.ID, id)
}

func (h *Handlers) ShowEditCoursePage(c *gin.Context) error {
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	return h.renderCourseForm(c, http.StatusOK, courseForm(o.Course), o)
}

func (h *Handlers) UpdateCourse(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	co := *o.Course
	readCourseForm(f, &co)
	if !f.Valid() {
		return h.renderCourseForm(c, http.StatusUnprocessableEntity, f, o)
	}
	co.UpdatedAt = h.Service.Clock.Now()
	if err := h.Service.Store.UpdateCourse(c.Request.Context(), &co); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Course saved.")
	web.Redirect(c, coursePath(v, co.ID)+"/edit")
	return nil
}

func (h *Handlers) AddModule(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("module_title")
	f.MaxLength("module_title", 160)
	if !f.Valid() {
		ff := courseForm(o.Course)
		ff.Errors = f.Errors
		ff.Set("module_title", f.Get("module_title"))
		return h.renderCourseForm(c, http.StatusUnprocessableEntity, ff, o)
	}
	if _, err := h.Service.Store.AddModule(c.Request.Context(), v.Org.ID, o.Course.ID, f.Get("module_title"), h.Service.Clock.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Module added.")
	web.Redirect(c, coursePath(v, o.Course.ID)+"/edit")
	return nil
}

func (h *Handlers) AddLesson(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	mid, err := web.IDParam(c, "module")
	if err != nil {
		return err
	}
	m := o.Module(mid)
	if m == nil {
		return db.ErrNotFound
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("title")
	f.MaxLength("title", 160)
	f.MaxLength("body", 100000)
	if !f.Valid() {
		return h.renderLessonForm(c, http.StatusUnprocessableEntity, f, o, m, nil)
	}
	now := h.Service.Clock.Now()
	l := &Lesson{OrgID: v.Org.ID, CourseID: o.Course.ID, ModuleID: m.ID, Title: f.Get("title"), Body: f.Values.Get("body"), CreatedAt: now, UpdatedAt: now}
	if err := h.Service.Store.AddLesson(c.Request.Context(), l); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Lesson added.")
	web.Redirect(c, coursePath(v, o.Course.ID)+"/edit")
	return nil
}

func (h *Handlers) renderLessonForm(c *gin.Context, status int, f *web.Form, o *Outline, m *Module, l *Lesson) error {
	data := gin.H{"Form": f, "Course": o.Course, "Module": m, "Lesson": l}
	if l != nil {
		data["Preview"] = markdown.Render(f.Values.Get("body"))
	}
	page := web.NewPage(c, "Lesson", data)
	page.Nav = "courses"
	return h.Renderer.Render(c, status, PageLessonForm, page)
}

func (h *Handlers) ShowEditLessonPage(c *gin.Context) error {
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	id, err := web.IDParam(c, "lesson")
	if err != nil {
		return err
	}
	l, m, err := o.Lesson(id)
	if err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Set("title", l.Title)
	f.Set("body", l.Body)
	return h.renderLessonForm(c, http.StatusOK, f, o, m, l)
}

func (h *Handlers) UpdateLesson(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	id, err := web.IDParam(c, "lesson")
	if err != nil {
		return err
	}
	l, m, err := o.Lesson(id)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("title")
	f.MaxLength("title", 160)
	f.MaxLength("body", 100000)
	if !f.Valid() {
		return h.renderLessonForm(c, http.StatusUnprocessableEntity, f, o, m, l)
	}
	l.Title, l.Body, l.UpdatedAt = f.Get("title"), f.Values.Get("body"), h.Service.Clock.Now()
	if err := h.Service.Store.UpdateLesson(c.Request.Context(), l); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Lesson saved.")
	web.Redirect(c, coursePath(v, o.Course.ID)+"/lessons/"+l.ID.String()+"/edit")
	return nil
}

func (h *Handlers) renderQuizForm(c *gin.Context, status int, f *web.Form, o *Outline, m *Module) error {
	if f.Get("pass_mark") == "" {
		mark := 70
		if m.Quiz != nil {
			mark = m.Quiz.PassMark
		}
		f.Set("pass_mark", strconv.Itoa(mark))
	}
	page := web.NewPage(c, "Quiz: "+m.Title, gin.H{"Form": f, "Course": o.Course, "Module": m, "Quiz": m.Quiz})
	page.Nav = "courses"
	return h.Renderer.Render(c, status, PageQuizForm, page)
}

func (h *Handlers) quizModule(c *gin.Context) (*Outline, *Module, error) {
	o, err := h.adminOutline(c)
	if err != nil {
		return nil, nil, err
	}
	mid, err := web.IDParam(c, "module")
	if err != nil {
		return nil, nil, err
	}
	m := o.Module(mid)
	if m == nil {
		return nil, nil, db.ErrNotFound
	}
	return o, m, nil
}

func (h *Handlers) ShowQuizFormPage(c *gin.Context) error {
	o, m, err := h.quizModule(c)
	if err != nil {
		return err
	}
	return h.renderQuizForm(c, http.StatusOK, web.NewForm(nil), o, m)
}

func (h *Handlers) SetPassMark(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, m, err := h.quizModule(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	mark, err := strconv.Atoi(f.Get("pass_mark"))
	if err != nil || mark < 1 || mark > 100 {
		f.Add("pass_mark", "Enter a percentage from 1 to 100.")
		return h.renderQuizForm(c, http.StatusUnprocessableEntity, f, o, m)
	}
	if _, err := h.Service.Store.SetPassMark(c.Request.Context(), v.Org.ID, o.Course.ID, m.ID, mark, h.Service.Clock.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Pass mark saved.")
	web.Redirect(c, coursePath(v, o.Course.ID)+"/modules/"+m.ID.String()+"/quiz")
	return nil
}

// optionFields are the answer fields of the add-question form.
var optionFields = []string{"option_1", "option_2", "option_3", "option_4"}

func (h *Handlers) AddQuestion(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, m, err := h.quizModule(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("prompt")
	f.MaxLength("prompt", 500)
	f.MaxLength("explanation", 1000)
	var options []string
	correct := -1
	for _, name := range optionFields {
		f.MaxLength(name, 300)
		if val := f.Get(name); val != "" {
			if f.Get("correct") == name {
				correct = len(options)
			}
			options = append(options, val)
		}
	}
	if len(options) < 2 {
		f.Add("option_1", "Give at least two answers.")
	}
	if correct < 0 {
		f.Add("correct", "Say which answer is right (it must not be empty).")
	}
	if !f.Valid() {
		return h.renderQuizForm(c, http.StatusUnprocessableEntity, f, o, m)
	}
	if err := h.Service.Store.AddQuestion(c.Request.Context(), v.Org.ID, o.Course.ID, m.ID, f.Get("prompt"), f.Get("explanation"), options, correct, h.Service.Clock.Now()); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Question added.")
	web.Redirect(c, coursePath(v, o.Course.ID)+"/modules/"+m.ID.String()+"/quiz")
	return nil
}

func (h *Handlers) DeleteQuestion(c *gin.Context) error {
	v := web.CurrentViewer(c)
	cid, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	qid, err := web.IDParam(c, "question")
	if err != nil {
		return err
	}
	if err := h.Service.Store.DeleteQuestion(c.Request.Context(), v.Org.ID, cid, qid); err != nil {
		return err
	}
	web.AddFlash(c, "success", "Question removed.")
	web.Redirect(c, coursePath(v, cid)+"/edit")
	return nil
}

func (h *Handlers) Grant(c *gin.Context) error {
	v := web.CurrentViewer(c)
	o, err := h.adminOutline(c)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	f.Required("user_id")
	userID, perr := uuid.Parse(f.Get("user_id"))
	if f.Get("user_id") != "" && perr != nil {
		f.Add("user_id", "Choose a member from the list.")
	}
	if f.Valid() {
		// One lookup of the chosen person, not the roster.
		p, err := h.Service.Tenancy.Member(c.Request.Context(), v.Org.ID, userID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if err != nil || p.Status != tenancy.StatusActive {
			f.Add("user_id", "Choose a member from the list.")
		}
	}
	if f.Valid() {
		err = h.Service.Grant(c.Request.Context(), GrantInput{
			OrgID: v.Org.ID, CourseID: o.Course.ID, UserID: userID, IP: c.ClientIP(),
			Actor: &auth.User{ID: v.UserID, Name: v.Name, Email: v.Email},
		})
		if errors.Is(err, ErrAlreadyEnrolled) {
			f.Add("user_id", "This person is already enrolled on the course.")
		} else if err != nil {
			return err
		}
	}
	if !f.Valid() {
		c.Set("grantForm", f)
		return h.renderCourseForm(c, http.StatusUnprocessableEntity, courseForm(o.Course), o)
	}
	web.AddFlash(c, "success", "Place granted; it is recorded in the audit log.")
	web.Redirect(c, coursePath(v, o.Course.ID)+"/edit")
	return nil
}
