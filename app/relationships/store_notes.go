package relationships

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// AddNote records a note by a participant; a private note's text is
// sealed before it reaches the database.
func (s *Store) AddNote(ctx context.Context, keys *Keyring, orgID uuid.UUID, now time.Time, n *Note, text string) error {
	n.ID, n.OrgID, n.CreatedAt = uuid.Must(uuid.NewV7()), orgID, now
	if n.Visibility != Private {
		n.Visibility = Shared
	}
	if err := setNoteText(keys, n, text); err != nil {
		return err
	}
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		_, err := tx.NewInsert().Model(n).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: add note: %w", err)
	}
	return nil
}

// setNoteText puts text in a note: sealed if the note is private, as
// its body otherwise.
func setNoteText(keys *Keyring, n *Note, text string) error {
	if n.Visibility != Private {
		n.Body = text
		return nil
	}
	ct, nonce, keyID, err := keys.Seal(n.ID.String(), []byte(text))
	if err != nil {
		return err
	}
	n.Ciphertext, n.Nonce, n.KeyID, n.Body = ct, nonce, keyID, ""
	return nil
}

// NotesFor lists the notes of a relationship that viewer may read: their
// own private ones, opened, and the shared ones written since they joined
// (or since their notes_from, when a practitioner shared earlier ones).
// Someone added to a group later does not read what was said before them.
// Callers must have checked that viewer takes part in the relationship.
func (s *Store) NotesFor(ctx context.Context, keys *Keyring, orgID, relID, viewer uuid.UUID) ([]Note, error) {
	var out []Note
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		since := tx.NewSelect().Model((*Participant)(nil)).ColumnExpr("MIN(COALESCE(notes_from, joined_at))").
			Where("org_id = ? AND relationship_id = ? AND user_id = ? AND left_at IS NULL", orgID, relID, viewer)
		return tx.NewSelect().Model(&out).
			Where("org_id = ? AND relationship_id = ?", orgID, relID).
			Where("((visibility = ? AND created_at >= (?)) OR (visibility = ? AND author_id = ?))", Shared, since, Private, viewer).
			OrderExpr("created_at DESC, id DESC").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: notes of %s: %w", relID, err)
	}
	for i := range out {
		n := &out[i]
		if n.Visibility != Private {
			continue
		}
		pt, err := keys.Open(n.ID.String(), n.Ciphertext, n.Nonce, n.KeyID)
		if err != nil {
			n.Body = "(This note cannot be opened: its key is no longer configured.)"
			continue
		}
		n.Body = string(pt)
	}
	return out, nil
}

// NoteCounts counts a relationship's notes by visibility, for people who
// may know that notes exist but not read them.
func (s *Store) NoteCounts(ctx context.Context, orgID, relID uuid.UUID) (map[string]int, error) {
	out := map[string]int{Private: 0, Shared: 0}
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var rows []struct {
			Visibility string `bun:"visibility"`
			N          int    `bun:"n"`
		}
		err := tx.NewSelect().Model((*Note)(nil)).ColumnExpr("visibility, count(*) AS n").
			Where("org_id = ? AND relationship_id = ?", orgID, relID).GroupExpr("visibility").Scan(ctx, &rows)
		for _, r := range rows {
			out[r.Visibility] = r.N
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: count notes of %s: %w", relID, err)
	}
	return out, nil
}

// Reseal re-encrypts every private note of an organisation that is not
// sealed with the newest key (key rotation). It returns how many changed.
func (s *Store) Reseal(ctx context.Context, keys *Keyring, orgID uuid.UUID) (int, error) {
	changed := 0
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		var notes []Note
		if err := tx.NewSelect().Model(&notes).Where("org_id = ? AND visibility = ? AND key_id <> ?", orgID, Private, keys.Newest()).Scan(ctx); err != nil {
			return err
		}
		for i := range notes {
			n := &notes[i]
			pt, err := keys.Open(n.ID.String(), n.Ciphertext, n.Nonce, n.KeyID)
			if err != nil {
				return fmt.Errorf("note %s: %w", n.ID, err)
			}
			if n.Ciphertext, n.Nonce, n.KeyID, err = keys.Seal(n.ID.String(), pt); err != nil {
				return err
			}
			if _, err := tx.NewUpdate().Model(n).Column("ciphertext", "nonce", "key_id").WherePK().Exec(ctx); err != nil {
				return err
			}
			changed++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("relationships: reseal notes: %w", err)
	}
	return changed, nil
}

// ShareEarlierNotes lets a member of a relationship read the shared notes
// written before they joined (a practitioner's decision, one person at a
// time). ErrNotMember when the person does not take part as a member.
func (s *Store) ShareEarlierNotes(ctx context.Context, orgID, relID, userID uuid.UUID) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.WithTx(tx).Get(ctx, orgID, relID)
		if err != nil {
			return err
		}
		res, err := tx.NewUpdate().Model((*Participant)(nil)).Set("notes_from = ?", r.CreatedAt).
			Where("org_id = ? AND relationship_id = ? AND user_id = ? AND side = ? AND left_at IS NULL", orgID, relID, userID, SideMember).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotMember
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("relationships: share earlier notes of %s with %s: %w", relID, userID, err)
	}
	return nil
}

// PrivateNotesOf lists the private notes an author wrote, newest first
// and opened (theirs alone to read; supervision turns one into a case).
// A note whose key is gone is left out.
func (s *Store) PrivateNotesOf(ctx context.Context, keys *Keyring, orgID, author uuid.UUID, limit int) ([]Note, error) {
	var rows []Note
	err := db.In(ctx, s.DB, s.tx, orgID, func(ctx context.Context, tx bun.IDB) error {
		return tx.NewSelect().Model(&rows).Where("org_id = ? AND author_id = ? AND visibility = ?", orgID, author, Private).
			OrderExpr("created_at DESC, id DESC").Limit(int64(limit)).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: private notes of %s: %w", author, err)
	}
	out := rows[:0]
	for _, n := range rows {
		pt, err := keys.Open(n.ID.String(), n.Ciphertext, n.Nonce, n.KeyID)
		if err != nil {
			continue
		}
		n.Body = string(pt)
		out = append(out, n)
	}
	return out, nil
}
