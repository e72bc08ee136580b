package assessment

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/topics"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the needs assessment, its review and the questionnaire editor.
type Handlers struct {
	Store    *Store
	Tenancy  *tenancy.Store
	Clock    clock.Clock
	Renderer *web.Renderer
	// Topics is the organisation's vocabulary: topics typed when
	// signposting are recorded as its keys where they name one.
	Topics *topics.Store
}

// canonicalTopics maps the decision's typed topics to the vocabulary.
func (h *Handlers) canonicalTopics(c *gin.Context, d *Decision) error {
	if h.Topics == nil {
		return nil
	}
	vocab, err := h.Topics.Vocabulary(c.Request.Context(), web.CurrentViewer(c).Org.ID)
	if err != nil {
		return err
	}
	d.Topics = vocab.Canonical(d.Topics)
	return nil
}

// Choices offered by the signposting forms.
var (
	KindChoices     = KindKeys
	FormatChoices   = FormatKeys
	DurationChoices = DurationKeys
)

func orgOf(c *gin.Context) (*web.Viewer, uuid.UUID) {
	v := web.CurrentViewer(c)
	return v, v.Org.ID
}

// stepData is what one step of the assessment form shows.
type stepData struct {
	Org        *web.OrgRef
	CSRFToken  string
	Q          Questionnaire
	A          *Assessment
	Step       int // 1-based; len(Questions)+1 is the review
	Total      int
	Question   *Question
	Chosen     []string
	Error      string
	Answered   int
	Review     bool
	Unanswered []string
}

func (d stepData) IsChosen(id string) bool { return slices.Contains(d.Chosen, id) }

// StepLink is one question in the review's list.
type StepLink struct {
	N    int
	Text string
	Done bool
}

// Steps lists the questions with whether each is answered.
func (d stepData) Steps() []StepLink {
	out := make([]StepLink, len(d.Q.Questions))
	for i, q := range d.Q.Questions {
		out[i] = StepLink{N: i + 1, Text: q.Text, Done: len(d.A.Answers[q.ID]) > 0}
	}
	return out
}

func (h *Handlers) step(c *gin.Context, q Questionnaire, a *Assessment, step int) stepData {
	v := web.CurrentViewer(c)
	d := stepData{Org: v.Org, CSRFToken: web.CSRFToken(c), Q: q, A: a, Total: len(q.Questions) + 1}
	for _, question := range q.Questions {
		if len(a.Answers[question.ID]) > 0 {
			d.Answered++
		} else if !question.Optional {
			d.Unanswered = append(d.Unanswered, question.Text)
		}
	}
	if step < 1 || step > d.Total {
		// The first question not answered yet, or the review.
		step = d.Total
		for i, question := range q.Questions {
			if _, seen := a.Answers[question.ID]; !seen {
				step = i + 1
				break
			}
		}
	}
	d.Step = step
	if step <= len(q.Questions) {
		d.Question = &q.Questions[step-1]
		d.Chosen = a.Answers[d.Question.ID]
	} else {
		d.Review = true
	}
	return d
}

func (h *Handlers) ShowAssessmentPage(c *gin.Context) error {
	v, orgID := orgOf(c)
	ctx := c.Request.Context()
	latest, err := h.Store.Latest(ctx, orgID, v.UserID)
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	if latest != nil && latest.Status != StatusInProgress && c.Query("again") == "" {
		q, err := h.Store.QuestionnaireOf(ctx, latest)
		if err != nil {
			return err
		}
		data := gin.H{"Result": latest, "Q": q, "Org": v.Org, "Summary": latest.Explanation.Summary(KindKeys), "Labels": KeyLabels}
		if latest.Explanation.CoachingApproach() {
			org, err := h.Tenancy.OrgByID(ctx, orgID)
			if err != nil {
				return err
			}
			data["ApproachCourse"] = ""
			if org.Settings.CoachingApproach == tenancy.CoachingApproachCourse {
				data["ApproachCourse"] = org.Settings.CoachingApproachCourse
			}
		}
		page := web.NewPage(c, "Your needs assessment", data)
		page.Nav = "my"
		return h.Renderer.Render(c, http.StatusOK, PageTake, page)
	}
	a, err := h.Store.Draft(ctx, orgID, v.UserID, h.Clock.Now())
	if err != nil {
		return err
	}
	q, err := h.Store.QuestionnaireOf(ctx, a)
	if err != nil {
		return err
	}
	step, _ := strconv.Atoi(c.Query("step"))
	page := web.NewPage(c, "Your needs assessment", gin.H{"Step": h.step(c, q, a, step), "Org": v.Org})
	page.Nav = "my"
	return h.Renderer.Render(c, http.StatusOK, PageTake, page)
}

