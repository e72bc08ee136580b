package feedback

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Page names.
const (
	PageAnswer web.PageName = "feedback/answer"
	PageIndex  web.PageName = "feedback/index"
)

// Handlers serve the answer form (by signed link, or signed in) and the
// feedback page, which shows each role what it may see.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

// AnswerPage is the answer form.
type AnswerPage struct {
	Action   string
	Feedback *Feedback
	Rating   int
	Fit      string
	Comment  string
	Problem  string
	Done     bool
}

// IndexPage is the feedback page: the viewer's own requests and answers;
// for staff, individual answers where the organisation allows them,
// otherwise the organisation's aggregate; for practitioners, the
// aggregate of their relationships.
type IndexPage struct {
	Slug           string
	Pending        []Feedback
	Mine           []Feedback
	IsStaff        bool
	Individual     bool
	Answers        []Feedback
	Organisation   Summary
	IsPractitioner bool
	Practice       Summary
	MinAnswers     int
}

func (h *Handlers) renderAnswer(c *gin.Context, status int, data AnswerPage) error {
	return h.Renderer.Render(c, status, PageAnswer, web.NewPage(c, "Your feedback", data))
}

func answerFrom(c *gin.Context) Answer {
	form := web.PostedForm(c)
	rating, _ := strconv.Atoi(form.Get("rating"))
	return Answer{Rating: rating, Fit: form.Get("fit"), Comment: form.Get("comment")}
}

// linkRequest loads the request a signed link names; a wrong signature
// is a page not found, as an unknown request is.
func (h *Handlers) linkRequest(c *gin.Context) (*Feedback, string, error) {
	orgID, err := web.IDParam(c, "org")
	if err != nil {
		return nil, "", err
	}
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, "", err
	}
	if !h.Service.Verify(orgID, id, c.Param("sig")) {
		return nil, "", web.Errorf(http.StatusNotFound, "This feedback link is not valid. Open My support to answer.")
	}
	f, err := h.Service.Store.Get(c.Request.Context(), orgID, id)
	return f, c.Request.URL.Path, err
}

// ShowLinkForm opens the answer form from the e-mailed link (no sign-in:
// the signature is the key). Opening it records nothing: mail scanners
// follow links.
func (h *Handlers) ShowLinkForm(c *gin.Context) error {
	f, action, err := h.linkRequest(c)
	if err != nil {
		return err
	}
	rating, _ := strconv.Atoi(c.Query("rating"))
	return h.renderAnswer(c, http.StatusOK, AnswerPage{Action: action, Feedback: f, Rating: rating, Done: f.Answered()})
}

// AnswerByLink records the answer sent from the linked form.
func (h *Handlers) AnswerByLink(c *gin.Context) error {
	f, action, err := h.linkRequest(c)
	if err != nil {
		return err
	}
	return h.answer(c, f, action)
}

func (h *Handlers) answer(c *gin.Context, f *Feedback, action string) error {
	a := answerFrom(c)
	err := h.Service.Answer(c.Request.Context(), f.OrgID, f.ID, f.AuthorID, a)
	switch {
	case errors.Is(err, ErrInvalid):
		return h.renderAnswer(c, http.StatusUnprocessableEntity, AnswerPage{Action: action, Feedback: f, Rating: a.Rating, Fit: a.Fit, Comment: a.Comment, Problem: a.Problem()})
	case errors.Is(err, ErrAnswered):
		return h.renderAnswer(c, http.StatusOK, AnswerPage{Action: action, Feedback: f, Done: true})
	case err != nil:
		return err
	}
	f.Fit = a.Fit
	return h.renderAnswer(c, http.StatusOK, AnswerPage{Action: action, Feedback: f, Done: true, Fit: a.Fit})
}

func (h *Handlers) ownRequest(c *gin.Context) (*Feedback, error) {
	v := web.CurrentViewer(c)
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	f, err := h.Service.Store.Get(c.Request.Context(), v.Org.ID, id)
	if err != nil {
		return nil, err
	}
	if f.AuthorID != v.UserID {
		return nil, web.ErrForbidden
	}
	return f, nil
}

// ShowForm is the answer form for the signed-in author (from My support).
func (h *Handlers) ShowForm(c *gin.Context) error {
	f, err := h.ownRequest(c)
	if err != nil {
		return err
	}
	return h.renderAnswer(c, http.StatusOK, AnswerPage{Action: c.Request.URL.Path, Feedback: f, Done: f.Answered()})
}

// AnswerSignedIn records the signed-in author's answer.
func (h *Handlers) AnswerSignedIn(c *gin.Context) error {
	f, err := h.ownRequest(c)
	if err != nil {
		return err
	}
	return h.answer(c, f, c.Request.URL.Path)
}

// ShowIndex is the feedback page.
func (h *Handlers) ShowIndex(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	st := h.Service.Store
	data := IndexPage{Slug: v.Org.Slug, IsStaff: tenancy.Has(v, tenancy.Staff...), IsPractitioner: tenancy.Has(v, tenancy.Practitioners...), MinAnswers: MinAnswers}
	var err error
	if data.Pending, err = st.Pending(ctx, v.Org.ID, v.UserID); err != nil {
		return err
	}
	if data.Mine, err = st.Answered(ctx, v.Org.ID, nil, &v.UserID, 50); err != nil {
		return err
	}
	if data.IsStaff {
		org, err := h.Service.Orgs.OrgByID(ctx, v.Org.ID)
		if err != nil {
			return err
		}
		data.Individual = org.Settings.FeedbackToCoordinators
		if data.Individual {
			if data.Answers, err = st.Answered(ctx, v.Org.ID, nil, nil, 100); err != nil {
				return err
			}
		}
		if data.Organisation, err = st.Summarise(ctx, v.Org.ID, nil); err != nil {
			return err
		}
	}
	if data.IsPractitioner {
		me := v.UserID
		if data.Practice, err = st.Summarise(ctx, v.Org.ID, &me); err != nil {
			return err
		}
	}
	page := web.NewPage(c, "Feedback", data)
	page.Nav = "feedback"
	return h.Renderer.Render(c, http.StatusOK, PageIndex, page)
}
