-- Reliability (issue 11).
--
-- An e-mail being sent is claimed by one run of its task: claimed_at is
-- renewed while the message is with the SMTP server, so a claim that has
-- not been renewed for a while belongs to a worker that died, and
-- claim_token names the run, so that a run that lost its claim does not
-- overwrite the row.
ALTER TABLE emails ADD COLUMN claim_token TEXT NOT NULL DEFAULT '';
--bun:split
CREATE INDEX emails_sending_idx ON emails (claimed_at) WHERE status = 'sending';
--bun:split
-- An outbox row stays open until its task reports that it finished
-- (done_at), not only that it was handed to Redis (enqueued_at): a Redis
-- that lost its data has the rows handed over again.
ALTER TABLE outbox ADD COLUMN done_at {{.Time}};
--bun:split
-- Rows finished before this migration count as done.
UPDATE outbox SET done_at = enqueued_at WHERE enqueued_at IS NOT NULL;
--bun:split
CREATE INDEX outbox_open_idx ON outbox (run_at) WHERE enqueued_at IS NOT NULL AND done_at IS NULL;
{{if .AppRole}}
--bun:split
-- The application checks that the schema is the one it was built for
-- (readiness, and refusing to start on an older one).
GRANT SELECT ON bun_migrations TO {{.AppRole}};
{{end}}
