-- Billing, more (app/billing).
--
-- A refunded seat purchase takes back the seats of members who had not
-- started; a member who had started keeps their place, and the seat is
-- marked kept (refund_kept_at): it no longer counts against the seats the
-- organisation holds, and the seats page says why it stays.
ALTER TABLE seat_assignments ADD COLUMN refund_kept_at {{.Time}};
--bun:split
-- A charge.succeeded that arrives before its checkout.session.completed
-- keeps the charge's receipt link here until the payment is known.
-- A receipt link is Stripe's page for one charge; it holds no card data.
ALTER TABLE stripe_events ADD COLUMN receipt_url TEXT NOT NULL DEFAULT '';
