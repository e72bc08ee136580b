-- Rematch requests are handled by a coordinator: closed with a note, or
-- turned into a new support request.
ALTER TABLE rematch_requests ADD COLUMN handled_by {{.UUID}};
--bun:split
ALTER TABLE rematch_requests ADD COLUMN handled_at {{.Time}};
--bun:split
ALTER TABLE rematch_requests ADD COLUMN handled_note TEXT NOT NULL DEFAULT '';
--bun:split
ALTER TABLE rematch_requests ADD COLUMN request_id {{.UUID}};
--bun:split
-- A support request opened from a rematch names the relationship it
-- replaces, so that matching leaves out its practitioners.
ALTER TABLE support_requests ADD COLUMN replaces_relationship_id {{.UUID}};
--bun:split
-- Group members come and go: a person who left (left_at set) may join
-- again, as a new row, so that the history is kept. Only current
-- participation is unique.
DROP INDEX relationship_participants_rel_user_idx;
--bun:split
CREATE UNIQUE INDEX relationship_participants_current_idx ON relationship_participants (org_id, relationship_id, user_id) WHERE left_at IS NULL;
--bun:split
CREATE INDEX relationship_participants_rel_idx ON relationship_participants (org_id, relationship_id, joined_at);
