{{if .AppRole}}
-- The application runs as this role (SET ROLE after connecting): it holds
-- no table and is no superuser, so row-level security applies to it.
-- Where it exists already (made by whoever set up the database, as in
-- docker-compose.yml), the migrating role needs no right to create roles.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{{.AppRole}}') THEN
    CREATE ROLE {{.AppRole}} NOLOGIN;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END
$$;
--bun:split
GRANT {{.AppRole}} TO CURRENT_USER;
--bun:split
GRANT USAGE ON SCHEMA public TO {{.AppRole}};
--bun:split
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {{.AppRole}};
--bun:split
{{end}}
-- Transactional outbox: tasks recorded with the change that needs them.
CREATE TABLE outbox (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}},
  task_type   TEXT NOT NULL,
  payload     {{.Bytes}} NOT NULL,
  queue       TEXT NOT NULL,
  max_retry   INTEGER NOT NULL DEFAULT 0,
  run_at      {{.Time}} NOT NULL,
  created_at  {{.Time}} NOT NULL,
  enqueued_at {{.Time}},
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT ''
);
--bun:split
CREATE INDEX outbox_waiting_idx ON outbox (created_at, id) WHERE enqueued_at IS NULL;
--bun:split
-- Every e-mail the product sends, with its delivery state.
CREATE TABLE emails (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}},
  to_addr     TEXT NOT NULL,
  subject     TEXT NOT NULL,
  text_body   TEXT NOT NULL,
  html_body   TEXT NOT NULL DEFAULT '',
  ics         TEXT NOT NULL DEFAULT '',
  ics_method  TEXT NOT NULL DEFAULT '',
  template    TEXT NOT NULL DEFAULT '',
  -- dedupe_key makes "send this once" a database rule.
  dedupe_key  TEXT,
  status      TEXT NOT NULL DEFAULT 'queued',
  attempts    INTEGER NOT NULL DEFAULT 0,
  last_error  TEXT NOT NULL DEFAULT '',
  claimed_at  {{.Time}},
  created_at  {{.Time}} NOT NULL,
  sent_at     {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX emails_dedupe_key_idx ON emails (dedupe_key);
--bun:split
CREATE INDEX emails_created_idx ON emails (created_at);
