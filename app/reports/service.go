package reports

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/mail"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
	"github.com/leadershiptoolbox/toolbox/app/tenancy"
	"github.com/leadershiptoolbox/toolbox/workers"
)

// Orgs finds an organisation (tenancy owns them).
type Orgs interface {
	OrgByID(ctx context.Context, id uuid.UUID) (*tenancy.Organisation, error)
	People(ctx context.Context, orgID uuid.UUID, f tenancy.PeopleFilter) ([]tenancy.Person, error)
}

// Service asks for reports and compiles them.
type Service struct {
	DB    *db.DB
	Store *Store
	Orgs  Orgs
	// Rels and Answers feed the progress page of a relationship.
	Rels    Relationships
	Answers Answers
	Clock   clock.Clock
	Log     *slog.Logger
	// Mail queues the nudges and digests; BaseURL makes their links.
	Mail    *mail.Service
	BaseURL string
	// CompileHook, if set, runs after the figures are compiled and before
	// the snapshot is stored (tests kill a worker there).
	CompileHook func(ctx context.Context)
}

// ErrInvalid wraps what is wrong with a report's filters.
var ErrInvalid = errors.New("reports: invalid filters")

// Request records a run of the programme report and its compile task in
// one transaction; a worker compiles it.
func (s *Service) Request(ctx context.Context, orgID, by uuid.UUID, p Params) (*Run, error) {
	if problem := p.Problem(); problem != "" {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, problem)
	}
	now := s.Clock.Now()
	run := &Run{ID: uuid.Must(uuid.NewV7()), Kind: KindProgramme, Params: p, Status: RunQueued, CreatedAt: now}
	if by != uuid.Nil {
		run.RequestedBy = &by
	}
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		if err := s.Store.WithTx(tx).AddRun(ctx, orgID, run); err != nil {
			return err
		}
		return outbox.Add(ctx, tx, now, workers.NewCompileReportTask(orgID, run.ID))
	})
	if err != nil {
		return nil, fmt.Errorf("reports: request %s report: %w", run.Kind, err)
	}
	return run, nil
}

// HandleCompile compiles a run into its snapshot. It is idempotent: a run
// already done does nothing, and a run compiled twice (a worker killed
// after storing) keeps its first snapshot.
func (s *Service) HandleCompile(ctx context.Context, p workers.CompileReportPayload) error {
	run, err := s.Store.Run(ctx, p.OrgID, p.RunID)
	if errors.Is(err, db.ErrNotFound) {
		return nil // the organisation was deleted
	}
	if err != nil {
		return err
	}
	if run.Status == RunDone {
		return nil
	}
	if err := s.Store.StartRun(ctx, p.OrgID, run.ID, s.Clock.Now()); err != nil {
		return err
	}
	figures, err := s.Compile(ctx, p.OrgID, run.Params, func(percent int) {
		if err := s.Store.SetProgress(ctx, p.OrgID, run.ID, percent); err != nil {
			s.Log.WarnContext(ctx, "report progress", "run", run.ID, "err", err)
		}
	})
	if err != nil {
		_ = s.Store.FailRun(ctx, p.OrgID, run.ID, "The report could not be compiled this time; it is tried again shortly.")
		return err
	}
	if s.CompileHook != nil {
		s.CompileHook(ctx)
	}
	snap := &Snapshot{
		ID: run.ID, Kind: run.Kind, PeriodFrom: run.Params.From, PeriodTo: run.Params.To, FilterKind: run.Params.Kind,
		Figures: *figures, CompiledAt: s.Clock.Now(),
	}
	if _, err := s.Store.Finish(ctx, p.OrgID, snap); err != nil {
		return err
	}
	return nil
}

// compileSteps is how many steps Compile reports progress over.
const compileSteps = 8

