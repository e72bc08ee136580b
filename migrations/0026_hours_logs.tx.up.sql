-- Practice records (issue 13, items 3 and 4): a practitioner's coaching,
-- mentoring and supervision logs. Sessions are never typed twice: the
-- logs are computed from completed sessions and their mode switches;
-- these tables hold only what sessions cannot say (app/hours).
--
-- A switch recorded in a session reverts when the session ends unless the
-- practitioner keeps it: kept says so, reverts_at is the session's end.
ALTER TABLE mode_switches ADD COLUMN kept BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE mode_switches ADD COLUMN reverts_at {{.Time}};
--bun:split
-- hours_clients: the practitioner's own settings for one client
-- (relationship) in their log: paid or pro bono, and the pseudonym used
-- unless the client consents to be named.
CREATE TABLE hours_clients (
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  paid            BOOLEAN NOT NULL DEFAULT TRUE,
  pseudonym       TEXT NOT NULL DEFAULT '',
  updated_at      {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, practitioner_id, relationship_id)
);
--bun:split
-- hours_consents: a client's own consent to be named, and to have their
-- contact given, in their practitioners' logs.
CREATE TABLE hours_consents (
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  member_id       {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  named           BOOLEAN NOT NULL DEFAULT FALSE,
  contact         BOOLEAN NOT NULL DEFAULT FALSE,
  updated_at      {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, relationship_id, member_id)
);
--bun:split
-- hours_entries: work outside the organisation, entered by hand.
CREATE TABLE hours_entries (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id     {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  log         TEXT NOT NULL,
  client      TEXT NOT NULL,
  contact     TEXT NOT NULL DEFAULT '',
  format      TEXT NOT NULL,
  group_size  INTEGER NOT NULL DEFAULT 1,
  paid        BOOLEAN NOT NULL DEFAULT TRUE,
  first_on    {{.Time}} NOT NULL,
  last_on     {{.Time}} NOT NULL,
  minutes     INTEGER NOT NULL,
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX hours_entries_org_user_idx ON hours_entries (org_id, user_id, first_on);
--bun:split
-- supervision_records: supervision received, from a completed supervision
-- session (session_id) or entered by hand; signed off once by the named
-- supervisor (supervisor_id; an outside supervisor is a name only and
-- signs nothing here).
CREATE TABLE supervision_records (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  supervisee_id   {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  supervisor_id   {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  supervisor_name TEXT NOT NULL DEFAULT '',
  format          TEXT NOT NULL,
  minutes         INTEGER NOT NULL,
  held_at         {{.Time}} NOT NULL,
  -- themes are sealed like private notes (AES-GCM under key_id, the
  -- record's id bound in): the supervisee's and their supervisor's alone.
  themes_ciphertext {{.Bytes}},
  themes_nonce      {{.Bytes}},
  key_id          TEXT NOT NULL DEFAULT '',
  link            TEXT NOT NULL DEFAULT '',
  session_id      {{.UUID}},
  signed_off_at   {{.Time}},
  created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX supervision_records_org_supervisee_idx ON supervision_records (org_id, supervisee_id, held_at);
--bun:split
CREATE INDEX supervision_records_org_supervisor_idx ON supervision_records (org_id, supervisor_id, signed_off_at);
--bun:split
CREATE UNIQUE INDEX supervision_records_org_session_idx ON supervision_records (org_id, supervisee_id, session_id) WHERE session_id IS NOT NULL;
--bun:split
-- hours_settings: the practitioner's chosen supervision standard: one
-- hour of supervision per ratio_hours of practice, or quarter_minutes of
-- supervision in every three months.
CREATE TABLE hours_settings (
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id         {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  standard        TEXT NOT NULL,
  ratio_hours     INTEGER NOT NULL DEFAULT 0,
  quarter_minutes INTEGER NOT NULL DEFAULT 0,
  updated_at      {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, user_id)
);
{{if .Postgres}}
--bun:split
ALTER TABLE hours_clients ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE hours_clients FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON hours_clients
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE hours_consents ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE hours_consents FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON hours_consents
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE hours_entries ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE hours_entries FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON hours_entries
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE supervision_records ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE supervision_records FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON supervision_records
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE hours_settings ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE hours_settings FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON hours_settings
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
{{if .AppRole}}
--bun:split
-- Least privilege (migrations/grants.txt): the logs' tables are read,
-- written and a person's rows deleted with their account; consents and
-- client settings are replaced in place; supervision records are signed
-- off (update) and never deleted but with their person.
DO $$
DECLARE g record;
BEGIN
  FOR g IN SELECT * FROM (VALUES
    ('hours_clients', 'SELECT, INSERT, UPDATE, DELETE'),
    ('hours_consents', 'SELECT, INSERT, UPDATE, DELETE'),
    ('hours_entries', 'SELECT, INSERT, DELETE'),
    ('hours_settings', 'SELECT, INSERT, UPDATE, DELETE'),
    ('supervision_records', 'SELECT, INSERT, UPDATE, DELETE')
  ) AS v(t, privs) LOOP
    EXECUTE format('REVOKE ALL ON %I FROM %I', g.t, '{{.AppRole}}');
    EXECUTE format('GRANT %s ON %I TO %I', g.privs, g.t, '{{.AppRole}}');
  END LOOP;
END
$$;
{{end}}
