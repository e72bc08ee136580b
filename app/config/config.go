// Package config holds the typed configuration of the toolbox binary.
//
// The zero-configuration default runs the embedded all-in-one mode: a SQLite
// file under ./data, an in-process Redis-compatible server, mail kept on a
// development outbox page. Environment variables with the TOOLBOX_ prefix
// override it; every secret may instead be read from a file named by the
// variable with a _FILE suffix.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything the binary can be told from outside.
type Config struct {
	// Addr is the web listener address (TOOLBOX_ADDR, or PORT as ":PORT").
	Addr string
	// MetricsAddr is where /metrics is served for Prometheus, apart from
	// the site (TOOLBOX_METRICS_ADDR); empty serves no metrics.
	MetricsAddr string
	// BaseURL is the public URL used in e-mails and redirects to the app.
	BaseURL string
	// DataDir holds the embedded mode's SQLite file and generated secrets.
	DataDir string
	// TrustedProxies lists the addresses (CIDRs or single IPs) of reverse
	// proxies whose X-Forwarded-For header names the client
	// (TOOLBOX_TRUSTED_PROXIES, comma-separated). Empty trusts no header:
	// the client address is the TCP peer.
	TrustedProxies []string

	// DatabaseURL is postgres://… for production; empty means SQLite in DataDir.
	DatabaseURL string
	// MigrateDatabaseURL connects as the schema owner to run migrations;
	// it defaults to DatabaseURL.
	MigrateDatabaseURL string
	// DatabaseRole is the Postgres role the application switches to after
	// connecting, so that row-level security applies even when the login
	// role owns the tables. Empty disables the switch.
	DatabaseRole string
	// DatabaseMaxConns bounds the connection pool.
	DatabaseMaxConns int

	// RedisURL is redis://…; empty starts the in-process server.
	RedisURL string

	// SecretKey signs and encrypts what must not be forged or read
	// (private notes derive their key from it unless NotesKeys is set).
	SecretKey string
	// NotesKeys lists note-encryption keys as id:base64 pairs, newest first.
	NotesKeys string

	SMTPHost     string
	SMTPPort     int
	SMTPUsername string
	SMTPPassword string
	// DevMail serves the development outbox page outside the embedded
	// mode (TOOLBOX_DEV_MAIL=on), still only without SMTP, without an
	// https:// base URL, and to loopback peers.
	DevMail bool
	// TimeTravel lets /dev/clock move the application's clock forward
	// (TOOLBOX_TIME_TRAVEL=on), so that a trial or a browser test can see
	// what weeks of silence do. Only in the embedded mode (one process
	// holds the clock), only without an https:// base URL, only to
	// loopback peers.
	TimeTravel bool
	// SMTPTLS is one of none, starttls, tls.
	SMTPTLS  string
	MailFrom string

	StripeSecretKey     string
	StripeWebhookSecret string
	// StripeAPIBase points the Stripe client elsewhere (stripe-mock in demos).
	StripeAPIBase string

	LogLevel  slog.Level
	LogFormat string // text or json

	// InvitationsPerDay bounds the invitations an organisation sends in any
	// 24 hours (TOOLBOX_INVITATIONS_PER_DAY); NewOrgInvitationsPerDay is
	// the bound during its first week (TOOLBOX_NEW_ORG_INVITATIONS_PER_DAY).
	InvitationsPerDay       int
	NewOrgInvitationsPerDay int
	// SignupsPerHour bounds the organisations set up from one network
	// address in an hour (TOOLBOX_SIGNUPS_PER_HOUR): a bot's flood is
	// refused, a company behind one address can be let through.
	SignupsPerHour int
	// PageCacheMB bounds the pages kept for their next serving
	// (TOOLBOX_PAGE_CACHE_MB, app/pagecache); 0 turns the cache off.
	PageCacheMB int

	// ShutdownTimeout bounds graceful shutdown of web and worker.
	ShutdownTimeout time.Duration
	// WorkerConcurrency is the number of tasks a worker runs at once.
	WorkerConcurrency int
	// DrainPeriod is how long the web server answers /readyz with 503 on
	// SIGTERM before it stops accepting, so that a load balancer takes it
	// out of rotation first.
	DrainPeriod time.Duration
	// OutboxRecheckAfter is how long after its due time a task handed to
	// Redis but not reported done is handed over again (a Redis that lost
	// its data).
	OutboxRecheckAfter time.Duration
	// OutcomesEvery is how often the worker looks for due nudges,
	// check-ins, digests and summaries (0: hourly).
	OutcomesEvery time.Duration
	// CalendarsEvery is how often each practitioner's own calendar is read
	// (TOOLBOX_CALENDARS_EVERY, 0: 15 minutes); CalendarsStaleAfter how
	// long after its last good read a calendar's busy times stop blocking
	// (TOOLBOX_CALENDARS_STALE_AFTER, 0: 24 hours).
	CalendarsEvery      time.Duration
	CalendarsStaleAfter time.Duration
	// CalendarsPrivate says whether calendar addresses on loopback and
	// private networks (and plain http) may be read
	// (TOOLBOX_CALENDARS_ALLOW_PRIVATE on or off); empty decides by the
	// mode (CalendarsAllowPrivate).
	CalendarsPrivate string
	// MemoryLimit is the Go runtime's soft memory limit in bytes: 0 derives
	// it from the container's limit (or a default), negative turns it off.
	MemoryLimit int64
}

