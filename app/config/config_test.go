package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestDefaultIsTheEmbeddedModeAndValid(t *testing.T) {
	c, err := FromEnv(Default(), lookup(nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("default config invalid: %v", err)
	}
	if !c.Embedded() || !c.EmbeddedRedis() || !c.DevOutbox() || c.StripeEnabled() {
		t.Fatalf("default is not the embedded mode: %+v", c)
	}
	if c.Addr != ":8080" || c.BaseURL != "http://localhost:8080" {
		t.Fatalf("addr %q base %q", c.Addr, c.BaseURL)
	}
}

func TestPortAndAddr(t *testing.T) {
	c, _ := FromEnv(Default(), lookup(map[string]string{"PORT": "9000"}))
	if c.Addr != ":9000" || c.BaseURL != "http://localhost:9000" {
		t.Fatalf("PORT: addr %q base %q", c.Addr, c.BaseURL)
	}
	c, _ = FromEnv(Default(), lookup(map[string]string{"PORT": "9000", "TOOLBOX_ADDR": "127.0.0.1:7000"}))
	if c.Addr != "127.0.0.1:7000" || c.BaseURL != "http://127.0.0.1:7000" {
		t.Fatalf("TOOLBOX_ADDR wins over PORT: addr %q base %q", c.Addr, c.BaseURL)
	}
}

func TestSecretsFromFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(path, []byte("postgres://app@db:5432/toolbox\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_DATABASE_URL_FILE": path}))
	if err != nil || c.DatabaseURL != "postgres://app@db:5432/toolbox" || !c.Postgres() || c.MigrateDatabaseURL != c.DatabaseURL {
		t.Fatalf("FILE secret: %q, %v", c.DatabaseURL, err)
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_SECRET_KEY_FILE": "/no/such/file"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_SECRET_KEY_FILE") {
		t.Fatalf("missing secret file: %v", err)
	}
}

func TestValidateNamesTheWrongVariable(t *testing.T) {
	cases := map[string]map[string]string{
		"TOOLBOX_DATABASE_URL":          {"TOOLBOX_DATABASE_URL": "mysql://x"},
		"TOOLBOX_SECRET_KEY":            {"TOOLBOX_DATABASE_URL": "postgres://h/db", "TOOLBOX_SECRET_KEY": "short"},
		"TOOLBOX_ADDR":                  {"TOOLBOX_ADDR": "nonsense"},
		"TOOLBOX_REDIS_URL":             {"TOOLBOX_REDIS_URL": "http://x"},
		"TOOLBOX_SMTP_TLS":              {"TOOLBOX_SMTP_TLS": "maybe"},
		"TOOLBOX_STRIPE_WEBHOOK_SECRET": {"TOOLBOX_STRIPE_SECRET_KEY": "sk_test_1"},
		"TOOLBOX_LOG_FORMAT":            {"TOOLBOX_LOG_FORMAT": "xml"},
		"TOOLBOX_BASE_URL":              {"TOOLBOX_BASE_URL": "ftp://x"},
		"TOOLBOX_TRUSTED_PROXIES":       {"TOOLBOX_TRUSTED_PROXIES": "10.0.0.0/8, proxy.example"},
	}
	for variable, env := range cases {
		c, err := FromEnv(Default(), lookup(env))
		if err == nil {
			err = c.Validate()
		}
		if err == nil || !strings.Contains(err.Error(), variable) {
			t.Errorf("%v: error %v does not name %s", env, err, variable)
		}
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_DATABASE_MAX_CONNS": "many"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_DATABASE_MAX_CONNS") {
		t.Errorf("bad integer: %v", err)
	}
}