// renderStep answers an htmx step request with the step alone, and a
// plain form post with the whole page.
func (h *Handlers) renderStep(c *gin.Context, status int, d stepData) error {
	page := web.NewPage(c, "Your needs assessment", gin.H{"Step": d, "Org": d.Org})
	page.Nav = "my"
	return h.Renderer.Render(c, status, PageTake, page, web.Fragment{Block: "assessment-step", Data: d})
}

func (h *Handlers) SaveAnswer(c *gin.Context) error {
	v, orgID := orgOf(c)
	ctx := c.Request.Context()
	form := web.PostedForm(c)
	a, err := h.Store.Start(ctx, orgID, v.UserID, h.Clock.Now())
	if err != nil {
		return err
	}
	q, err := h.Store.QuestionnaireOf(ctx, a)
	if err != nil {
		return err
	}
	question, idx, ok := q.Question(form.Get("question"))
	if !ok {
		d := h.step(c, q, a, 0)
		d.Error = "That question is not part of this assessment. Please answer the one shown."
		return h.renderStep(c, http.StatusUnprocessableEntity, d)
	}
	answers := form["answer"]
	if len(answers) == 0 && !question.Optional {
		d := h.step(c, q, a, idx+1)
		d.Error = "Please choose an answer to go on."
		return h.renderStep(c, http.StatusUnprocessableEntity, d)
	}
	saved, err := h.Store.SaveAnswer(ctx, orgID, v.UserID, h.Clock.Now(), question.ID, answers)
	if errors.Is(err, ErrNotAnswerable) {
		d := h.step(c, q, a, idx+1)
		d.Error = "Please choose one of the answers offered."
		return h.renderStep(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	a, next := saved, idx+2
	if form.Get("back") != "" {
		next = max(idx, 1)
	}
	return web.Done(c, "/o/"+v.Org.Slug+"/assessment?step="+strconv.Itoa(next), web.Flash{}, func() error {
		return h.renderStep(c, http.StatusOK, h.step(c, q, a, next))
	})
}

func (h *Handlers) Submit(c *gin.Context) error {
	v, orgID := orgOf(c)
	ctx := c.Request.Context()
	_, err := h.Store.Submit(ctx, orgID, v.UserID, h.Clock.Now())
	if errors.Is(err, ErrUnanswered) || errors.Is(err, ErrNoSignal) {
		a, serr := h.Store.Start(ctx, orgID, v.UserID, h.Clock.Now())
		if serr != nil {
			return serr
		}
		q, qerr := h.Store.QuestionnaireOf(ctx, a)
		if qerr != nil {
			return qerr
		}
		d := h.step(c, q, a, len(q.Questions)+1)
		d.Error = "Please answer every question first."
		if errors.Is(err, ErrNoSignal) {
			d.Error = "Your answers do not point to one kind of support yet. Please look at them again, or ask a coordinator for a conversation."
		}
		return h.renderStep(c, http.StatusUnprocessableEntity, d)
	}
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Thank you. Your recommendation is below; a coordinator will confirm it with you.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/assessment")
	return nil
}

// decisionForm reads and checks the signposting fields.
func decisionForm(f *web.Form) Decision {
	f.Required("kind", "format", "duration")
	f.OneOf("kind", KindChoices...)
	f.OneOf("format", FormatChoices...)
	f.OneOf("duration", DurationChoices...)
	f.MaxLength("reason", 2000)
	f.MaxLength("topics", 300)
	f.MaxLength("languages", 100)
	return Decision{
		Kind: f.Get("kind"), Format: f.Get("format"), Duration: f.Get("duration"),
		Topics: splitList(f.Get("topics")), Languages: splitList(f.Get("languages")), Reason: f.Get("reason"),
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ToLower(s), ",") {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func (h *Handlers) renderShow(c *gin.Context, status int, a *Assessment, f *web.Form) error {
	ctx := c.Request.Context()
	_, orgID := orgOf(c)
	q, err := h.Store.QuestionnaireOf(ctx, a)
	if err != nil {
		return err
	}
	member, err := h.Tenancy.Member(ctx, orgID, a.MemberID)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Assessment of "+member.Name, gin.H{"A": a, "Q": q, "Member": member, "Form": f, "Org": web.CurrentViewer(c).Org,
		"Kinds": KindChoices, "Formats": FormatChoices, "Durations": DurationChoices, "Labels": KeyLabels})
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PageReview, page)
}

func (h *Handlers) ShowReviewPage(c *gin.Context) error {
	_, orgID := orgOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	a, err := h.Store.Get(c.Request.Context(), orgID, id)
	if err != nil {
		return err
	}
	f := web.NewForm(nil)
	f.Set("kind", a.RecKind)
	f.Set("format", a.RecFormat)
	f.Set("duration", a.RecDuration)
	f.Set("topics", a.Topics)
	f.Set("languages", "en")
	return h.renderShow(c, http.StatusOK, a, f)
}

func (h *Handlers) Decide(c *gin.Context) error {
	v, orgID := orgOf(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	a, err := h.Store.Get(ctx, orgID, id)
	if err != nil {
		return err
	}
	if a.Status != StatusSubmitted {
		return web.Errorf(http.StatusConflict, "This assessment was decided already, or is not finished yet.")
	}
	f := web.NewForm(web.PostedForm(c))
	d := decisionForm(f)
	if err := h.canonicalTopics(c, &d); err != nil {
		return err
	}
	if f.Valid() && (d.Kind != a.RecKind || d.Format != a.RecFormat || d.Duration != a.RecDuration) && d.Reason == "" {
		f.Add("reason", "Say why you override the recommendation: the member and other coordinators will want to know.")
	}
	if !f.Valid() {
		return h.renderShow(c, http.StatusUnprocessableEntity, a, f)
	}
	r, err := h.Store.Decide(ctx, orgID, id, v.UserID, h.Clock.Now(), d)
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Signposted. Now choose who to propose.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/requests/"+r.ID.String())
	return nil
}

func (h *Handlers) renderNew(c *gin.Context, status int, f *web.Form) error {
	_, orgID := orgOf(c)
	people, err := h.Tenancy.People(c.Request.Context(), orgID, tenancy.PeopleFilter{Status: tenancy.StatusActive})
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Record a face-to-face assessment", gin.H{"Form": f, "People": people, "Org": web.CurrentViewer(c).Org,
		"Kinds": KindChoices, "Formats": FormatChoices, "Durations": DurationChoices, "Labels": KeyLabels})
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PageNew, page)
}

