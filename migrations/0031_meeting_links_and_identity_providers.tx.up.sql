-- Issue 17, items 2 and 3.
--
-- Meeting links: a practitioner chooses how their remote sessions are
-- joined (booking_settings.meeting_mode: none, their own video room, or a
-- fresh room per session at the organisation's meeting service); a session
-- keeps the link it was given when it was booked (calendar_sessions.meeting_url).
ALTER TABLE booking_settings ADD COLUMN meeting_mode TEXT NOT NULL DEFAULT 'none';
--bun:split
ALTER TABLE booking_settings ADD COLUMN meeting_room_url TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE calendar_sessions ADD COLUMN meeting_url TEXT NOT NULL DEFAULT '';
--bun:split
-- Sign-in through an organisation's identity provider (OpenID Connect):
-- one provider per organisation, its client secret sealed like private
-- notes (AES-256-GCM under the notes keys, the provider's id bound as
-- additional data).
CREATE TABLE identity_providers (
  id                {{.UUID}} PRIMARY KEY,
  org_id            {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  issuer            TEXT NOT NULL,
  client_id         TEXT NOT NULL,
  secret_ciphertext {{.Bytes}} NOT NULL,
  secret_nonce      {{.Bytes}} NOT NULL,
  secret_key_id     TEXT NOT NULL,
  default_role      TEXT NOT NULL DEFAULT 'member',
  enabled           BOOLEAN NOT NULL DEFAULT TRUE,
  password_sign_in  BOOLEAN NOT NULL DEFAULT TRUE,
  created_at        {{.Time}} NOT NULL,
  updated_at        {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX identity_providers_org_idx ON identity_providers (org_id);
--bun:split
-- A domain belongs to one organisation only: the unique key is the domain
-- alone, across organisations.
CREATE TABLE identity_domains (
  domain      TEXT PRIMARY KEY,
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  provider_id {{.UUID}} NOT NULL REFERENCES identity_providers (id) ON DELETE CASCADE,
  created_at  {{.Time}} NOT NULL
);
--bun:split
CREATE INDEX identity_domains_org_idx ON identity_domains (org_id, provider_id);
--bun:split
-- Which account a provider's subject signs in as, in the organisation.
CREATE TABLE identity_links (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id         {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  issuer          TEXT NOT NULL,
  subject         TEXT NOT NULL,
  created_at      {{.Time}} NOT NULL,
  last_sign_in_at {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX identity_links_subject_idx ON identity_links (org_id, issuer, subject);
--bun:split
CREATE INDEX identity_links_user_idx ON identity_links (user_id);
{{if .Postgres}}
--bun:split
ALTER TABLE identity_providers ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE identity_providers FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON identity_providers
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE identity_domains ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE identity_domains FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON identity_domains
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE identity_links ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE identity_links FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON identity_links
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
-- The sign-in page asks which organisation signs in an address's domain
-- before any tenant is known: one narrow look-up, like
-- invitation_org_by_token.
CREATE FUNCTION identity_domain_org(p_domain text) RETURNS uuid
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public AS $$
    SELECT org_id FROM identity_domains WHERE domain = p_domain
  $$;
{{end}}
{{if .AppRole}}
--bun:split
CREATE POLICY definer_lookups ON identity_domains FOR SELECT TO CURRENT_USER USING (true);
--bun:split
-- identity_providers: configured (insert, update) and removed (delete);
-- identity_domains: replaced (deleted and inserted) with the provider's
-- settings; identity_links: made, stamped at each sign-in (update) and
-- deleted with a person's account.
DO $$
DECLARE g record;
BEGIN
  FOR g IN SELECT * FROM (VALUES
    ('identity_providers', 'SELECT, INSERT, UPDATE, DELETE'),
    ('identity_domains', 'SELECT, INSERT, DELETE'),
    ('identity_links', 'SELECT, INSERT, UPDATE, DELETE')
  ) AS v(t, privs) LOOP
    EXECUTE format('REVOKE ALL ON %I FROM %I', g.t, '{{.AppRole}}');
    EXECUTE format('GRANT %s ON %I TO %I', g.privs, g.t, '{{.AppRole}}');
  END LOOP;
END
$$;
{{end}}
