DROP INDEX calendar_sessions_org_starts_idx;
--bun:split
DROP TABLE digest_opt_outs;
--bun:split
DROP TABLE nudges;
--bun:split
DROP TABLE feedback;
--bun:split
DROP TABLE report_snapshots;
--bun:split
DROP TABLE report_runs;
