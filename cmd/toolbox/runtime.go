package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/leadershiptoolbox/toolbox/app"
	"github.com/leadershiptoolbox/toolbox/app/clock"
	"github.com/leadershiptoolbox/toolbox/app/config"
	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/health"
	"github.com/leadershiptoolbox/toolbox/migrations"
	"github.com/leadershiptoolbox/toolbox/workers/server"
)

// services are what the web server and the worker run: the application
// (app.Build) and the connections and closers it was built on.
type services struct {
	cfg      config.Config
	log      *slog.Logger
	redisOpt asynq.RedisConnOpt
	app      *app.App
	// readiness adds draining and the schema check to /readyz.
	readiness *health.Readiness
	closers   []func() error
}

func (s *services) close() {
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil {
			s.log.Warn("close", "err", err)
		}
	}
}

// loadConfig reads the environment and prepares the embedded mode's data
// directory and secret.
func loadConfig(stderr io.Writer) (config.Config, *slog.Logger, error) {
	cfg, err := config.Load()
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	if err != nil {
		return cfg, log, configError{err}
	}
	if cfg.Embedded() && cfg.DatabaseURL == "" {
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return cfg, log, configError{fmt.Errorf("TOOLBOX_DATA_DIR: cannot create %s: %w", cfg.DataDir, errors.Unwrap(err))}
		}
		cfg.DatabaseURL = "sqlite:" + filepath.Join(cfg.DataDir, "toolbox.db")
		cfg.MigrateDatabaseURL = cfg.DatabaseURL
	}
	if cfg.SecretKey == "" {
		key, err := embeddedSecret(cfg.DataDir)
		if err != nil {
			return cfg, log, configError{fmt.Errorf("TOOLBOX_SECRET_KEY: not set, and no key could be kept in %s: %w", cfg.DataDir, err)}
		}
		cfg.SecretKey = key
	}
	return cfg, log, nil
}

// embeddedSecret reads or creates the secret kept beside the SQLite file,
// so that the embedded mode needs no configuration and survives restarts.
func embeddedSecret(dir string) (string, error) {
	path := filepath.Join(dir, "secret.key")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		return strings.TrimSpace(string(b)), nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	key := base64.RawStdEncoding.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(key+"\n"), 0o600); err != nil {
		return "", err
	}
	return key, nil
}

// openDB connects, naming the variable to fix when it cannot.
func openDB(ctx context.Context, cfg config.Config, url, variable, role string) (*db.DB, error) {
	d, err := db.Open(ctx, db.Options{URL: url, Role: role, MaxConns: cfg.DatabaseMaxConns})
	if err != nil {
		return nil, configError{fmt.Errorf("%s: cannot use the database: %w", variable, err)}
	}
	return d, nil
}

func migrateUp(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	owner, err := openDB(ctx, cfg, cfg.MigrateDatabaseURL, "TOOLBOX_MIGRATE_DATABASE_URL", "")
	if err != nil {
		return err
	}
	defer owner.Close()
	m, err := db.NewMigrator(owner, migrations.FS, appRole(cfg))
	if err != nil {
		return err
	}
	applied, err := m.Up(ctx)
	if err != nil {
		return err
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", strings.Join(applied, ", "))
	}
	return nil
}

// openForCommand reads the configuration and opens the database as the
// application, for the command-line tools (operator, library, stripe): in
// the embedded mode it migrates first, as the server would.
func openForCommand(ctx context.Context, stderr io.Writer) (config.Config, *slog.Logger, *db.DB, error) {
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return cfg, log, nil, err
	}
	if cfg.Embedded() {
		if err := migrateUp(ctx, cfg, log); err != nil {
			return cfg, log, nil, err
		}
	}
	d, err := openDB(ctx, cfg, cfg.DatabaseURL, "TOOLBOX_DATABASE_URL", appRole(cfg))
	return cfg, log, d, err
}

