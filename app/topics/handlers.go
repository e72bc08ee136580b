package topics

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Handlers serve the vocabulary's settings page.
type Handlers struct {
	Store    *Store
	Clock    clock.Clock
	Renderer *web.Renderer
	// OnSaved is told the organisation's vocabulary once an admin saved
	// it (the needs assessment offers the same topics; optional).
	OnSaved func(ctx context.Context, orgID, by uuid.UUID, now time.Time, v Vocabulary) error
}

// row is one topic as the settings form shows it.
type row struct {
	Index                  int
	Key, Label, Synonyms   string
	LabelError, SynonymErr string
}

// ShowSettingsPage lists the topics, each editable, and a row to add one.
func (h *Handlers) ShowSettingsPage(c *gin.Context) error {
	v := web.CurrentViewer(c)
	vocab, err := h.Store.Vocabulary(c.Request.Context(), v.Org.ID)
	if err != nil {
		return err
	}
	rows := make([]row, len(vocab))
	for i, t := range vocab {
		rows[i] = row{Index: i, Key: t.Key, Label: t.Label, Synonyms: t.Synonyms}
	}
	return h.render(c, http.StatusOK, rows, web.NewForm(nil))
}

func (h *Handlers) render(c *gin.Context, status int, rows []row, f *web.Form) error {
	v := web.CurrentViewer(c)
	page := web.NewPage(c, "Topics", gin.H{"Slug": v.Org.Slug, "Rows": rows, "Form": f})
	page.Nav = "settings"
	return h.Renderer.Render(c, status, PageSettings, page)
}

// SaveSettings saves the whole vocabulary: each row's label and synonyms
// (a ticked "remove" drops it) and the new topic, if any. Two topics may
// not share a label or a synonym: free text must match one topic only.
func (h *Handlers) SaveSettings(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	current, err := h.Store.Vocabulary(ctx, v.Org.ID)
	if err != nil {
		return err
	}
	f := web.NewForm(web.PostedForm(c))
	var rows []row
	var next Vocabulary
	for i, t := range current {
		field := func(name string) string { return name + "_" + strconv.Itoa(i) }
		r := row{Index: i, Key: t.Key, Label: f.Get(field("label")), Synonyms: f.Get(field("synonyms"))}
		if f.Get(field("remove")) != "" {
			continue
		}
		if r.Label == "" {
			r.LabelError = "Give the topic a name, or tick “remove”."
		}
		rows = append(rows, r)
		t.Label, t.Synonyms = r.Label, r.Synonyms
		next = append(next, t)
	}
	// The new topic, if any, is checked as a row, and its messages go
	// beside the "add" fields (it has no row until saved).
	added := f.Get("new_label") != ""
	if added {
		label := f.Get("new_label")
		r := row{Index: len(current), Key: KeyOf(label), Label: label, Synonyms: f.Get("new_synonyms")}
		if r.Key == "" {
			r.LabelError = "Use letters or digits in the name."
		}
		rows = append(rows, r)
		next = append(next, Topic{Key: r.Key, Label: label, Synonyms: r.Synonyms})
	}
	// Each name and synonym must name one topic only.
	seen := map[string]int{}
	for i := range next {
		names := append([]string{next[i].Key, next[i].Label}, next[i].SynonymList()...)
		for j, n := range names {
			n = Normalise(n)
			if n == "" {
				continue
			}
			if other, ok := seen[n]; ok && other != i {
				msg := fmt.Sprintf("“%s” already names the topic “%s”.", n, next[other].Label)
				if j <= 1 {
					rows[i].LabelError = msg
				} else {
					rows[i].SynonymErr = msg
				}
			}
			seen[n] = i
		}
		if len(next[i].Label) > 100 {
			rows[i].LabelError = "Keep the name under 100 characters."
		}
		if len(next[i].Synonyms) > 500 {
			rows[i].SynonymErr = "Keep the synonyms under 500 characters."
		}
	}
	if added {
		r := rows[len(rows)-1]
		rows = rows[:len(rows)-1]
		if r.LabelError != "" {
			f.Add("new_label", r.LabelError)
		}
		if r.SynonymErr != "" {
			f.Add("new_synonyms", r.SynonymErr)
		}
	}
	for _, r := range rows {
		if r.LabelError != "" || r.SynonymErr != "" {
			f.Add("topics", "Some topics need a change; see the messages beside them.")
		}
	}
	if !f.Valid() {
		return h.render(c, http.StatusUnprocessableEntity, rows, f)
	}
	if err := h.Store.Replace(ctx, v.Org.ID, next, h.Clock.Now()); err != nil {
		return err
	}
	if h.OnSaved != nil {
		if err := h.OnSaved(ctx, v.Org.ID, v.UserID, h.Clock.Now(), next); err != nil {
			return err
		}
	}
	web.AddFlash(c, "success", "Topics saved. Practitioners and the needs assessment offer them; free text is matched to them.")
	web.Redirect(c, "/o/"+v.Org.Slug+"/settings/topics")
	return nil
}
