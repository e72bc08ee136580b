DROP TABLE emails;
--bun:split
DROP TABLE outbox;
