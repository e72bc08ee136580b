DROP TABLE rematch_requests;
--bun:split
DROP TABLE mode_switches;
--bun:split
DROP TABLE notes;
--bun:split
DROP TABLE goal_updates;
--bun:split
DROP TABLE goal_milestones;
--bun:split
DROP TABLE goals;
--bun:split
DROP TABLE status_changes;
--bun:split
DROP TABLE proposals;
--bun:split
DROP TABLE support_requests;
--bun:split
DROP TABLE assessments;
--bun:split
DROP TABLE questionnaires;