// appRole is the Postgres role the application switches to; SQLite has none.
func appRole(cfg config.Config) string {
	if !cfg.Postgres() {
		return ""
	}
	return cfg.DatabaseRole
}

// startServices opens the database and Redis and builds the application.
// In the embedded mode it migrates first and starts the in-process Redis.
func startServices(ctx context.Context, cfg config.Config, log *slog.Logger) (*services, error) {
	s := &services{cfg: cfg, log: log}
	ok := false
	defer func() {
		if !ok {
			s.close()
		}
	}()
	if cfg.Embedded() {
		if err := migrateUp(ctx, cfg, log); err != nil {
			return nil, err
		}
	}
	d, err := openDB(ctx, cfg, cfg.DatabaseURL, "TOOLBOX_DATABASE_URL", appRole(cfg))
	if err != nil {
		return nil, err
	}
	s.closers = append(s.closers, d.Close)
	// An older schema fails requests one by one (a missing column, a
	// missing table): refuse to start instead, saying what to do.
	if err := db.CheckSchema(ctx, d, migrations.FS); err != nil {
		return nil, err
	}
	s.readiness = &health.Readiness{Schema: health.PingFunc(func(ctx context.Context) error {
		return db.CheckSchema(ctx, d, migrations.FS)
	})}
	if cfg.Postgres() {
		// Request caches stay honest across processes through LISTEN/NOTIFY.
		inv := &db.Invalidator{}
		d.WatchWrites(inv)
		listenCtx, stopListening := context.WithCancel(context.Background())
		go inv.Listen(listenCtx, cfg.DatabaseURL, func(err error) {
			log.Warn("cache invalidation feed down; caches bypassed until it is back", "err", err)
		})
		s.closers = append(s.closers, func() error { stopListening(); return nil })
	} else {
		// SQLite: this process is the database's only writer, and its own
		// writes (seen after each commit) keep the request caches honest.
		d.WatchWrites(db.LocalInvalidator())
	}

	redisURL := cfg.RedisURL
	if cfg.EmbeddedRedis() {
		mr := miniredis.NewMiniRedis()
		// Without ClockTTL, keys with a TTL never expire in miniredis, and
		// Asynq's unique-task locks would hold for ever.
		mr.ClockTTL(true)
		if err := mr.Start(); err != nil {
			return nil, fmt.Errorf("start the in-process Redis: %w", err)
		}
		s.closers = append(s.closers, func() error { mr.Close(); return nil })
		redisURL = "redis://" + mr.Addr()
	}
	opt, err := asynq.ParseRedisURI(redisURL)
	if err != nil {
		return nil, configError{fmt.Errorf("TOOLBOX_REDIS_URL: %w", err)}
	}
	s.redisOpt = opt
	rdb := opt.MakeRedisClient().(redis.UniversalClient)
	s.closers = append(s.closers, rdb.Close)
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		return nil, configError{fmt.Errorf("TOOLBOX_REDIS_URL: cannot reach Redis: %w", err)}
	}
	if !cfg.EmbeddedRedis() {
		warnWithoutPersistence(ctx, rdb, log)
	}
	if !cfg.SMTPEnabled() {
		log.Warn(noSMTPMessage(cfg))
	}
	if s.app, err = app.Build(cfg, d, rdb, clock.System{}, log); err != nil {
		var invalid config.Invalid
		if errors.As(err, &invalid) {
			return nil, configError{invalid.Err}
		}
		return nil, err
	}
	ok = true
	return s, nil
}

// warnWithoutPersistence warns when Redis keeps nothing on disk: a restart
// then forgets every queued task. The outbox hands such tasks over again,
// but only after TOOLBOX_OUTBOX_RECHECK_AFTER. A managed Redis may refuse
// CONFIG; then there is nothing to say.
func warnWithoutPersistence(ctx context.Context, rdb redis.UniversalClient, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	aof, err := rdb.ConfigGet(ctx, "appendonly").Result()
	if err != nil {
		log.Debug("could not ask Redis whether it persists its data", "err", err)
		return
	}
	save, err := rdb.ConfigGet(ctx, "save").Result()
	if err != nil {
		log.Debug("could not ask Redis whether it persists its data", "err", err)
		return
	}
	if aof["appendonly"] != "yes" && strings.TrimSpace(save["save"]) == "" {
		log.Warn("Redis keeps its data only in memory (appendonly no, no save points): a restart loses queued tasks until the outbox hands them over again; turn on appendonly for production")
	}
}

