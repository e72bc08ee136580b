DROP TABLE agreements;
--bun:split
DROP TABLE relationship_participants;
--bun:split
DROP TABLE relationships;
--bun:split
DROP TABLE practitioner_profiles;
