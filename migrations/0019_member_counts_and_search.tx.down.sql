{{if .Postgres}}
ALTER TABLE calendar_sessions RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
--bun:split
ALTER TABLE memberships RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
--bun:split
ALTER TABLE audit_events RESET (autovacuum_analyze_scale_factor, autovacuum_analyze_threshold);
--bun:split
DROP INDEX users_email_trgm_idx;
--bun:split
DROP INDEX users_name_trgm_idx;
--bun:split
DROP TRIGGER memberships_count_delete ON memberships;
--bun:split
DROP TRIGGER memberships_count_update ON memberships;
--bun:split
DROP TRIGGER memberships_count_insert ON memberships;
--bun:split
DROP FUNCTION member_counts_apply();
{{else}}
DROP TRIGGER memberships_count_delete;
--bun:split
DROP TRIGGER memberships_count_update;
--bun:split
DROP TRIGGER memberships_count_insert;
{{end}}
--bun:split
CREATE INDEX audit_events_org_at_idx ON audit_events (org_id, at);
--bun:split
DROP INDEX audit_events_org_at_id_idx;
--bun:split
DROP INDEX users_name_email_idx;
--bun:split
DROP TABLE member_counts;
