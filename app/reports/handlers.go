package reports

import (
	"errors"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Page names.
const (
	PageProgramme web.PageName = "reports/programme"
	PageRun       web.PageName = "reports/run"
	PageSnapshot  web.PageName = "reports/snapshot"
	PageProgress  web.PageName = "reports/progress"
	// PagePreferences: which e-mails of the organisation a person gets.
	PagePreferences web.PageName = "reports/preferences"
)

// Handlers serve the programme report to staff (owners, admins and
// coordinators): the route table admits them alone.
type Handlers struct {
	Service  *Service
	Renderer *web.Renderer
}

// ProgrammePage is the report's start page: filters and recent snapshots.
type ProgrammePage struct {
	Base      string
	Params    Params
	Kinds     []string
	Problem   string
	Running   *RunView
	Snapshots []SnapshotInfo
}

// RunView is a run as its progress fragment shows it.
type RunView struct {
	Base     string
	ID       uuid.UUID
	Params   Params
	Status   string
	Progress int
	Error    string
	Created  time.Time
}

// SnapshotPage is a compiled report with its charts, tables and the
// comparison with an earlier snapshot.
type SnapshotPage struct {
	Base       string
	Snapshot   *Snapshot
	Figures    *Figures
	Charts     Charts
	Tables     []Table
	Previous   *SnapshotInfo
	Headlines  []Change
	Snapshots  []SnapshotInfo
	Zone       string
	CompiledAt time.Time
}

func base(c *gin.Context) string { return "/o/" + web.CurrentViewer(c).Org.Slug + "/reports/programme" }

// defaultParams is the last three whole months and this one so far.
func defaultParams(now time.Time, zone string) Params {
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.UTC
	}
	n := now.In(loc)
	first := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, loc).AddDate(0, -3, 0)
	return Params{From: first.Format(time.DateOnly), To: n.Format(time.DateOnly)}
}

func runView(b string, r *Run) *RunView {
	return &RunView{Base: b, ID: r.ID, Params: r.Params, Status: r.Status, Progress: r.Progress, Error: r.LastError, Created: r.CreatedAt}
}

// ShowProgramme shows the filters, any run in progress and the recent
// snapshots.
func (h *Handlers) ShowProgramme(c *gin.Context) error {
	v := web.CurrentViewer(c)
	p := defaultParams(h.Service.Clock.Now(), v.Zone())
	if q := c.Query("from"); q != "" {
		p = Params{From: q, To: c.Query("to"), Kind: c.Query("kind")}
	}
	return h.renderProgramme(c, http.StatusOK, p, "")
}

func (h *Handlers) renderProgramme(c *gin.Context, status int, p Params, problem string) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	data := ProgrammePage{Base: base(c), Params: p, Kinds: Kinds, Problem: problem}
	run, err := h.Service.Store.LatestRun(ctx, v.Org.ID, KindProgramme)
	switch {
	case err == nil:
		data.Running = runView(data.Base, run)
	case !errors.Is(err, db.ErrNotFound):
		return err
	}
	if data.Snapshots, err = h.Service.Store.Snapshots(ctx, v.Org.ID, KindProgramme, 12); err != nil {
		return err
	}
	page := web.NewPage(c, "Programme report", data)
	page.Nav = "reports"
	return h.Renderer.Render(c, status, PageProgramme, page)
}

// RequestProgramme records a run for the filters and sends the person to
// its progress.
func (h *Handlers) RequestProgramme(c *gin.Context) error {
	v := web.CurrentViewer(c)
	form := web.PostedForm(c)
	p := Params{From: form.Get("from"), To: form.Get("to"), Kind: form.Get("kind")}
	if problem := p.Problem(); problem != "" {
		return h.renderProgramme(c, http.StatusUnprocessableEntity, p, problem)
	}
	run, err := h.Service.Request(c.Request.Context(), v.Org.ID, v.UserID, p)
	if err != nil {
		return err
	}
	web.Redirect(c, base(c)+"/runs/"+run.ID.String())
	return nil
}

func (h *Handlers) loadRun(c *gin.Context) (*Run, error) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return h.Service.Store.Run(c.Request.Context(), web.CurrentViewer(c).Org.ID, id)
}

