{{if .Postgres}}
ALTER INDEX users_email_trgm_idx RESET (fastupdate);
--bun:split
ALTER INDEX users_name_trgm_idx RESET (fastupdate);
{{else}}
SELECT 1;
{{end}}
