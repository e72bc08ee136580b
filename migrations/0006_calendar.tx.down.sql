DROP TABLE reminder_deliveries;
--bun:split
DROP TABLE calendar_feeds;
--bun:split
DROP TABLE session_attendees;
--bun:split
DROP TABLE calendar_sessions;
--bun:split
DROP TABLE series;
--bun:split
DROP TABLE session_types;
--bun:split
DROP TABLE booking_settings;
--bun:split
DROP TABLE availability_overrides;
--bun:split
DROP TABLE availability_rules;
