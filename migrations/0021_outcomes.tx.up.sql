-- Outcomes (issue 12): check-ins, agreements' review dates, opting out of
-- e-mails by topic, and the proposals to conclude a quiet relationship.
--
-- A check-in is a feedback request without a session, at 30 days and
-- then every 60 days of a relationship; check_in names it (30d, 90d …),
-- once per person and relationship.
ALTER TABLE feedback ADD COLUMN check_in TEXT NOT NULL DEFAULT '';
--bun:split
CREATE UNIQUE INDEX feedback_check_in_once_idx ON feedback (org_id, relationship_id, author_id, check_in) WHERE check_in <> '';
--bun:split
-- The date the two sides agreed to review how it goes (YYYY-MM-DD or '').
ALTER TABLE agreements ADD COLUMN review_date TEXT NOT NULL DEFAULT '';
--bun:split
-- People who want no e-mail of a topic from an organisation: digest (the
-- weekly programme digest), summary (the monthly summary of their own
-- relationship), nudges (check-ins and quiet-relationship nudges).
-- digest_opt_outs (0015, never written) becomes the topic 'digest'.
CREATE TABLE mail_opt_outs (
  org_id     {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  user_id    {{.UUID}} NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  topic      TEXT NOT NULL,
  created_at {{.Time}} NOT NULL,
  PRIMARY KEY (org_id, user_id, topic)
);
--bun:split
INSERT INTO mail_opt_outs (org_id, user_id, topic, created_at) SELECT org_id, user_id, 'digest', created_at FROM digest_opt_outs;
--bun:split
DROP TABLE digest_opt_outs;
--bun:split
-- A quiet relationship proposed for concluding: concluded at conclude_at
-- unless a participant objects first. spell is the quiet spell it was
-- proposed for (a session booked since starts another).
CREATE TABLE conclusion_proposals (
  id              {{.UUID}} PRIMARY KEY,
  org_id          {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  relationship_id {{.UUID}} NOT NULL REFERENCES relationships (id) ON DELETE CASCADE,
  spell           TEXT NOT NULL,
  proposed_at     {{.Time}} NOT NULL,
  conclude_at     {{.Time}} NOT NULL,
  objected_by     {{.UUID}} REFERENCES users (id) ON DELETE SET NULL,
  objected_at     {{.Time}},
  concluded_at    {{.Time}}
);
--bun:split
CREATE UNIQUE INDEX conclusion_proposals_once_idx ON conclusion_proposals (org_id, relationship_id, spell);
{{if .Postgres}}
--bun:split
ALTER TABLE mail_opt_outs ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE mail_opt_outs FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON mail_opt_outs
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
ALTER TABLE conclusion_proposals ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE conclusion_proposals FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON conclusion_proposals
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
{{end}}
