-- Busy times from practitioners' own calendars (issue 17, app/busy).
-- A practitioner connects calendars (a secret iCalendar address or a
-- CalDAV account); the worker reads them and keeps only busy intervals,
-- never titles, descriptions or attendees. The address and password are
-- sealed like private notes (ciphertext, nonce, key_id; the calendar's id
-- is bound as additional data); label is what the page shows (the host,
-- and the CalDAV user name), never the secret.
CREATE TABLE external_calendars (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind            TEXT NOT NULL CHECK (kind IN ('ics', 'caldav')),
  label           TEXT NOT NULL,
  ciphertext      {{.Bytes}} NOT NULL,
  nonce           {{.Bytes}} NOT NULL,
  key_id          TEXT NOT NULL,
  created_at      {{.Time}} NOT NULL,
  -- When a refresh was last asked for (connecting, "Refresh now"), the
  -- last refresh tried, the last that worked, and what went wrong with
  -- the last one that failed (empty once one works again).
  requested_at    {{.Time}},
  attempted_at    {{.Time}},
  refreshed_at    {{.Time}},
  error_kind      TEXT NOT NULL DEFAULT '',
  error_message   TEXT NOT NULL DEFAULT '',
  busy_count      INTEGER NOT NULL DEFAULT 0
);
--bun:split
CREATE INDEX external_calendars_org_practitioner_idx ON external_calendars (org_id, practitioner_id);
--bun:split
-- A calendar's busy intervals, merged (overlapping events are one
-- interval), replaced whole by each refresh that works.
CREATE TABLE busy_intervals (
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  calendar_id     {{.UUID}} NOT NULL REFERENCES external_calendars (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  starts_at       {{.Time}} NOT NULL,
  ends_at         {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, calendar_id, starts_at),
  CHECK (ends_at > starts_at)
);
--bun:split
CREATE INDEX busy_intervals_org_practitioner_idx ON busy_intervals (org_id, practitioner_id, starts_at);
{{if .Postgres}}
--bun:split
ALTER TABLE external_calendars ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE external_calendars FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON external_calendars
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE busy_intervals ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE busy_intervals FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON busy_intervals
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
{{if .AppRole}}
--bun:split
-- Least privilege (migrations/grants.txt): calendars are connected,
-- read, stamped by each refresh and disconnected; intervals are read and
-- replaced (deleted and inserted).
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON external_calendars FROM %I', '{{.AppRole}}');
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON external_calendars TO %I', '{{.AppRole}}');
  EXECUTE format('REVOKE ALL ON busy_intervals FROM %I', '{{.AppRole}}');
  EXECUTE format('GRANT SELECT, INSERT, DELETE ON busy_intervals TO %I', '{{.AppRole}}');
END
$$;
{{end}}