// Default returns the configuration of the embedded all-in-one mode.
func Default() Config {
	return Config{
		Addr:              ":8080",
		MetricsAddr:       "127.0.0.1:9091",
		DataDir:           "data",
		DatabaseRole:      "toolbox_app",
		DatabaseMaxConns:  20,
		SMTPPort:          587,
		SMTPTLS:           "starttls",
		MailFrom:          "Leadership Toolbox <no-reply@localhost>",
		LogLevel:          slog.LevelInfo,
		LogFormat:         "text",
		ShutdownTimeout:   20 * time.Second,
		WorkerConcurrency: 10,
		DrainPeriod:       5 * time.Second,
		// The relay's own default (outbox.DefaultRecheckAfter).
		OutboxRecheckAfter:      10 * time.Minute,
		InvitationsPerDay:       300,
		NewOrgInvitationsPerDay: 50,
		SignupsPerHour:          20,
		PageCacheMB:             32,
	}
}

// Embedded reports whether the database is SQLite (a file under DataDir
// unless TOOLBOX_DATABASE_URL names another with sqlite:).
func (c Config) Embedded() bool { return !c.Postgres() }

// EmbeddedRedis reports whether the process runs its own Redis-compatible
// server for the task queue.
func (c Config) EmbeddedRedis() bool { return c.RedisURL == "" }

// DevOutbox reports whether the development outbox page (/dev/mail) is
// served: only without SMTP, in the embedded mode or where DevMail
// switches it on, and never under an https:// base URL (a real
// deployment). Mail without SMTP is kept in the database either way.
func (c Config) DevOutbox() bool {
	return c.SMTPHost == "" && !strings.HasPrefix(c.BaseURL, "https://") && (c.Embedded() || c.DevMail)
}

// CalendarsAllowPrivate reports whether practitioners' calendars may be
// read from loopback and private addresses, and over plain http: where
// TOOLBOX_CALENDARS_ALLOW_PRIVATE says so, else only in the embedded mode
// without an https:// base URL (one person's machine, and the tests). A
// real deployment refuses them, so that a calendar address cannot reach
// its internal network.
func (c Config) CalendarsAllowPrivate() bool {
	switch c.CalendarsPrivate {
	case "on":
		return true
	case "off":
		return false
	}
	return c.Embedded() && !strings.HasPrefix(c.BaseURL, "https://")
}