// TestValidateErrorsComeInAStableOrder: both database URLs wrong give the
// same message every time, the main database first.
func TestValidateErrorsComeInAStableOrder(t *testing.T) {
	c := Default()
	c.DatabaseURL, c.MigrateDatabaseURL = "mysql://a", "oracle://b"
	first := c.Validate()
	if first == nil {
		t.Fatal("two unsupported database URLs validated")
	}
	msg := first.Error()
	if i, j := strings.Index(msg, "TOOLBOX_DATABASE_URL"), strings.Index(msg, "TOOLBOX_MIGRATE_DATABASE_URL"); i < 0 || j < 0 || i > j {
		t.Fatalf("errors not in the order of the variables: %q", msg)
	}
	for range 50 {
		if got := c.Validate(); got == nil || got.Error() != msg {
			t.Fatalf("Validate said %q, then %v", msg, got)
		}
	}
}

func TestTrustedProxiesAreAListAndNoneByDefault(t *testing.T) {
	if c, _ := FromEnv(Default(), lookup(nil)); len(c.TrustedProxies) != 0 {
		t.Fatalf("default trusts %v", c.TrustedProxies)
	}
	c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_TRUSTED_PROXIES": " 10.0.0.0/8, 192.168.1.5 ,,fd00::/8"}))
	if err != nil || c.Validate() != nil || strings.Join(c.TrustedProxies, " ") != "10.0.0.0/8 192.168.1.5 fd00::/8" {
		t.Fatalf("parsed %q (%v, %v)", c.TrustedProxies, err, c.Validate())
	}
}

func TestDevOutboxOnlyInTheEmbeddedModeOrSwitchedOn(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"TOOLBOX_SMTP_HOST": "smtp.example"}, false},
		{map[string]string{"TOOLBOX_DATABASE_URL": "postgres://h/db"}, false},
		{map[string]string{"TOOLBOX_DATABASE_URL": "postgres://h/db", "TOOLBOX_DEV_MAIL": "on"}, true},
		{map[string]string{"TOOLBOX_DATABASE_URL": "postgres://h/db", "TOOLBOX_DEV_MAIL": "on", "TOOLBOX_BASE_URL": "https://t.example"}, false},
		{map[string]string{"TOOLBOX_BASE_URL": "https://t.example"}, false},
		{map[string]string{"TOOLBOX_DEV_MAIL": "on", "TOOLBOX_SMTP_HOST": "smtp.example"}, false},
	}
	for _, tc := range cases {
		c, err := FromEnv(Default(), lookup(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		if c.DevOutbox() != tc.want {
			t.Errorf("%v: DevOutbox = %v, want %v", tc.env, c.DevOutbox(), tc.want)
		}
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_DEV_MAIL": "maybe"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_DEV_MAIL") {
		t.Errorf("bad TOOLBOX_DEV_MAIL: %v", err)
	}
}

// TestCalendarsAllowPrivateByMode: practitioners' calendars may be read
// from private addresses in the embedded mode on this machine only,
// unless TOOLBOX_CALENDARS_ALLOW_PRIVATE says otherwise; a wrong value
// names the variable.
func TestCalendarsAllowPrivateByMode(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want bool
	}{
		{nil, true},
		{map[string]string{"TOOLBOX_BASE_URL": "https://coach.example.com"}, false},
		{map[string]string{"TOOLBOX_DATABASE_URL": "postgres://h/db"}, false},
		{map[string]string{"TOOLBOX_DATABASE_URL": "postgres://h/db", "TOOLBOX_CALENDARS_ALLOW_PRIVATE": "on"}, true},
		{map[string]string{"TOOLBOX_CALENDARS_ALLOW_PRIVATE": "off"}, false},
	}
	for _, tc := range cases {
		c, err := FromEnv(Default(), lookup(tc.env))
		if err != nil || c.CalendarsAllowPrivate() != tc.want {
			t.Errorf("%v: allow private = %v (%v), want %v", tc.env, c.CalendarsAllowPrivate(), err, tc.want)
		}
	}
	c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_CALENDARS_EVERY": "5m", "TOOLBOX_CALENDARS_STALE_AFTER": "12h"}))
	if err != nil || c.CalendarsEvery != 5*time.Minute || c.CalendarsStaleAfter != 12*time.Hour {
		t.Errorf("every %s, stale after %s, %v", c.CalendarsEvery, c.CalendarsStaleAfter, err)
	}
	for name, v := range map[string]string{"TOOLBOX_CALENDARS_ALLOW_PRIVATE": "maybe", "TOOLBOX_CALENDARS_EVERY": "10ms", "TOOLBOX_CALENDARS_STALE_AFTER": "soon"} {
		if _, err := FromEnv(Default(), lookup(map[string]string{name: v})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: %v", name, v, err)
		}
	}
}

