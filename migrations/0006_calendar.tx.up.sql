-- Weekly availability of a practitioner, in wall-clock minutes of a zone.
-- weekday: 0 = Sunday … 6 = Saturday (Go's time.Weekday).
CREATE TABLE availability_rules (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  weekday         INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
  start_minute    INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
  end_minute      INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
  time_zone       TEXT NOT NULL,
  created_at      {{.Time}} NOT NULL,
  CHECK (end_minute > start_minute)
);
--bun:split
CREATE INDEX availability_rules_org_practitioner_idx ON availability_rules (org_id, practitioner_id);
--bun:split
-- Date overrides: a day off (no weekly hours that date) or extra hours.
-- day is the local date YYYY-MM-DD in the practitioner's zone.
CREATE TABLE availability_overrides (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day             TEXT NOT NULL,
  day_off         BOOLEAN NOT NULL DEFAULT FALSE,
  start_minute    INTEGER NOT NULL DEFAULT 0,
  end_minute      INTEGER NOT NULL DEFAULT 0,
  created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX availability_overrides_org_practitioner_idx ON availability_overrides (org_id, practitioner_id, day);
--bun:split
CREATE TABLE booking_settings (
  org_id            {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  practitioner_id   {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  buffer_before_min INTEGER NOT NULL DEFAULT 0,
  buffer_after_min  INTEGER NOT NULL DEFAULT 0,
  min_notice_min    INTEGER NOT NULL DEFAULT 60,
  window_days       INTEGER NOT NULL DEFAULT 60,
  max_per_day       INTEGER NOT NULL DEFAULT 0,
  max_per_week      INTEGER NOT NULL DEFAULT 0,
  updated_at        {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, practitioner_id)
);
--bun:split
-- Organisation defaults per relationship kind; an agreement's own length
-- and place win over these.
CREATE TABLE session_types (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  kind       TEXT NOT NULL,
  minutes    INTEGER NOT NULL CHECK (minutes > 0),
  place      TEXT NOT NULL DEFAULT '',
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX session_types_org_kind_idx ON session_types (org_id, kind);
--bun:split
-- A recurring series: every interval_days, count times or until a date.
CREATE TABLE series (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  interval_days   INTEGER NOT NULL CHECK (interval_days > 0),
  count           INTEGER NOT NULL DEFAULT 0,
  until           TEXT NOT NULL DEFAULT '',
  first_start     {{.Time}} NOT NULL,
  created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX series_org_relationship_idx ON series (org_id, relationship_id);
--bun:split
-- Sessions ("sessions" is the sign-in session store's table). busy_from/busy_to are the practitioner's busy range: the
-- session with the practitioner's buffers around it. Two scheduled
-- sessions of one practitioner never have overlapping busy ranges: on
-- Postgres an exclusion constraint says so, on SQLite the booking checks
-- inside an immediate (write-locked) transaction.
CREATE TABLE calendar_sessions (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind            TEXT NOT NULL,
  title           TEXT NOT NULL DEFAULT '',
  starts_at       {{.Time}} NOT NULL,
  ends_at         {{.Time}} NOT NULL,
  busy_from       {{.Time}} NOT NULL,
  busy_to         {{.Time}} NOT NULL,
  time_zone       TEXT NOT NULL,
  place           TEXT NOT NULL DEFAULT '',
  -- status: scheduled, cancelled, completed, no_show, cancelled_late.
  status          TEXT NOT NULL DEFAULT 'scheduled',
  -- version rises with every change of time or status; it is the ICS
  -- SEQUENCE and what a reminder task checks before sending.
  version         INTEGER NOT NULL DEFAULT 1,
  series_id       {{.UUID}} REFERENCES series (id) ON DELETE SET NULL,
  series_index    INTEGER NOT NULL DEFAULT 0,
  -- capacity above 1 makes a group session with seats and a waitlist.
  capacity        INTEGER NOT NULL DEFAULT 1,
  cancel_reason   TEXT NOT NULL DEFAULT '',
  cancelled_by    {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  cancelled_at    {{.Time}},
  -- override_notice records that a practitioner or admin overrode the
  -- organisation's minimum notice to cancel or move this session.
  override_notice BOOLEAN NOT NULL DEFAULT FALSE,
  created_by      {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  created_at      {{.Time}} NOT NULL,
  updated_at      {{.Time}} NOT NULL,
  CHECK (ends_at > starts_at),
  CHECK (busy_from <= starts_at AND busy_to >= ends_at)
);
--bun:split
CREATE INDEX calendar_sessions_org_practitioner_idx ON calendar_sessions (org_id, practitioner_id, starts_at);
--bun:split
CREATE INDEX calendar_sessions_org_relationship_idx ON calendar_sessions (org_id, relationship_id, starts_at);
--bun:split
CREATE INDEX calendar_sessions_org_series_idx ON calendar_sessions (org_id, series_id, series_index);
--bun:split
-- status: booked, waitlisted, cancelled, attended, no_show.
CREATE TABLE session_attendees (
  id               {{.UUID}} PRIMARY KEY,
  org_id           {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  session_id       {{.UUID}} NOT NULL REFERENCES calendar_sessions (id) ON DELETE CASCADE,
  user_id          {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  status           TEXT NOT NULL,
  waitlist_position INTEGER NOT NULL DEFAULT 0,
  created_at       {{.Time}} NOT NULL,
  updated_at       {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX session_attendees_org_session_user_idx ON session_attendees (org_id, session_id, user_id);
--bun:split
CREATE INDEX session_attendees_org_user_idx ON session_attendees (org_id, user_id);
--bun:split
-- A person's private calendar subscription: one per person, across
-- organisations, so not tenant-owned. Only the token's hash is kept.
CREATE TABLE calendar_feeds (
  id         {{.UUID}} PRIMARY KEY,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL,
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX calendar_feeds_user_idx ON calendar_feeds (user_id);
--bun:split
CREATE UNIQUE INDEX calendar_feeds_token_idx ON calendar_feeds (token_hash);
--bun:split
-- One row per reminder sent: "at most once per session, offset and
-- person" is this unique index.
CREATE TABLE reminder_deliveries (
  id             {{.UUID}} PRIMARY KEY,
  org_id         {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  session_id     {{.UUID}} NOT NULL REFERENCES calendar_sessions (id) ON DELETE CASCADE,
  offset_minutes INTEGER NOT NULL,
  user_id        {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  session_version INTEGER NOT NULL,
  delivered_at   {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX reminder_deliveries_once_idx ON reminder_deliveries (org_id, session_id, offset_minutes, user_id);
{{if .Postgres}}
--bun:split
CREATE EXTENSION IF NOT EXISTS btree_gist;
--bun:split
-- No double booking, ever: a person is one person across organisations,
-- so the constraint is over the practitioner alone (not org_id first).
ALTER TABLE calendar_sessions ADD CONSTRAINT calendar_sessions_no_overlap
  EXCLUDE USING gist (practitioner_id WITH =, tstzrange(busy_from, busy_to) WITH &&) WHERE (status = 'scheduled');
--bun:split
ALTER TABLE availability_rules ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE availability_rules FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON availability_rules
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE availability_overrides ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE availability_overrides FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON availability_overrides
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE booking_settings ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE booking_settings FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON booking_settings
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE session_types ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE session_types FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON session_types
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE series ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE series FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON series
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE calendar_sessions ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE calendar_sessions FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON calendar_sessions
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE session_attendees ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE session_attendees FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON session_attendees
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE reminder_deliveries ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE reminder_deliveries FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON reminder_deliveries
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
