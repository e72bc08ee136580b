-- Needs assessment, signposting, matching, and the life of a relationship:
-- status changes, goals, notes and mode switches.
--bun:split
CREATE TABLE questionnaires (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  -- questions with their answers and each answer's weights per kind,
  -- format and duration.
  questions   {{.JSON}} NOT NULL,
  created_by  {{.UUID}},
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE assessments (
  id                    {{.UUID}} PRIMARY KEY,
  org_id                {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  member_id             {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  questionnaire_version INTEGER NOT NULL DEFAULT 0,
  -- answers are saved as they are given: question id -> answer ids.
  answers               {{.JSON}} NOT NULL,
  -- status is in_progress, submitted, confirmed or overridden.
  status                TEXT NOT NULL,
  rec_kind              TEXT NOT NULL DEFAULT '',
  rec_format            TEXT NOT NULL DEFAULT '',
  rec_duration          TEXT NOT NULL DEFAULT '',
  runner_up             TEXT NOT NULL DEFAULT '',
  topics                TEXT NOT NULL DEFAULT '',
  explanation           {{.JSON}} NOT NULL,
  face_to_face          BOOLEAN NOT NULL DEFAULT FALSE,
  recorded_by           {{.UUID}},
  decided_by            {{.UUID}},
  decision_reason       TEXT NOT NULL DEFAULT '',
  submitted_at          {{.Time}},
  decided_at            {{.Time}},
  created_at            {{.Time}} NOT NULL,
  updated_at            {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE support_requests (
  id             {{.UUID}} PRIMARY KEY,
  org_id         {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  member_id      {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  assessment_id  {{.UUID}},
  kind           TEXT NOT NULL,
  format         TEXT NOT NULL,
  duration       TEXT NOT NULL,
  -- topics and languages are comma-separated, lowercase.
  topics         TEXT NOT NULL DEFAULT '',
  languages      TEXT NOT NULL DEFAULT 'en',
  -- status is open, proposed, matched or closed.
  status         TEXT NOT NULL,
  decided_by     {{.UUID}},
  reason         TEXT NOT NULL DEFAULT '',
  created_at     {{.Time}} NOT NULL,
  updated_at     {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE proposals (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  request_id      {{.UUID}} NOT NULL REFERENCES support_requests (id) ON DELETE CASCADE,
  practitioner_id {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  score           INTEGER NOT NULL,
  explanation     {{.JSON}} NOT NULL,
  -- status is pending, accepted, declined, expired or withdrawn.
  status          TEXT NOT NULL,
  rank            INTEGER NOT NULL,
  proposed_by     {{.UUID}},
  expires_at      {{.Time}} NOT NULL,
  answered_at     {{.Time}},
  reason          TEXT NOT NULL DEFAULT '',
  relationship_id {{.UUID}},
  created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE status_changes (
  id               {{.UUID}} PRIMARY KEY,
  org_id           {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id  {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  changed_by       {{.UUID}} NOT NULL,
  from_status      TEXT NOT NULL,
  to_status        TEXT NOT NULL,
  why              TEXT NOT NULL DEFAULT '',
  -- private_feedback is for coordinators only, never the other side.
  private_feedback TEXT NOT NULL DEFAULT '',
  at               {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE goals (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  owner_id        {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  description     TEXT NOT NULL,
  success_measure TEXT NOT NULL DEFAULT '',
  target_date     TEXT NOT NULL DEFAULT '',
  progress        INTEGER NOT NULL DEFAULT 0,
  created_at      {{.Time}} NOT NULL,
  updated_at      {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE goal_milestones (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  goal_id     {{.UUID}} NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
  title       TEXT NOT NULL,
  due_date    TEXT NOT NULL DEFAULT '',
  done_at     {{.Time}},
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE goal_updates (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  goal_id     {{.UUID}} NOT NULL REFERENCES goals (id) ON DELETE CASCADE,
  author_id   {{.UUID}} NOT NULL,
  -- kind is created, progress or milestone; rows are never changed.
  kind        TEXT NOT NULL,
  progress    INTEGER NOT NULL DEFAULT 0,
  comment     TEXT NOT NULL DEFAULT '',
  at          {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE notes (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  author_id       {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  -- session_id is the calendar's session, when the note is about one.
  session_id      {{.UUID}},
  -- visibility is private (the author alone) or shared (the participants).
  visibility      TEXT NOT NULL,
  -- body holds shared notes; private ones are sealed (AES-GCM) into
  -- ciphertext with a per-note nonce, under the key named by key_id.
  body            TEXT NOT NULL DEFAULT '',
  ciphertext      {{.Bytes}},
  nonce           {{.Bytes}},
  key_id          TEXT NOT NULL DEFAULT '',
  created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE mode_switches (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  session_id      {{.UUID}},
  from_kind       TEXT NOT NULL,
  to_kind         TEXT NOT NULL,
  why             TEXT NOT NULL DEFAULT '',
  switched_by     {{.UUID}} NOT NULL,
  at              {{.Time}} NOT NULL
);
--bun:split
CREATE TABLE rematch_requests (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  member_id       {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  relationship_id {{.UUID}},
  -- reason is private to the coordinators.
  reason          TEXT NOT NULL DEFAULT '',
  status          TEXT NOT NULL DEFAULT 'open',
  created_at      {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX questionnaires_org_version_idx ON questionnaires (org_id, version);
--bun:split
CREATE INDEX assessments_org_member_idx ON assessments (org_id, member_id, created_at);
--bun:split
CREATE INDEX assessments_org_status_idx ON assessments (org_id, status);
--bun:split
CREATE INDEX support_requests_org_status_idx ON support_requests (org_id, status);
--bun:split
CREATE INDEX support_requests_org_member_idx ON support_requests (org_id, member_id);
--bun:split
CREATE INDEX proposals_org_request_idx ON proposals (org_id, request_id, rank);
--bun:split
CREATE INDEX proposals_org_practitioner_idx ON proposals (org_id, practitioner_id, status);
--bun:split
CREATE INDEX status_changes_org_rel_idx ON status_changes (org_id, relationship_id, at);
--bun:split
CREATE INDEX goals_org_rel_idx ON goals (org_id, relationship_id);
--bun:split
CREATE INDEX goal_milestones_org_goal_idx ON goal_milestones (org_id, goal_id);
--bun:split
CREATE INDEX goal_updates_org_goal_idx ON goal_updates (org_id, goal_id, at);
--bun:split
CREATE INDEX notes_org_rel_idx ON notes (org_id, relationship_id, created_at);
--bun:split
CREATE INDEX notes_org_session_idx ON notes (org_id, session_id);
--bun:split
CREATE INDEX mode_switches_org_rel_idx ON mode_switches (org_id, relationship_id, at);
--bun:split
CREATE INDEX rematch_requests_org_status_idx ON rematch_requests (org_id, status, created_at);
{{if .Postgres}}
--bun:split
ALTER TABLE questionnaires ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE questionnaires FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON questionnaires
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE assessments FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON assessments
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE support_requests ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE support_requests FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON support_requests
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE proposals ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE proposals FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON proposals
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE status_changes ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE status_changes FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON status_changes
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE goals ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE goals FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON goals
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE goal_milestones ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE goal_milestones FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON goal_milestones
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE goal_updates ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE goal_updates FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON goal_updates
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE notes ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE notes FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON notes
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE mode_switches ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE mode_switches FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON mode_switches
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE rematch_requests ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE rematch_requests FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON rematch_requests
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