func TestTimeTravelOnlyInOneEmbeddedProcess(t *testing.T) {
	cases := []struct {
		env map[string]string
		ok  bool
	}{
		{map[string]string{"TOOLBOX_TIME_TRAVEL": "on"}, true},
		{map[string]string{"TOOLBOX_TIME_TRAVEL": "off", "TOOLBOX_DATABASE_URL": "postgres://h/db", "TOOLBOX_SECRET_KEY": strings.Repeat("k", 32)}, true},
		{map[string]string{"TOOLBOX_TIME_TRAVEL": "on", "TOOLBOX_DATABASE_URL": "postgres://h/db", "TOOLBOX_SECRET_KEY": strings.Repeat("k", 32)}, false},
		{map[string]string{"TOOLBOX_TIME_TRAVEL": "on", "TOOLBOX_REDIS_URL": "redis://h:6379/0"}, false},
		{map[string]string{"TOOLBOX_TIME_TRAVEL": "on", "TOOLBOX_BASE_URL": "https://t.example"}, false},
	}
	for _, tc := range cases {
		c, err := FromEnv(Default(), lookup(tc.env))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if (err == nil) != tc.ok || (err != nil && !strings.Contains(err.Error(), "TOOLBOX_TIME_TRAVEL")) {
			t.Errorf("%v: Validate = %v, want ok=%v", tc.env, err, tc.ok)
		}
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_TIME_TRAVEL": "soon"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_TIME_TRAVEL") {
		t.Errorf("bad TOOLBOX_TIME_TRAVEL: %v", err)
	}
}

func TestSignupsPerHour(t *testing.T) {
	c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_SIGNUPS_PER_HOUR": "500"}))
	if err != nil || c.SignupsPerHour != 500 || c.Validate() != nil {
		t.Fatalf("TOOLBOX_SIGNUPS_PER_HOUR=500: %d, %v, %v", c.SignupsPerHour, err, c.Validate())
	}
	if Default().SignupsPerHour != 20 {
		t.Fatalf("default %d, want 20", Default().SignupsPerHour)
	}
	c, _ = FromEnv(Default(), lookup(map[string]string{"TOOLBOX_SIGNUPS_PER_HOUR": "0"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "TOOLBOX_SIGNUPS_PER_HOUR") {
		t.Fatalf("TOOLBOX_SIGNUPS_PER_HOUR=0: %v", err)
	}
}

func TestPageCacheMB(t *testing.T) {
	if Default().PageCacheMB != 32 {
		t.Fatalf("default %d, want 32", Default().PageCacheMB)
	}
	c, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_PAGE_CACHE_MB": "0"}))
	if err != nil || c.PageCacheMB != 0 || c.Validate() != nil {
		t.Fatalf("TOOLBOX_PAGE_CACHE_MB=0 (off): %d, %v, %v", c.PageCacheMB, err, c.Validate())
	}
	if _, err := FromEnv(Default(), lookup(map[string]string{"TOOLBOX_PAGE_CACHE_MB": "lots"})); err == nil || !strings.Contains(err.Error(), "TOOLBOX_PAGE_CACHE_MB") {
		t.Fatalf("TOOLBOX_PAGE_CACHE_MB=lots: %v", err)
	}
	c, _ = FromEnv(Default(), lookup(map[string]string{"TOOLBOX_PAGE_CACHE_MB": "-1"}))
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "TOOLBOX_PAGE_CACHE_MB") {
		t.Fatalf("TOOLBOX_PAGE_CACHE_MB=-1: %v", err)
	}
}
