-- Issue 16 (performance): pages cost what they show, not what the
-- organisation holds.
--
-- member_counts keeps each organisation's active members by role as
-- running totals, maintained by triggers on memberships, so that the
-- dashboard reads a handful of rows instead of counting every member on
-- every view. Triggers (not application code) keep them, so every path
-- that changes a membership — including ON DELETE CASCADE from users and
-- bulk loads — moves the totals in the same transaction.
CREATE TABLE member_counts (
  org_id {{.UUID}} NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
  role   TEXT NOT NULL,
  n      INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (org_id, role)
);
--bun:split
INSERT INTO member_counts (org_id, role, n)
SELECT org_id, role, count(*) FROM memberships WHERE status = 'active' GROUP BY org_id, role;
--bun:split
-- The people list pages by (lower(name), email, id) and the audit log by
-- (at, id): keyset pagination reads one page of an index, however many
-- rows there are.
CREATE INDEX users_name_email_idx ON users (lower(name), email, id);
--bun:split
CREATE INDEX audit_events_org_at_id_idx ON audit_events (org_id, at, id);
--bun:split
DROP INDEX audit_events_org_at_idx;
{{if .Postgres}}
--bun:split
ALTER TABLE member_counts ENABLE ROW LEVEL SECURITY;
--bun:split
ALTER TABLE member_counts FORCE ROW LEVEL SECURITY;
--bun:split
CREATE POLICY tenant_isolation ON member_counts
  USING (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid)
  WITH CHECK (org_id = NULLIF(current_setting('app.org_id', true), '')::uuid);
--bun:split
-- The triggers run as the owner (SECURITY DEFINER): a membership may
-- change under a person's own scope (app.user_id) with no tenant set, and
-- its organisation's totals must move all the same. This policy admits
-- the owner (the role running the migrations) and nobody else.
CREATE POLICY totals_maintenance ON member_counts TO CURRENT_USER USING (true) WITH CHECK (true);
--bun:split
CREATE FUNCTION member_counts_apply() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    UPDATE member_counts AS c SET n = c.n - d.n
    FROM (SELECT org_id, role, count(*) AS n FROM old_rows WHERE status = 'active' GROUP BY org_id, role) AS d
    WHERE c.org_id = d.org_id AND c.role = d.role;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') THEN
    INSERT INTO member_counts AS c (org_id, role, n)
    SELECT org_id, role, count(*) FROM new_rows WHERE status = 'active' GROUP BY org_id, role
    ON CONFLICT (org_id, role) DO UPDATE SET n = c.n + excluded.n;
  END IF;
  RETURN NULL;
END
$$;
--bun:split
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_counts_apply();
--bun:split
CREATE TRIGGER memberships_count_update AFTER UPDATE ON memberships
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION member_counts_apply();
--bun:split
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION member_counts_apply();
--bun:split
-- Search: "contains" matching on names and addresses through trigram
-- indexes, instead of reading every member.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--bun:split
CREATE INDEX users_name_trgm_idx ON users USING gin (lower(name) gin_trgm_ops);
--bun:split
CREATE INDEX users_email_trgm_idx ON users USING gin (email gin_trgm_ops);
--bun:split
-- Statistics kept fresh on the tables that grow fastest: the planner
-- chooses the audit log's index only when it knows how many events there
-- are (the default waits for a tenth of the table to change).
ALTER TABLE audit_events SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 1000);
--bun:split
ALTER TABLE memberships SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 500);
--bun:split
ALTER TABLE calendar_sessions SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 1000);
--bun:split
ANALYZE memberships;
--bun:split
ANALYZE audit_events;
{{else}}
--bun:split
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships FOR EACH ROW WHEN NEW.status = 'active'
BEGIN
  INSERT OR IGNORE INTO member_counts (org_id, role, n) VALUES (NEW.org_id, NEW.role, 0);
  UPDATE member_counts SET n = n + 1 WHERE org_id = NEW.org_id AND role = NEW.role;
END;
--bun:split
CREATE TRIGGER memberships_count_update AFTER UPDATE OF role, status, org_id ON memberships FOR EACH ROW
BEGIN
  UPDATE member_counts SET n = n - 1 WHERE OLD.status = 'active' AND org_id = OLD.org_id AND role = OLD.role;
  INSERT OR IGNORE INTO member_counts (org_id, role, n) SELECT NEW.org_id, NEW.role, 0 WHERE NEW.status = 'active';
  UPDATE member_counts SET n = n + 1 WHERE NEW.status = 'active' AND org_id = NEW.org_id AND role = NEW.role;
END;
--bun:split
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships FOR EACH ROW WHEN OLD.status = 'active'
BEGIN
  UPDATE member_counts SET n = n - 1 WHERE org_id = OLD.org_id AND role = OLD.role;
END;
{{end}}
