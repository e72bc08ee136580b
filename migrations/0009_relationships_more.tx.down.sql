DROP INDEX relationship_participants_rel_idx;
--bun:split
DROP INDEX relationship_participants_current_idx;
--bun:split
-- Fails when a person left and joined again; remove the older rows first.
CREATE UNIQUE INDEX relationship_participants_rel_user_idx ON relationship_participants (org_id, relationship_id, user_id);
--bun:split
ALTER TABLE support_requests DROP COLUMN replaces_relationship_id;
--bun:split
ALTER TABLE rematch_requests DROP COLUMN request_id;
--bun:split
ALTER TABLE rematch_requests DROP COLUMN handled_note;
--bun:split
ALTER TABLE rematch_requests DROP COLUMN handled_at;
--bun:split
ALTER TABLE rematch_requests DROP COLUMN handled_by;
