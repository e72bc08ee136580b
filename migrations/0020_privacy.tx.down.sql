ALTER TABLE relationship_participants DROP COLUMN notes_from;
