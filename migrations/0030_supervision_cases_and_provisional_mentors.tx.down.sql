DROP TABLE case_reflections;
--bun:split
DROP TABLE supervision_cases;
--bun:split
DROP TABLE supervision_roles;
--bun:split
ALTER TABLE practitioner_profiles DROP COLUMN mentor_approved_at;
--bun:split
ALTER TABLE practitioner_profiles DROP COLUMN mentor_approved_by;
--bun:split
ALTER TABLE practitioner_profiles DROP COLUMN mentor_supervisor_id;
--bun:split
ALTER TABLE practitioner_profiles DROP COLUMN mentor_status;