func (h *Handlers) ShowNewPage(c *gin.Context) error {
	f := web.NewForm(nil)
	f.Set("languages", "en")
	f.Set("member_id", c.Query("member"))
	return h.renderNew(c, http.StatusOK, f)
}

func (h *Handlers) RecordFaceToFace(c *gin.Context) error {
	v, orgID := orgOf(c)
	ctx := c.Request.Context()
	f := web.NewForm(web.PostedForm(c))
	f.Required("member_id")
	d := decisionForm(f)
	if err := h.canonicalTopics(c, &d); err != nil {
		return err
	}
	f.Required("reason")
	var memberID uuid.UUID
	if raw := f.Get("member_id"); raw != "" {
		id, perr := uuid.Parse(raw)
		if perr != nil {
			f.Add("member_id", "Choose a person of this organisation.")
		} else if _, err := h.Tenancy.Member(ctx, orgID, id); errors.Is(err, db.ErrNotFound) {
			f.Add("member_id", "Choose a person of this organisation.")
		} else if err != nil {
			return err
		}
		memberID = id
	}
	if !f.Valid() {
		return h.renderNew(c, http.StatusUnprocessableEntity, f)
	}
	r, err := h.Store.RecordFaceToFace(ctx, orgID, memberID, v.UserID, h.Clock.Now(), d)
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Recorded and signposted. Now choose who to propose.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/requests/"+r.ID.String())
	return nil
}

func (h *Handlers) renderEditor(c *gin.Context, status int, q Questionnaire, values url.Values, errs EditorErrors) error {
	view := EditorView{Q: q, Values: values, Errors: errs, Keys: AllKeys, Labels: KeyLabels}
	page := web.NewPage(c, "Assessment questions", gin.H{"View": view, "Q": q, "Errors": errs, "Org": web.CurrentViewer(c).Org})
	page.Nav = "pipeline"
	return h.Renderer.Render(c, status, PageQuestionnaire, page)
}

func (h *Handlers) ShowQuestionnairePage(c *gin.Context) error {
	_, orgID := orgOf(c)
	q, err := h.Store.Current(c.Request.Context(), orgID)
	if err != nil {
		return err
	}
	return h.renderEditor(c, http.StatusOK, q, url.Values{}, EditorErrors{})
}

func (h *Handlers) SaveQuestionnaire(c *gin.Context) error {
	v, orgID := orgOf(c)
	ctx := c.Request.Context()
	q, err := h.Store.Current(ctx, orgID)
	if err != nil {
		return err
	}
	form := web.PostedForm(c)
	if form.Get("version") != strconv.Itoa(q.Version) {
		errs := EditorErrors{"form": "Someone saved a newer version in the meantime; these are its questions. Please make your changes again."}
		return h.renderEditor(c, http.StatusConflict, q, url.Values{}, errs)
	}
	next, errs := ParseEditor(q, form)
	if len(errs) > 0 {
		// The version being edited is shown again with what was typed,
		// so that a corrected save applies to it once more.
		return h.renderEditor(c, http.StatusUnprocessableEntity, q, form, errs)
	}
	version, err := h.Store.SaveQuestionnaire(ctx, orgID, v.UserID, h.Clock.Now(), next)
	if err != nil {
		return err
	}
	web.AddFlash(c, "success", "Saved as version "+strconv.Itoa(version)+". Assessments already begun keep the version they started with.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/questionnaire")
	return nil
}
