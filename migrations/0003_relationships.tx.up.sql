-- Practitioner profiles: what a mentor, coach or supervisor offers.
CREATE TABLE practitioner_profiles (
  id                {{.UUID}} PRIMARY KEY,
  org_id            {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id           {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- kinds, topics and languages are comma-separated, lowercase.
  kinds             TEXT NOT NULL DEFAULT '',
  topics            TEXT NOT NULL DEFAULT '',
  languages         TEXT NOT NULL DEFAULT 'en',
  capacity          INTEGER NOT NULL DEFAULT 3,
  time_zone         TEXT NOT NULL DEFAULT '',
  bio               TEXT NOT NULL DEFAULT '',
  accepting         BOOLEAN NOT NULL DEFAULT TRUE,
  trained_mentor_at {{.Time}},
  created_at        {{.Time}} NOT NULL,
  updated_at        {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX practitioner_profiles_org_user_idx ON practitioner_profiles (org_id, user_id);
--bun:split
-- One model for mentoring, coaching and supervision relationships,
-- one-to-one or group.
CREATE TABLE relationships (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  kind        TEXT NOT NULL,
  format      TEXT NOT NULL,
  status      TEXT NOT NULL,
  title       TEXT NOT NULL DEFAULT '',
  started_at  {{.Time}},
  ended_at    {{.Time}},
  created_at  {{.Time}} NOT NULL,
  updated_at  {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX relationships_org_status_idx ON relationships (org_id, status);
--bun:split
CREATE TABLE relationship_participants (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  user_id         {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- side is practitioner or member.
  side            TEXT NOT NULL,
  joined_at       {{.Time}} NOT NULL,
  left_at         {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX relationship_participants_rel_user_idx ON relationship_participants (org_id, relationship_id, user_id);
--bun:split
CREATE INDEX relationship_participants_user_idx ON relationship_participants (org_id, user_id);
--bun:split
-- The agreed bounds of a relationship; the calendar takes its booking
-- defaults and limits from here.
CREATE TABLE agreements (
  id                       {{.UUID}} PRIMARY KEY,
  org_id                   {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id          {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  purpose                  TEXT NOT NULL DEFAULT '',
  cadence_days             INTEGER NOT NULL DEFAULT 14,
  session_minutes          INTEGER NOT NULL DEFAULT 60,
  end_date                 TEXT NOT NULL DEFAULT '',
  place                    TEXT NOT NULL DEFAULT '',
  confidentiality          TEXT NOT NULL DEFAULT '',
  practitioner_accepted_at {{.Time}},
  member_accepted_at       {{.Time}},
  created_at               {{.Time}} NOT NULL,
  updated_at               {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX agreements_org_rel_idx ON agreements (org_id, relationship_id);
{{if .Postgres}}
--bun:split
ALTER TABLE practitioner_profiles ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE practitioner_profiles FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON practitioner_profiles
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE relationships ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE relationships FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON relationships
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE relationship_participants ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE relationship_participants FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON relationship_participants
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE agreements ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE agreements FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON agreements
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
