DROP TABLE busy_intervals;
--bun:split
DROP TABLE external_calendars;