// Postgres reports whether the database is PostgreSQL.
func (c Config) Postgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// SQLitePath is the SQLite database file of the embedded mode.
func (c Config) SQLitePath() string {
	if strings.HasPrefix(c.DatabaseURL, "sqlite:") {
		return strings.TrimPrefix(strings.TrimPrefix(c.DatabaseURL, "sqlite:"), "//")
	}
	return filepath.Join(c.DataDir, "toolbox.db")
}

// SMTPEnabled reports whether mail leaves the process by SMTP.
func (c Config) SMTPEnabled() bool { return c.SMTPHost != "" }

// StripeEnabled reports whether paid courses can be bought.
func (c Config) StripeEnabled() bool { return c.StripeSecretKey != "" }

// FromEnv applies the environment on top of c. lookup is os.LookupEnv in
// production; tests pass a map's lookup.
func FromEnv(c Config, lookup func(string) (string, bool)) (Config, error) {
	var errs []error
	str := func(name string, dst *string) {
		if v, ok := lookup(name); ok {
			*dst = strings.TrimSpace(v)
		}
	}
	secret := func(name string, dst *string) {
		str(name, dst)
		if path, ok := lookup(name + "_FILE"); ok && path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: cannot read %s: %w", name, path, errors.Unwrap(err)))
				return
			}
			*dst = strings.TrimSpace(string(b))
		}
	}
	integer := func(name string, dst *int) {
		if v, ok := lookup(name); ok && v != "" {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a whole number", name, v))
				return
			}
			*dst = n
		}
	}

	if port, ok := lookup("PORT"); ok && port != "" {
		c.Addr = ":" + strings.TrimSpace(port)
	}
	str("TOOLBOX_ADDR", &c.Addr)
	str("TOOLBOX_METRICS_ADDR", &c.MetricsAddr)
	str("TOOLBOX_BASE_URL", &c.BaseURL)
	str("TOOLBOX_DATA_DIR", &c.DataDir)
	if v, ok := lookup("TOOLBOX_TRUSTED_PROXIES"); ok {
		c.TrustedProxies = nil
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				c.TrustedProxies = append(c.TrustedProxies, p)
			}
		}
	}
	secret("TOOLBOX_DATABASE_URL", &c.DatabaseURL)
	secret("TOOLBOX_MIGRATE_DATABASE_URL", &c.MigrateDatabaseURL)
	str("TOOLBOX_DATABASE_ROLE", &c.DatabaseRole)
	integer("TOOLBOX_DATABASE_MAX_CONNS", &c.DatabaseMaxConns)
	secret("TOOLBOX_REDIS_URL", &c.RedisURL)
	secret("TOOLBOX_SECRET_KEY", &c.SecretKey)
	secret("TOOLBOX_NOTES_KEYS", &c.NotesKeys)
	str("TOOLBOX_SMTP_HOST", &c.SMTPHost)
	onOff := func(name string, dst *bool) {
		if v, ok := lookup(name); ok && v != "" {
			switch strings.ToLower(strings.TrimSpace(v)) {
			case "on", "true", "1", "yes":
				*dst = true
			case "off", "false", "0", "no":
				*dst = false
			default:
				errs = append(errs, fmt.Errorf("%s: %q is not on or off", name, v))
			}
		}
	}
	onOff("TOOLBOX_DEV_MAIL", &c.DevMail)
	onOff("TOOLBOX_TIME_TRAVEL", &c.TimeTravel)
	integer("TOOLBOX_SMTP_PORT", &c.SMTPPort)
	str("TOOLBOX_SMTP_USERNAME", &c.SMTPUsername)
	secret("TOOLBOX_SMTP_PASSWORD", &c.SMTPPassword)
	str("TOOLBOX_SMTP_TLS", &c.SMTPTLS)
	str("TOOLBOX_MAIL_FROM", &c.MailFrom)
	secret("TOOLBOX_STRIPE_SECRET_KEY", &c.StripeSecretKey)
	secret("TOOLBOX_STRIPE_WEBHOOK_SECRET", &c.StripeWebhookSecret)
	str("TOOLBOX_STRIPE_API_BASE", &c.StripeAPIBase)
	str("TOOLBOX_LOG_FORMAT", &c.LogFormat)
	integer("TOOLBOX_WORKER_CONCURRENCY", &c.WorkerConcurrency)
	integer("TOOLBOX_INVITATIONS_PER_DAY", &c.InvitationsPerDay)
	integer("TOOLBOX_NEW_ORG_INVITATIONS_PER_DAY", &c.NewOrgInvitationsPerDay)
	integer("TOOLBOX_SIGNUPS_PER_HOUR", &c.SignupsPerHour)
	integer("TOOLBOX_PAGE_CACHE_MB", &c.PageCacheMB)
	if v, ok := lookup("TOOLBOX_LOG_LEVEL"); ok && v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			errs = append(errs, fmt.Errorf("TOOLBOX_LOG_LEVEL: %q is not one of debug, info, warn, error", v))
		}
	}
	duration := func(name string, dst *time.Duration) {
		if v, ok := lookup(name); ok && v != "" {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil || d < 0 {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 20s", name, v))
				return
			}
			*dst = d
		}
	}
	duration("TOOLBOX_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	duration("TOOLBOX_DRAIN_PERIOD", &c.DrainPeriod)
	duration("TOOLBOX_OUTBOX_RECHECK_AFTER", &c.OutboxRecheckAfter)
	duration("TOOLBOX_OUTCOMES_EVERY", &c.OutcomesEvery)
	if c.OutcomesEvery > 0 && c.OutcomesEvery < time.Second {
		errs = append(errs, fmt.Errorf("TOOLBOX_OUTCOMES_EVERY: %s is less than a second", c.OutcomesEvery))
	}
	duration("TOOLBOX_CALENDARS_EVERY", &c.CalendarsEvery)
	if c.CalendarsEvery > 0 && c.CalendarsEvery < time.Second {
		errs = append(errs, fmt.Errorf("TOOLBOX_CALENDARS_EVERY: %s is less than a second", c.CalendarsEvery))
	}
	duration("TOOLBOX_CALENDARS_STALE_AFTER", &c.CalendarsStaleAfter)
	if v, ok := lookup("TOOLBOX_CALENDARS_ALLOW_PRIVATE"); ok && v != "" {
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "on", "true", "1", "yes":
			c.CalendarsPrivate = "on"
		case "off", "false", "0", "no":
			c.CalendarsPrivate = "off"
		default:
			errs = append(errs, fmt.Errorf("TOOLBOX_CALENDARS_ALLOW_PRIVATE: %q is not on or off", v))
		}
	}
	if v, ok := lookup("TOOLBOX_MEMORY_LIMIT"); ok && v != "" {
		n, err := ParseSize(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("TOOLBOX_MEMORY_LIMIT: %w", err))
		} else {
			c.MemoryLimit = n
		}
	}
	if c.MigrateDatabaseURL == "" {
		c.MigrateDatabaseURL = c.DatabaseURL
	}
	if c.BaseURL == "" {
		c.BaseURL = baseURLFor(c.Addr)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c, errors.Join(errs...)
}

