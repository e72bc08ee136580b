{{if .Postgres}}
-- The people search's trigram indexes are written through, not through a
-- pending list. With fastupdate (the default) new names and addresses
-- wait in an unsorted list that every search reads in full until a vacuum
-- (or 4 MB of them) merges it: after a bulk load of 20,000 people a
-- search read 2.7 MB of it and took 30 ms instead of 1.5 ms
-- (bench/bigorg.sh). People are added rarely, so the merge is better
-- paid on each insert than on every search.
ALTER INDEX users_name_trgm_idx SET (fastupdate = off);
--bun:split
ALTER INDEX users_email_trgm_idx SET (fastupdate = off);
--bun:split
-- What is pending now is merged once here.
SELECT gin_clean_pending_list('users_name_trgm_idx'::regclass);
--bun:split
SELECT gin_clean_pending_list('users_email_trgm_idx'::regclass);
{{else}}
-- SQLite has no trigram indexes.
SELECT 1;
{{end}}
