-- Organisations are the tenants. Their slug and name are not secret (they
-- appear in URLs), so the table has no row-level security: a request
-- resolves its tenant from the slug before the tenant context exists.
CREATE TABLE organisations (
  id          {{.UUID}} PRIMARY KEY,
  slug        TEXT NOT NULL,
  name        TEXT NOT NULL,
  time_zone   TEXT NOT NULL,
  settings    {{.JSON}} NOT NULL DEFAULT '{}',
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX organisations_slug_idx ON organisations (slug);
--bun:split
-- People have one account across organisations.
CREATE TABLE users (
  id            {{.UUID}} PRIMARY KEY,
  email         TEXT NOT NULL,
  name          TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  time_zone     TEXT NOT NULL DEFAULT '',
  verified_at   {{.Time}},
  -- auth_epoch is part of every session; raising it signs the person out
  -- everywhere.
  auth_epoch    INTEGER NOT NULL DEFAULT 0,
  created_at    {{.Time}} NOT NULL,
  deleted_at    {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX users_email_idx ON users (email);
--bun:split
CREATE TABLE memberships (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id         {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role            TEXT NOT NULL,
  -- kinds: the practitioner kinds offered, comma-separated (mentor,coach,supervisor).
  kinds           TEXT NOT NULL DEFAULT '',
  line_manager_id {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  status          TEXT NOT NULL DEFAULT 'active',
  created_at      {{.Time}} NOT NULL,
  updated_at      {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX memberships_org_user_idx ON memberships (org_id, user_id);
--bun:split
CREATE INDEX memberships_org_role_idx ON memberships (org_id, role);
--bun:split
CREATE INDEX memberships_user_idx ON memberships (user_id);
--bun:split
CREATE TABLE invitations (
  id          {{.UUID}} PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  email       TEXT NOT NULL,
  name        TEXT NOT NULL DEFAULT '',
  role        TEXT NOT NULL,
  kinds       TEXT NOT NULL DEFAULT '',
  token_hash  TEXT NOT NULL,
  invited_by  {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  expires_at  {{.Time}} NOT NULL,
  accepted_at {{.Time}},
  revoked_at  {{.Time}},
  sent_count  INTEGER NOT NULL DEFAULT 1,
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX invitations_token_idx ON invitations (token_hash);
--bun:split
CREATE INDEX invitations_org_email_idx ON invitations (org_id, email);
--bun:split
-- Server-side sessions (scs); the token is stored hashed. user_id lets a
-- request load its session and its person in one query.
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id    {{.UUID}} REFERENCES users (id) ON DELETE CASCADE,
  data       {{.Bytes}} NOT NULL,
  expiry     {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX sessions_expiry_idx ON sessions (expiry);
--bun:split
CREATE INDEX sessions_user_idx ON sessions (user_id);
--bun:split
-- Single-use e-mailed links: e-mail verification and password reset.
CREATE TABLE user_tokens (
  id         {{.UUID}} PRIMARY KEY,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  purpose    TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  expires_at {{.Time}} NOT NULL,
  used_at    {{.Time}},
  created_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX user_tokens_hash_idx ON user_tokens (token_hash);
--bun:split
-- Failed sign-ins, by account and by address, for throttling.
CREATE TABLE auth_failures (
  id         {{.UUID}} PRIMARY KEY,
  key        TEXT NOT NULL,
  at         {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX auth_failures_key_at_idx ON auth_failures (key, at);
--bun:split
CREATE TABLE audit_events (
  id        {{.UUID}} PRIMARY KEY,
  org_id    {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  actor_id  {{.UUID}},
  actor     TEXT NOT NULL DEFAULT '',
  action    TEXT NOT NULL,
  target    TEXT NOT NULL DEFAULT '',
  detail    TEXT NOT NULL DEFAULT '',
  ip        TEXT NOT NULL DEFAULT '',
  at        {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX audit_events_org_at_idx ON audit_events (org_id, at);
--bun:split
CREATE INDEX audit_events_org_action_idx ON audit_events (org_id, action, at);
{{if .Postgres}}
--bun:split
-- Row-level security: the second wall behind the store layer's org_id
-- filters. app.org_id is set per transaction (set_config(..., true));
-- a pooled connection reports '' after a transaction, hence NULLIF.
-- Memberships are also visible to their own person (app.user_id), so
-- that the organisation switcher can list them.
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON memberships
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid
         OR user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON invitations
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE audit_events FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON audit_events
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
-- The organisation switcher and the tenant wall need a person's own
-- memberships in every organisation before any tenant is set: this narrow
-- function returns exactly those, in one round trip, as the table owner.
CREATE FUNCTION viewer_memberships(p_user_id uuid)
  RETURNS TABLE (org_id uuid, slug text, name text, time_zone text, role text, kinds text, status text)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT m.org_id, o.slug, o.name, o.time_zone, m.role, m.kinds, m.status
    FROM memberships AS m JOIN organisations AS o ON o.id = m.org_id
    WHERE m.user_id = p_user_id
    ORDER BY o.name, o.slug
  $$;
--bun:split
-- Accepting an invitation happens before the tenant is known (the token
-- is all the link carries): this narrow function finds one invitation by
-- its token hash, bypassing row-level security as the table owner.
CREATE FUNCTION invitation_org_by_token(p_token_hash text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT org_id FROM invitations WHERE token_hash = p_token_hash
  $$;
{{end}}
