-- Supervision as a community of practice (issue 13).
--
-- A supervision group is a relationship of kind supervision and format
-- group: its practitioner side is the supervisor, its member side the
-- cohort, and its sessions are the calendar's (recurring) group sessions.
-- Roles per session (presenter, reflector, observer) follow a rotation
-- computed from the order of the group's sessions; supervision_roles keeps
-- only the assignments a supervisor changed (a swap), one row per person
-- and session.
CREATE TABLE supervision_roles (
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  session_id      {{.UUID}} NOT NULL REFERENCES calendar_sessions (id) ON DELETE CASCADE,
  user_id         {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            TEXT NOT NULL,
  set_by          {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  set_at          {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, session_id, user_id)
);
--bun:split
-- A case brought to a group: only de-identified text is stored (the
-- identifiers found on entry are masked before the practitioner confirms).
CREATE TABLE supervision_cases (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  session_id      {{.UUID}} REFERENCES calendar_sessions (id) ON DELETE SET NULL,
  presenter_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  title           TEXT NOT NULL,
  context         TEXT NOT NULL,
  question        TEXT NOT NULL,
  tried           TEXT NOT NULL DEFAULT '',
  masked          INTEGER NOT NULL DEFAULT 0,
  from_note       BOOLEAN NOT NULL DEFAULT FALSE,
  learning        TEXT NOT NULL DEFAULT '',
  learning_at     {{.Time}},
  confirmed_at    {{.Time}} NOT NULL,
  created_at      {{.Time}} NOT NULL,
  updated_at      {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX supervision_cases_group_idx ON supervision_cases (org_id, relationship_id, created_at);
--bun:split
CREATE INDEX supervision_cases_presenter_idx ON supervision_cases (org_id, presenter_id);
--bun:split
CREATE TABLE case_reflections (
  id         {{.UUID}} PRIMARY KEY,
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  case_id    {{.UUID}} NOT NULL REFERENCES supervision_cases (id) ON DELETE CASCADE,
  author_id  {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  body       TEXT NOT NULL,
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX case_reflections_case_idx ON case_reflections (org_id, case_id, created_at);
--bun:split
CREATE INDEX case_reflections_author_idx ON case_reflections (org_id, author_id);
--bun:split
-- Trained mentors join the pool: completing qualifying training makes a
-- provisional mentor profile (mentor_status 'provisional', capacity one,
-- a supervisor for the first sessions), which a coordinator approves
-- ('approved'); '' is a profile that never went through it.
ALTER TABLE practitioner_profiles ADD COLUMN mentor_status TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE practitioner_profiles ADD COLUMN mentor_supervisor_id {{.UUID}};
--bun:split
ALTER TABLE practitioner_profiles ADD COLUMN mentor_approved_by {{.UUID}};
--bun:split
ALTER TABLE practitioner_profiles ADD COLUMN mentor_approved_at {{.Time}};
{{if .Postgres}}
--bun:split
ALTER TABLE supervision_roles ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE supervision_roles FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON supervision_roles
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE supervision_cases ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE supervision_cases FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON supervision_cases
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE case_reflections ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE case_reflections FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON case_reflections
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
{{if .AppRole}}
--bun:split
-- supervision_roles: set, read, replaced (deleted and inserted) by a swap.
-- supervision_cases: brought, read, the learning note added (update),
--   deleted with their presenter's account.
-- case_reflections: added, read, deleted with their author's account.
REVOKE ALL ON supervision_roles FROM {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON supervision_roles TO {{.AppRole}};
--bun:split
REVOKE ALL ON supervision_cases FROM {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, UPDATE, DELETE ON supervision_cases TO {{.AppRole}};
--bun:split
REVOKE ALL ON case_reflections FROM {{.AppRole}};
--bun:split
GRANT SELECT, INSERT, DELETE ON case_reflections TO {{.AppRole}};
{{end}}
