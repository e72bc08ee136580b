{{if .AppRole}}
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {{.AppRole}};
--bun:split
DROP POLICY definer_lookups ON payments;
--bun:split
DROP POLICY definer_lookups ON certificates;
--bun:split
DROP POLICY definer_lookups ON invitations;
--bun:split
DROP POLICY definer_lookups ON memberships;
--bun:split
{{end}}
ALTER TABLE relationship_participants DROP COLUMN notes_from;
