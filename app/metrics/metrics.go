// Package metrics is what Prometheus scrapes: requests by route and
// status, database pools, the outbox's lag, tasks by type, reminder
// lateness, e-mail failures and webhook outcomes. It is served on its own
// listen address (TOOLBOX_METRICS_ADDR), never on the site. A nil
// *Metrics counts nothing, so code paths need not check.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hibiken/asynq"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/outbox"
)

// Metrics holds the process's collectors in a registry of its own.
type Metrics struct {
	Registry *prometheus.Registry

	requests         *prometheus.CounterVec
	requestDuration  *prometheus.HistogramVec
	tasksProcessed   *prometheus.CounterVec
	tasksFailed      *prometheus.CounterVec
	taskDuration     *prometheus.HistogramVec
	reminderLateness prometheus.Histogram
	emailFailures    prometheus.Counter
	webhooks         *prometheus.CounterVec
}

// New registers the collectors, with the Go runtime's and the process's.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		Registry: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolbox_http_requests_total", Help: "HTTP requests answered, by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		requestDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "toolbox_http_request_duration_seconds", Help: "Time to answer an HTTP request, by route pattern, method and status.",
			Buckets: []float64{.002, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"route", "method", "status"}),
		tasksProcessed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolbox_tasks_processed_total", Help: "Background tasks run, by type (each run, whatever its outcome).",
		}, []string{"type"}),
		tasksFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolbox_tasks_failed_total", Help: "Background task runs that failed, by type.",
		}, []string{"type"}),
		taskDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "toolbox_task_duration_seconds", Help: "Time a background task ran, by type.",
			Buckets: []float64{.005, .025, .1, .5, 1, 5, 30, 120},
		}, []string{"type"}),
		reminderLateness: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "toolbox_reminder_lateness_seconds", Help: "Time between a session reminder's due time and its sending.",
			Buckets: []float64{.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600},
		}),
		emailFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "toolbox_email_send_failures_total", Help: "E-mail delivery attempts that failed.",
		}),
		webhooks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "toolbox_webhook_events_total", Help: "Webhook deliveries received, by provider and outcome.",
		}, []string{"provider", "outcome"}),
	}
	reg.MustRegister(m.requests, m.requestDuration, m.tasksProcessed, m.tasksFailed, m.taskDuration,
		m.reminderLateness, m.emailFailures, m.webhooks,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// Counters that exist from the start, so that a dashboard shows 0
	// rather than nothing.
	m.emailFailures.Add(0)
	return m
}

// Handler serves the registry in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

// Requests is Gin middleware counting requests by route pattern (never
// the raw path: ids would make a series per object), method and status.
func (m *Metrics) Requests() gin.HandlerFunc {
	return func(c *gin.Context) {
		if m == nil {
			c.Next()
			return
		}
		start := time.Now()
		c.Next()
		route := c.FullPath()
		if route == "" {
			route = "unmatched"
		}
		status := strconv.Itoa(c.Writer.Status())
		m.requests.WithLabelValues(route, c.Request.Method, status).Inc()
		m.requestDuration.WithLabelValues(route, c.Request.Method, status).Observe(time.Since(start).Seconds())
	}
}

// Tasks is Asynq middleware counting task runs and failures by type.
func (m *Metrics) Tasks(next asynq.Handler) asynq.Handler {
	return asynq.HandlerFunc(func(ctx context.Context, t *asynq.Task) error {
		if m == nil {
			return next.ProcessTask(ctx, t)
		}
		start := time.Now()
		err := next.ProcessTask(ctx, t)
		m.tasksProcessed.WithLabelValues(t.Type()).Inc()
		m.taskDuration.WithLabelValues(t.Type()).Observe(time.Since(start).Seconds())
		if err != nil {
			m.tasksFailed.WithLabelValues(t.Type()).Inc()
		}
		return err
	})
}

// ReminderSent records how late a reminder went out.
func (m *Metrics) ReminderSent(lateness time.Duration) {
	if m != nil {
		m.reminderLateness.Observe(max(lateness, 0).Seconds())
	}
}

// EmailFailed counts a failed delivery attempt.
func (m *Metrics) EmailFailed() {
	if m != nil {
		m.emailFailures.Inc()
	}
}

// Webhook counts a webhook delivery by provider and kind of outcome.
func (m *Metrics) Webhook(provider, outcome string) {
	if m != nil {
		m.webhooks.WithLabelValues(provider, outcome).Inc()
	}
}

// WatchDB exports the database's connection pools (the main one and, on
// PostgreSQL, the tenant-scoped one): open, in use, idle, waits.
func (m *Metrics) WatchDB(d *db.DB) {
	if m == nil {
		return
	}
	for name, pool := range d.Pools() {
		m.Registry.MustRegister(collectors.NewDBStatsCollector(pool, name))
	}
}

// WatchOutbox exports the outbox's lag, read from the database at each
// scrape.
func (m *Metrics) WatchOutbox(d *db.DB, clk clock.Clock, log *slog.Logger) {
	if m == nil {
		return
	}
	m.Registry.MustRegister(&outboxCollector{db: d, clock: clk, log: log})
}

var (
	outboxWaitingDesc = prometheus.NewDesc("toolbox_outbox_waiting", "Outbox rows not yet handed to the queue (due or not).", nil, nil)
	outboxHeldDesc    = prometheus.NewDesc("toolbox_outbox_held", "Outbox rows waiting because their organisation is suspended.", nil, nil)
	outboxLagDesc     = prometheus.NewDesc("toolbox_outbox_lag_seconds", "How long the oldest due outbox row (not held) has waited to be handed to the queue.", nil, nil)
)

type outboxCollector struct {
	db    *db.DB
	clock clock.Clock
	log   *slog.Logger
}

func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxWaitingDesc
	ch <- outboxHeldDesc
	ch <- outboxLagDesc
}

func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	lag, err := outbox.ReadLag(ctx, o.db, o.clock.Now())
	if err != nil {
		// A scrape without these series shows the gap; the log says why.
		o.log.Warn("metrics: read the outbox's lag", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(outboxWaitingDesc, prometheus.GaugeValue, float64(lag.Waiting))
	ch <- prometheus.MustNewConstMetric(outboxHeldDesc, prometheus.GaugeValue, float64(lag.Held))
	ch <- prometheus.MustNewConstMetric(outboxLagDesc, prometheus.GaugeValue, lag.Oldest.Seconds())
}

// WatchPageCache exports the page cache's servings: pages served from it
// and pages rendered while it was on.
func (m *Metrics) WatchPageCache(stats func() (hits, misses uint64)) {
	if m == nil {
		return
	}
	m.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "toolbox_page_cache_hits_total", Help: "Signed-in pages served from the page cache.",
		}, func() float64 { h, _ := stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "toolbox_page_cache_misses_total", Help: "Signed-in pages rendered while the page cache was on.",
		}, func() float64 { _, m := stats(); return float64(m) }),
	)
}