// baseURLFor guesses the public URL of a local listener.
func baseURLFor(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:8080"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// Validate says exactly which setting is wrong, one error per setting.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("TOOLBOX_ADDR: %q is not host:port (for example :8080 or 127.0.0.1:8080)", c.Addr)
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			bad("TOOLBOX_METRICS_ADDR: %q is not host:port (for example 127.0.0.1:9091), or empty to serve no metrics", c.MetricsAddr)
		}
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		bad("TOOLBOX_BASE_URL: %q is not an http(s) URL", c.BaseURL)
	}
	// In this order, so that the errors come in the same order every time.
	for _, db := range []struct{ name, v string }{
		{"TOOLBOX_DATABASE_URL", c.DatabaseURL}, {"TOOLBOX_MIGRATE_DATABASE_URL", c.MigrateDatabaseURL},
	} {
		name, v := db.name, db.v
		if v == "" || (name == "TOOLBOX_MIGRATE_DATABASE_URL" && v == c.DatabaseURL) {
			continue
		}
		u, err := url.Parse(v)
		switch {
		case err != nil:
			bad("%s: not a URL (want postgres://user@host:5432/db or sqlite:path/to/file.db)", name)
		case u.Scheme == "postgres" || u.Scheme == "postgresql":
			if u.Host == "" {
				bad("%s: postgres URL has no host", name)
			}
		case u.Scheme == "sqlite":
		default:
			bad("%s: scheme %q is not supported (want postgres:// or sqlite:)", name, u.Scheme)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			bad("TOOLBOX_TRUSTED_PROXIES: %q is not an address or CIDR range (for example 10.0.0.0/8 or 192.168.1.5)", p)
		}
	}
	if c.DatabaseMaxConns < 1 {
		bad("TOOLBOX_DATABASE_MAX_CONNS: must be at least 1")
	}
	if c.RedisURL != "" {
		if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
			bad("TOOLBOX_REDIS_URL: want redis://host:6379/0")
		}
	}
	if !c.Embedded() && len(c.SecretKey) < 32 {
		bad("TOOLBOX_SECRET_KEY: must be at least 32 characters outside the embedded mode")
	}
	switch c.SMTPTLS {
	case "none", "starttls", "tls":
	default:
		bad("TOOLBOX_SMTP_TLS: %q is not one of none, starttls, tls", c.SMTPTLS)
	}
	if c.SMTPHost != "" && (c.SMTPPort < 1 || c.SMTPPort > 65535) {
		bad("TOOLBOX_SMTP_PORT: %d is not a port", c.SMTPPort)
	}
	if c.StripeSecretKey != "" && c.StripeWebhookSecret == "" {
		bad("TOOLBOX_STRIPE_WEBHOOK_SECRET: required when TOOLBOX_STRIPE_SECRET_KEY is set")
	}
	if c.StripeAPIBase != "" {
		if u, err := url.Parse(c.StripeAPIBase); err != nil || u.Host == "" {
			bad("TOOLBOX_STRIPE_API_BASE: %q is not a URL", c.StripeAPIBase)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		bad("TOOLBOX_LOG_FORMAT: %q is not text or json", c.LogFormat)
	}
	if c.SignupsPerHour < 1 {
		bad("TOOLBOX_SIGNUPS_PER_HOUR: must be at least 1")
	}
	if c.PageCacheMB < 0 || c.PageCacheMB > 4096 {
		bad("TOOLBOX_PAGE_CACHE_MB: %d is not between 0 (off) and 4096", c.PageCacheMB)
	}
	if c.InvitationsPerDay < 1 || c.NewOrgInvitationsPerDay < 1 {
		bad("TOOLBOX_INVITATIONS_PER_DAY, TOOLBOX_NEW_ORG_INVITATIONS_PER_DAY: must be at least 1")
	}
	if c.WorkerConcurrency < 1 {
		bad("TOOLBOX_WORKER_CONCURRENCY: must be at least 1")
	}
	if c.TimeTravel && (!c.Embedded() || !c.EmbeddedRedis() || strings.HasPrefix(c.BaseURL, "https://")) {
		bad("TOOLBOX_TIME_TRAVEL: only in the embedded mode (no TOOLBOX_DATABASE_URL or TOOLBOX_REDIS_URL) and without an https:// base URL")
	}
	return errors.Join(errs...)
}

// Load is Default, then the process environment, then Validate.
func Load() (Config, error) {
	c, err := FromEnv(Default(), os.LookupEnv)
	if err != nil {
		return c, err
	}
	return c, c.Validate()
}

// Invalid is a value that was read but cannot be used (a notes key that
// does not decode, SMTP settings the client refuses), found when the
// application is built; it names the variable, and the command reports it
// as a configuration error.
type Invalid struct{ Err error }

func (e Invalid) Error() string { return e.Err.Error() }
func (e Invalid) Unwrap() error { return e.Err }
