-- The resource library (app/library): an organisation's articles and
-- practical tools, votes, files, articles shared into a relationship,
-- and agendas attached to calendar sessions.
--
-- search_text is the title, summary, tags and body folded in Go (lower
-- case, accents removed: "Café" -> "cafe"), so that both engines search
-- the same text: PostgreSQL through a stored tsvector with a GIN index,
-- SQLite with LIKE. Folding in Go rather than with the unaccent extension
-- keeps the migration free of extensions (unaccent() is not immutable, so
-- it could not feed a generated column without a wrapper) and makes the
-- two engines agree on what a word is.
-- Training that cannot be skimmed (app/courses): a course may enforce the
-- order of its lessons and release its modules on a schedule.
ALTER TABLE courses ADD COLUMN enforce_order BOOLEAN NOT NULL DEFAULT FALSE;
--bun:split
ALTER TABLE courses ADD COLUMN drip_days INTEGER NOT NULL DEFAULT 0;
--bun:split
-- Time on each lesson: from opening it to marking it complete (capped).
ALTER TABLE enrolments ADD COLUMN lesson_opened_at {{.Time}};
--bun:split
ALTER TABLE lesson_progress ADD COLUMN seconds INTEGER NOT NULL DEFAULT 0;
--bun:split
CREATE TABLE library_articles (
  id           {{.UUID}} PRIMARY KEY,
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  slug         TEXT NOT NULL,
  kind         TEXT NOT NULL,
  category     TEXT NOT NULL,
  agenda_kind  TEXT NOT NULL DEFAULT '',
  title        TEXT NOT NULL,
  summary      TEXT NOT NULL DEFAULT '',
  body         TEXT NOT NULL DEFAULT '',
  tags         TEXT NOT NULL DEFAULT '',
  link_url     TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL,
  starter_key  TEXT,
  search_text  TEXT NOT NULL DEFAULT '',
  created_by   {{.UUID}},
  updated_by   {{.UUID}},
  created_at   {{.Time}} NOT NULL,
  updated_at   {{.Time}} NOT NULL,
  published_at {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX library_articles_org_slug_idx ON library_articles (org_id, slug);
--bun:split
CREATE UNIQUE INDEX library_articles_org_starter_idx ON library_articles (org_id, starter_key);
--bun:split
CREATE INDEX library_articles_org_list_idx ON library_articles (org_id, status, category, title);
--bun:split
-- A downloadable file of an article, kept in the database: files are
-- small (at most 2 MB), so they share the database's backups, its
-- transactions and its row-level security, and every web process can
-- serve them without a shared disk.
CREATE TABLE library_files (
  org_id       {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  article_id   {{.UUID}} NOT NULL REFERENCES library_articles (id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size         INTEGER NOT NULL,
  data         {{.Bytes}} NOT NULL,
  created_at   {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, article_id)
);
--bun:split
-- "Was this helpful?": one vote per person and article, which they may change.
CREATE TABLE library_votes (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  article_id {{.UUID}} NOT NULL REFERENCES library_articles (id) ON DELETE CASCADE,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  helpful    BOOLEAN NOT NULL,
  voted_at   {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, article_id, user_id)
);
--bun:split
-- An article a practitioner shared into a relationship; only the
-- relationship's participants see it.
CREATE TABLE library_shares (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  article_id      {{.UUID}} NOT NULL REFERENCES library_articles (id) ON DELETE CASCADE,
  shared_by       {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  note            TEXT NOT NULL DEFAULT '',
  shared_at       {{.Time}} NOT NULL
);
--bun:split
CREATE UNIQUE INDEX library_shares_rel_article_idx ON library_shares (org_id, relationship_id, article_id);
--bun:split
-- The agenda of a calendar session, copied from an agenda template and
-- edited by the practitioner; both sides read it before the session.
CREATE TABLE session_agendas (
  org_id      {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  session_id  {{.UUID}} NOT NULL REFERENCES calendar_sessions (id) ON DELETE CASCADE,
  template_id {{.UUID}} REFERENCES library_articles (id) ON DELETE SET NULL,
  title       TEXT NOT NULL,
  body        TEXT NOT NULL,
  attached_by {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  updated_at  {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, session_id)
);
{{if .Postgres}}
--bun:split
ALTER TABLE library_articles ADD COLUMN search_vector tsvector
  GENERATED ALWAYS AS (to_tsvector('english', search_text)) STORED;
--bun:split
CREATE INDEX library_articles_search_idx ON library_articles USING gin (search_vector);
--bun:split
ALTER TABLE library_articles ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE library_articles FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON library_articles
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE library_files ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE library_files FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON library_files
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE library_votes ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE library_votes FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON library_votes
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE library_shares ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE library_shares FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON library_shares
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE session_agendas ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE session_agendas FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON session_agendas
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