// ShowRun shows a run's progress; a finished run goes to its snapshot.
func (h *Handlers) ShowRun(c *gin.Context) error {
	run, err := h.loadRun(c)
	if err != nil {
		return err
	}
	if run.Status == RunDone {
		c.Redirect(http.StatusSeeOther, base(c)+"/snapshots/"+run.ID.String())
		return nil
	}
	page := web.NewPage(c, "Compiling the programme report", runView(base(c), run))
	page.Nav = "reports"
	return h.Renderer.Render(c, http.StatusOK, PageRun, page)
}

// RunProgress is the fragment the run page polls every two seconds; when
// the run is done it sends the browser to the snapshot.
func (h *Handlers) RunProgress(c *gin.Context) error {
	run, err := h.loadRun(c)
	if err != nil {
		return err
	}
	if run.Status == RunDone {
		web.Redirect(c, base(c)+"/snapshots/"+run.ID.String())
		return nil
	}
	return h.Renderer.RenderBlock(c, http.StatusOK, PageRun, "progress-fragment", web.NewPage(c, "", runView(base(c), run)))
}

func (h *Handlers) loadSnapshot(c *gin.Context) (*Snapshot, error) {
	id, err := web.IDParam(c, "id")
	if err != nil {
		return nil, err
	}
	return h.Service.Store.Snapshot(c.Request.Context(), web.CurrentViewer(c).Org.ID, id)
}

// ShowSnapshot shows a compiled report, compared with the snapshot named
// by ?compare= or else the previous period's.
func (h *Handlers) ShowSnapshot(c *gin.Context) error {
	v := web.CurrentViewer(c)
	ctx := c.Request.Context()
	snap, err := h.loadSnapshot(c)
	if err != nil {
		return err
	}
	var prev *Snapshot
	if raw := c.Query("compare"); raw != "" {
		id, err := uuid.Parse(raw)
		if err != nil {
			return web.Errorf(http.StatusBadRequest, "That comparison is not a report.")
		}
		if prev, err = h.Service.Store.Snapshot(ctx, v.Org.ID, id); err != nil {
			return err
		}
	} else if prev, err = h.Service.Store.Previous(ctx, v.Org.ID, snap); err != nil && !errors.Is(err, db.ErrNotFound) {
		return err
	}
	list, err := h.Service.Store.Snapshots(ctx, v.Org.ID, KindProgramme, 24)
	if err != nil {
		return err
	}
	page := web.NewPage(c, "Programme report", BuildSnapshotPage(base(c), snap, prev, list))
	page.Nav = "reports"
	return h.Renderer.Render(c, http.StatusOK, PageSnapshot, page)
}

// BuildSnapshotPage lays out a snapshot's page.
func BuildSnapshotPage(b string, snap, prev *Snapshot, list []SnapshotInfo) SnapshotPage {
	p := SnapshotPage{
		Base: b, Snapshot: snap, Figures: &snap.Figures, Charts: DrawCharts(&snap.Figures), Tables: Tables(&snap.Figures),
		Snapshots: list, Zone: snap.Figures.Zone, CompiledAt: snap.CompiledAt,
	}
	var before *Figures
	if prev != nil {
		p.Previous = &SnapshotInfo{ID: prev.ID, PeriodFrom: prev.PeriodFrom, PeriodTo: prev.PeriodTo, FilterKind: prev.FilterKind, CompiledAt: prev.CompiledAt}
		before = &prev.Figures
	}
	p.Headlines = Headlines(&snap.Figures, before)
	return p
}

// DownloadCSV writes one table of a snapshot as CSV.
func (h *Handlers) DownloadCSV(c *gin.Context) error {
	snap, err := h.loadSnapshot(c)
	if err != nil {
		return err
	}
	t, ok := TableBySlug(&snap.Figures, c.Param("table"))
	if !ok {
		return web.Errorf(http.StatusNotFound, "That report has no such table.")
	}
	name := "programme-" + t.Slug + "-" + snap.PeriodFrom + "-to-" + snap.PeriodTo + ".csv"
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="`+name+`"`)
	c.Header("Cache-Control", "no-store")
	c.Status(http.StatusOK)
	return WriteCSV(c.Writer, t)
}
