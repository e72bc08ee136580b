ALTER TABLE stripe_events DROP COLUMN receipt_url;
--bun:split
ALTER TABLE seat_assignments DROP COLUMN refund_kept_at;
