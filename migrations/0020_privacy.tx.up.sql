-- Group notes are read from the time a person joined: notes_from, when
-- set, is earlier (a practitioner shared the notes written before).
ALTER TABLE relationship_participants ADD COLUMN notes_from {{.Time}};
