-- Programme reports, feedback after sessions, nudges and digest
-- preferences (app/reports, app/feedback).
--
-- A report run is asked for by a person (or the schedule) and compiled
-- by a worker; its snapshot carries the same id, so a run compiled twice
-- (a worker killed after committing) still has one snapshot.
CREATE TABLE report_runs (
  id           {{.UUID}} PRIMARY KEY,
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  kind         TEXT NOT NULL,
  -- params are the filters (period, kind of support) as JSON.
  params       {{.JSON}} NOT NULL,
  -- status: queued, running, done.
  status       TEXT NOT NULL DEFAULT 'queued',
  progress     INTEGER NOT NULL DEFAULT 0,
  last_error   TEXT NOT NULL DEFAULT '',
  requested_by {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  created_at   {{.Time}} NOT NULL,
  started_at   {{.Time}},
  compiled_at  {{.Time}}
);
--bun:split
CREATE INDEX report_runs_org_created_idx ON report_runs (org_id, kind, created_at);
--bun:split
-- Figures are aggregates only, already suppressed below five people.
CREATE TABLE report_snapshots (
  id          {{.UUID}} PRIMARY KEY REFERENCES report_runs (id) ON DELETE CASCADE,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  period_from TEXT NOT NULL,
  period_to   TEXT NOT NULL,
  filter_kind TEXT NOT NULL DEFAULT '',
  figures     {{.JSON}} NOT NULL,
  compiled_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX report_snapshots_org_compiled_idx ON report_snapshots (org_id, kind, compiled_at);
--bun:split
-- One request for feedback per person and completed session; answered_at
-- is set when they answer. Kept with its date and relationship for the
-- accreditation log.
CREATE TABLE feedback (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  session_id      {{.UUID}} REFERENCES calendar_sessions (id) ON DELETE SET NULL,
  author_id       {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- rating is 1 to 5, 0 until answered.
  rating          INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
  -- fit is '' (not answered), 'good' or 'not_good'.
  fit             TEXT NOT NULL DEFAULT '',
  comment         TEXT NOT NULL DEFAULT '',
  asked_at        {{.Time}} NOT NULL,
  answered_at     {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX feedback_org_session_author_idx ON feedback (org_id, session_id, author_id);
--bun:split
CREATE INDEX feedback_org_relationship_idx ON feedback (org_id, relationship_id, answered_at);
--bun:split
CREATE INDEX feedback_org_author_idx ON feedback (org_id, author_id, answered_at);
--bun:split
-- One row per nudge sent: "never twice" is the unique key.
CREATE TABLE nudges (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} REFERENCES relationships (id) ON DELETE CASCADE,
  -- key names the nudge: its kind and period (quiet:2027-03-29, digest:2027-W13 …).
  key             TEXT NOT NULL,
  user_id         {{.UUID}} REFERENCES users (id) ON DELETE CASCADE,
  sent_at         {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX nudges_once_idx ON nudges (org_id, key);
--bun:split
-- People who do not want the weekly programme digest.
CREATE TABLE digest_opt_outs (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
--bun:split
-- The report counts sessions by month and status; this index lets it
-- read a period without touching the table's other columns.
CREATE INDEX calendar_sessions_org_starts_idx ON calendar_sessions (org_id, starts_at, status, kind);
{{if .Postgres}}
--bun:split
ALTER TABLE report_runs ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE report_runs FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON report_runs
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE report_snapshots ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE report_snapshots FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON report_snapshots
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE feedback ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE feedback FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON feedback
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE nudges ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE nudges FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON nudges
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE digest_opt_outs ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE digest_opt_outs FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON digest_opt_outs
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
