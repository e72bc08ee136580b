{{if .AppRole}}
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {{.AppRole}};
--bun:split
{{end}}
ALTER TABLE relationship_participants DROP COLUMN notes_from;
