DROP TABLE hours_settings;
--bun:split
DROP TABLE supervision_records;
--bun:split
DROP TABLE hours_entries;
--bun:split
DROP TABLE hours_consents;
--bun:split
DROP TABLE hours_clients;
--bun:split
ALTER TABLE mode_switches DROP COLUMN reverts_at;
--bun:split
ALTER TABLE mode_switches DROP COLUMN kept;
