-- A form's post happens once (web.Once, issue 18): every form carries a
-- random key; the first post of a key that ends in a redirect keeps the
-- redirect (and its flash messages) for a day, so that a second post of
-- the same key shows the same page instead of doing the work again.
-- Rows go with their organisation and person, and expire after a day.
CREATE TABLE form_submissions (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  key        TEXT NOT NULL,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  location   TEXT NOT NULL DEFAULT '',
  flashes    TEXT NOT NULL DEFAULT '',
  created_at {{.Time}} NOT NULL,
  expires_at {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, key)
);
--bun:split
CREATE INDEX form_submissions_org_expires_idx ON form_submissions (org_id, expires_at);
--bun:split
CREATE INDEX form_submissions_user_idx ON form_submissions (user_id);
{{if .Postgres}}
--bun:split
ALTER TABLE form_submissions ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE form_submissions FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON form_submissions
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