// serveHTTP serves until ctx ends; then it drains (/readyz answers 503 for
// the drain period while requests are still served, so that a load
// balancer stops sending them), stops accepting, and lets in-flight
// requests finish.
func (s *services) serveHTTP(ctx context.Context, h http.Handler) error {
	h = s.readiness.Wrap(h)
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return configError{fmt.Errorf("TOOLBOX_ADDR: cannot listen on %s: %w", s.cfg.Addr, err)}
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    1 << 20,
	}
	fmt.Fprintf(os.Stdout, "Leadership Toolbox is running at %s (listening on %s)\n", s.cfg.BaseURL, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("web server: %w", err)
	case <-ctx.Done():
	}
	s.readiness.Drain()
	if s.cfg.DrainPeriod > 0 {
		s.log.Info("draining: /readyz answers 503 before the web server stops accepting", "for", s.cfg.DrainPeriod)
		select {
		case err := <-errc:
			return fmt.Errorf("web server: %w", err)
		case <-time.After(s.cfg.DrainPeriod):
		}
	}
	s.log.Info("shutting down the web server: finishing in-flight requests")
	shutCtx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("web server shutdown: %w", err)
	}
	return nil
}

// mailFinishGrace is how long a stopping worker waits, after the shutdown
// timeout, for e-mails already with their SMTP server.
const mailFinishGrace = 5 * time.Second

// work runs the Asynq server, scheduler and outbox relay until ctx ends;
// on shutdown the server stops taking tasks and waits for running ones
// (up to the shutdown timeout, after which they go back to the queue).
func (s *services) work(ctx context.Context) error {
	srv := server.New(s.redisOpt, server.Options{Concurrency: s.cfg.WorkerConcurrency, ShutdownTimeout: s.cfg.ShutdownTimeout, Log: s.log})
	if err := srv.Start(s.app.Tasks); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	sched, err := server.NewScheduler(s.redisOpt, s.log, s.cfg.OutcomesEvery, s.cfg.CalendarsEvery)
	if err != nil {
		srv.Shutdown()
		return err
	}
	if err := sched.Start(); err != nil {
		srv.Shutdown()
		return fmt.Errorf("start scheduler: %w", err)
	}
	relayCtx, stopRelay := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.app.Relay.Run(relayCtx) }()

	<-ctx.Done()
	s.log.Info("shutting down the worker: no new tasks; waiting for running ones")
	sched.Shutdown()
	srv.Shutdown()
	// Asynq has handed the tasks still running back to the queue; an
	// e-mail under way may yet be accepted by its server, and is recorded
	// as sent if so, rather than sent again by the next worker.
	if !s.app.Mail.Wait(mailFinishGrace) {
		s.log.Warn("e-mails still being sent at exit; the next worker sends them", "waited", mailFinishGrace)
	}
	stopRelay()
	wg.Wait()
	return nil
}

// start reads the configuration and starts the shared services.
func start(ctx context.Context, stderr io.Writer) (*services, error) {
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return nil, err
	}
	s, err := startServices(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	setMemoryLimit(cfg, log)
	s.serveMetrics()
	return s, nil
}