// Compile computes the programme report's figures for a period. progress,
// if not nil, hears the share done after each step.
func (s *Service) Compile(ctx context.Context, orgID uuid.UUID, params Params, progress func(percent int)) (*Figures, error) {
	org, err := s.Orgs.OrgByID(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("reports: organisation: %w", err)
	}
	loc, err := time.LoadLocation(org.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	start, end, err := params.Bounds(loc)
	if err != nil {
		return nil, err
	}
	asOf := s.Clock.Now()
	if end.Before(asOf) {
		asOf = end
	}
	p := period{OrgID: orgID, Start: start, End: end, Kind: params.Kind, Months: monthStarts(start, end, loc)}
	f := &Figures{Params: params, Zone: loc.String(), HealthAsOf: asOf.In(loc).Format(time.DateOnly)}
	feedbackUsed := org.Settings.FeedbackToCoordinators
	step := 0
	done := func() {
		step++
		if progress != nil {
			progress(step * 100 / (compileSteps + 1))
		}
	}
	// On PostgreSQL, one transaction: the figures agree with each other.
	// SQLite's transactions take the write lock (immediate), which would
	// shut out every writer for the whole compilation, the progress
	// updates included (they would wait for the lock forever), so the
	// embedded mode reads without one: it runs in one process, and a
	// change that lands mid-compilation shows in the next snapshot.
	within := func(fn func(ctx context.Context, tx bun.IDB) error) error {
		if s.DB.Engine == db.Postgres {
			return s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error { return fn(ctx, tx) })
		}
		return s.DB.ReadTenant(ctx, orgID, fn)
	}
	err = within(func(ctx context.Context, tx bun.IDB) error {
		st := s.Store
		if s.DB.Engine == db.Postgres {
			// The report's hash aggregates (distinct people per month)
			// fit in memory instead of sorting on disk.
			if _, err := tx.ExecContext(ctx, "SET LOCAL work_mem = '64MB'"); err != nil {
				return err
			}
		}
		counts, err := st.funnel(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Funnel = funnelFigures(counts)
		done()
		reqs, err := st.requests(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Matching = matchFigures(reqs)
		done()
		months, err := st.sessionMonths(ctx, tx, p)
		if err != nil {
			return err
		}
		people, err := st.sessionPeople(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Sessions = sessionFigures(monthsOf(start, end, loc), months, people)
		done()
		rels, err := st.relationshipOutcomes(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Outcomes = outcomeFigures(months, people, rels)
		done()
		load, places, err := st.load(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Load = loadFigures(load, places, params.Kind)
		done()
		courses, err := st.training(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Training = trainingFigures(courses)
		done()
		sat, err := st.satisfaction(ctx, tx, p)
		if err != nil {
			return err
		}
		f.Satisfaction = satisfactionFigures(sat)
		done()
		health, err := st.health(ctx, tx, orgID, params.Kind, asOf)
		if err != nil {
			return err
		}
		f.Health = healthFigures(health, asOf, feedbackUsed)
		return s.nameAtRisk(ctx, tx, orgID, f.Health.AtRisk)
	})
	if err != nil {
		return nil, fmt.Errorf("reports: compile for %s: %w", orgID, err)
	}
	done()
	f.Suppressed = suppressedCells(f)
	return f, nil
}

// nameAtRisk names untitled relationships after their participants.
func (s *Service) nameAtRisk(ctx context.Context, tx bun.IDB, orgID uuid.UUID, hs []Health) error {
	ids := make([]uuid.UUID, 0, len(hs))
	for _, h := range hs {
		ids = append(ids, h.RelationshipID)
	}
	names, err := s.Store.names(ctx, tx, orgID, ids)
	if err != nil {
		return err
	}
	byRel := map[uuid.UUID][]string{}
	for _, n := range names {
		byRel[n.RelationshipID] = append(byRel[n.RelationshipID], n.Name)
	}
	for i := range hs {
		if hs[i].Name == "" {
			hs[i].Name = joinNames(byRel[hs[i].RelationshipID])
		}
	}
	return nil
}

func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return "(no one)"
	case 1:
		return names[0]
	}
	out := names[0]
	for _, n := range names[1 : len(names)-1] {
		out += ", " + n
	}
	return out + " and " + names[len(names)-1]
}