// serveMetrics serves /metrics for Prometheus on TOOLBOX_METRICS_ADDR,
// apart from the site, until the process closes its services. A port
// already taken (a web and a worker on one machine with the same
// address) is a warning, not a reason to stop serving the product.
func (s *services) serveMetrics() {
	if s.cfg.MetricsAddr == "" {
		return
	}
	ln, err := net.Listen("tcp", s.cfg.MetricsAddr)
	if err != nil {
		s.log.Warn("metrics not served: cannot listen on TOOLBOX_METRICS_ADDR (give each process its own, or empty to turn off)",
			"addr", s.cfg.MetricsAddr, "err", err)
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", s.app.Metrics.Handler())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Warn("metrics server stopped", "err", err)
		}
	}()
	s.log.Info("metrics for Prometheus", "url", "http://"+ln.Addr().String()+"/metrics")
	s.closers = append(s.closers, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return srv.Shutdown(ctx)
	})
}

// setMemoryLimit gives the Go runtime a soft memory limit, so that the
// collector works harder as the heap nears the container's limit rather
// than the kernel killing the process (GOGC=400 lets garbage grow). The
// operator's GOMEMLIMIT wins.
func setMemoryLimit(cfg config.Config, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	limit, source := cfg.SoftMemoryLimit(config.RootFS())
	if limit <= 0 {
		return
	}
	debug.SetMemoryLimit(limit)
	log.Info("soft memory limit", "MiB", limit>>20, "from", source)
}

func runAll(ctx context.Context, stderr io.Writer) error {
	s, err := start(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	// When one half stops (a signal, or the port is taken), stop the other.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 2)
	go func() { errc <- s.work(ctx) }()
	go func() { errc <- s.serveHTTP(ctx, s.app.Handler) }()
	first := <-errc
	cancel()
	second := <-errc
	return errors.Join(first, second)
}

func runWeb(ctx context.Context, stderr io.Writer) error {
	s, err := start(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	// The web process relays too, so that work recorded by a request is
	// enqueued at once even when the worker is busy; relays share rows.
	// The relay has stopped before the database is closed.
	relayCtx, stopRelay := context.WithCancel(context.Background())
	relayDone := make(chan struct{})
	go func() { defer close(relayDone); s.app.Relay.Run(relayCtx) }()
	defer func() { stopRelay(); <-relayDone }()
	return s.serveHTTP(ctx, s.app.Handler)
}

func runWorker(ctx context.Context, stderr io.Writer) error {
	s, err := start(ctx, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	return s.work(ctx)
}

func runMigrate(ctx context.Context, sub string, stdout, stderr io.Writer) error {
	cfg, log, err := loadConfig(stderr)
	if err != nil {
		return err
	}
	switch sub {
	case "up":
		if err := migrateUp(ctx, cfg, log); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "database is up to date")
		return nil
	case "down", "status":
		owner, err := openDB(ctx, cfg, cfg.MigrateDatabaseURL, "TOOLBOX_MIGRATE_DATABASE_URL", "")
		if err != nil {
			return err
		}
		defer owner.Close()
		m, err := db.NewMigrator(owner, migrations.FS, appRole(cfg))
		if err != nil {
			return err
		}
		if sub == "status" {
			out, err := m.Status(ctx)
			if err != nil {
				return err
			}
			fmt.Fprint(stdout, out)
			return nil
		}
		rolled, err := m.Down(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "rolled back: %s\n", strings.Join(rolled, ", "))
		return nil
	default:
		return fmt.Errorf("migrate needs up, down or status")
	}
}

// noSMTPMessage tells where mail goes without an SMTP server, and how to
// read it: nothing is published to the network outside the development
// outbox page, which only this machine may open.
func noSMTPMessage(cfg config.Config) string {
	const set = "; set TOOLBOX_SMTP_HOST for real use"
	if cfg.DevOutbox() {
		return "no SMTP server configured: e-mail is kept, and readable from this machine only at " + cfg.BaseURL + "/dev/mail" + set
	}
	return "no SMTP server configured: e-mail is kept in the database, not sent; read it with " +
		"`SELECT created_at, to_addr, subject, text_body FROM emails ORDER BY created_at DESC` as the schema owner, " +
		"or set TOOLBOX_DEV_MAIL=on (with an http:// base URL) to open " + cfg.BaseURL + "/dev/mail from this machine" + set
}
