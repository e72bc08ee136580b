package hours

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
	"github.com/leadershiptoolbox/toolbox/app/relationships"
)

// Store holds the hours logs' SQL. Besides its own tables it reads, and
// never writes, the completed sessions a person led or attended and the
// names of the people in them (as the reports do), so that sessions are
// never typed twice. Every method is scoped to one person: there is no
// query for another person's log.
type Store struct {
	DB *db.DB
	// Keys seal a supervision's themes, as they seal private notes.
	Keys *relationships.Keyring
	tx   bun.IDB
}

// WithTx returns the store working inside tx.
func (s *Store) WithTx(tx bun.IDB) *Store { return &Store{DB: s.DB, Keys: s.Keys, tx: tx} }

// open fills in the themes of records read.
func (s *Store) open(rs []Record) error {
	for i := range rs {
		r := &rs[i]
		if len(r.ThemesCiphertext) == 0 {
			continue
		}
		pt, err := s.Keys.Open(r.ID.String(), r.ThemesCiphertext, r.ThemesNonce, r.KeyID)
		if err != nil {
			return fmt.Errorf("hours: open the themes of %s: %w", r.ID, err)
		}
		r.Themes = string(pt)
	}
	return nil
}

func (s *Store) in(ctx context.Context, orgID uuid.UUID, fn func(ctx context.Context, q bun.IDB) error) error {
	return db.In(ctx, s.DB, s.tx, orgID, fn)
}

// heldSQL selects completed sessions with their relationship and the
// number of people who attended.
const heldSQL = `SELECT s.id, s.relationship_id, r.kind, r.format, r.title, s.practitioner_id, s.starts_at, s.ends_at, s.capacity,
  (SELECT count(*) FROM session_attendees a WHERE a.org_id = s.org_id AND a.session_id = s.id AND a.status = 'attended') AS attended
FROM calendar_sessions s JOIN relationships r ON r.org_id = s.org_id AND r.id = s.relationship_id
WHERE s.org_id = ? AND s.status = 'completed' AND `

// Led lists the completed sessions a practitioner led, oldest first.
func (s *Store) Led(ctx context.Context, orgID, userID uuid.UUID) ([]Held, error) {
	var out []Held
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(heldSQL+"s.practitioner_id = ? ORDER BY s.starts_at", orgID, userID).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: sessions led by %s: %w", userID, err)
	}
	return out, nil
}

// SupervisionAttended lists the completed supervision sessions a person
// attended as a supervisee, oldest first.
func (s *Store) SupervisionAttended(ctx context.Context, orgID, userID uuid.UUID) ([]Held, error) {
	var out []Held
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(heldSQL+`r.kind = 'supervision' AND s.practitioner_id <> ? AND EXISTS (SELECT 1 FROM session_attendees a
  WHERE a.org_id = s.org_id AND a.session_id = s.id AND a.user_id = ? AND a.status = 'attended') ORDER BY s.starts_at`,
			orgID, userID, userID).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: supervision attended by %s: %w", userID, err)
	}
	return out, nil
}

// Members lists the member side of relationships, with names and
// addresses (shown in a log only with the member's consent).
func (s *Store) Members(ctx context.Context, orgID uuid.UUID, relIDs []uuid.UUID) ([]Member, error) {
	var out []Member
	if len(relIDs) == 0 {
		return nil, nil
	}
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(`SELECT p.relationship_id, p.user_id, u.name, u.email FROM relationship_participants p JOIN users u ON u.id = p.user_id
WHERE p.org_id = ? AND p.side = 'member' AND p.relationship_id IN (?) ORDER BY p.joined_at`, orgID, bun.In(relIDs)).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: members of %d relationships: %w", len(relIDs), err)
	}
	return out, nil
}

// Switches lists the mode switches of relationships, oldest first, in one
// read (the relationships domain owns them; this reads, never writes).
func (s *Store) Switches(ctx context.Context, orgID uuid.UUID, relIDs []uuid.UUID) (map[uuid.UUID][]relationships.ModeSwitch, error) {
	out := map[uuid.UUID][]relationships.ModeSwitch{}
	if len(relIDs) == 0 {
		return out, nil
	}
	var rows []relationships.ModeSwitch
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&rows).Where("org_id = ? AND relationship_id IN (?)", orgID, bun.In(relIDs)).OrderExpr("at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: mode switches of %d relationships: %w", len(relIDs), err)
	}
	for _, m := range rows {
		out[m.RelationshipID] = append(out[m.RelationshipID], m)
	}
	return out, nil
}

// Person is someone of the organisation a supervision can name.
type Person struct {
	ID   uuid.UUID `bun:"id"`
	Name string    `bun:"name"`
}

// Supervisors lists the organisation's active practitioners other than
// the person: who may be named as a supervisor.
func (s *Store) Supervisors(ctx context.Context, orgID, except uuid.UUID) ([]Person, error) {
	var out []Person
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(`SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.org_id = ? AND m.status = 'active' AND m.role IN ('practitioner', 'coordinator', 'admin', 'owner') AND m.user_id <> ?
ORDER BY lower(u.name), u.id LIMIT 500`, orgID, except).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: supervisors in %s: %w", orgID, err)
	}
	return out, nil
}

// Names names people of the organisation by id.
func (s *Store) Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := map[uuid.UUID]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var rows []Person
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(`SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.user_id IN (?)`,
			orgID, bun.In(ids)).Scan(ctx, &rows)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: names in %s: %w", orgID, err)
	}
	for _, p := range rows {
		out[p.ID] = p.Name
	}
	return out, nil
}

// SupervisionRelationship is an active supervision the person receives:
// where to book their next session.
type SupervisionRelationship struct {
	ID         uuid.UUID `bun:"id"`
	Format     string    `bun:"format"`
	Title      string    `bun:"title"`
	Supervisor string    `bun:"supervisor"`
}

// Supervisions lists the active supervision relationships in which the
// person is a supervisee.
func (s *Store) Supervisions(ctx context.Context, orgID, userID uuid.UUID) ([]SupervisionRelationship, error) {
	var out []SupervisionRelationship
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewRaw(`SELECT r.id, r.format, r.title, coalesce((SELECT min(u.name) FROM relationship_participants pp JOIN users u ON u.id = pp.user_id
  WHERE pp.org_id = r.org_id AND pp.relationship_id = r.id AND pp.side = 'practitioner' AND pp.left_at IS NULL), '') AS supervisor
FROM relationships r JOIN relationship_participants p ON p.org_id = r.org_id AND p.relationship_id = r.id
WHERE r.org_id = ? AND r.kind = 'supervision' AND r.status = 'active' AND p.user_id = ? AND p.side = 'member' AND p.left_at IS NULL
ORDER BY r.created_at`, orgID, userID).Scan(ctx, &out)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: supervisions of %s: %w", userID, err)
	}
	return out, nil
}

// Clients lists a practitioner's settings for their clients.
func (s *Store) Clients(ctx context.Context, orgID, practitionerID uuid.UUID) ([]Client, error) {
	var out []Client
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND practitioner_id = ?", orgID, practitionerID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: client settings of %s: %w", practitionerID, err)
	}
	return out, nil
}

// SaveClient replaces a practitioner's setting for one client.
func (s *Store) SaveClient(ctx context.Context, c *Client) error {
	err := s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(c).On("CONFLICT (org_id, practitioner_id, relationship_id) DO UPDATE").
			Set("paid = EXCLUDED.paid, pseudonym = EXCLUDED.pseudonym, updated_at = EXCLUDED.updated_at").Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("hours: save client setting %s: %w", c.RelationshipID, err)
	}
	return nil
}

// Consents lists the consents given in relationships.
func (s *Store) Consents(ctx context.Context, orgID uuid.UUID, relIDs []uuid.UUID) ([]Consent, error) {
	var out []Consent
	if len(relIDs) == 0 {
		return nil, nil
	}
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND relationship_id IN (?)", orgID, bun.In(relIDs)).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: consents: %w", err)
	}
	return out, nil
}

// ConsentOf is a member's consent in a relationship (none given: both
// false).
func (s *Store) ConsentOf(ctx context.Context, orgID, relID, memberID uuid.UUID) (Consent, error) {
	c := Consent{OrgID: orgID, RelationshipID: relID, MemberID: memberID}
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&c).Where("org_id = ? AND relationship_id = ? AND member_id = ?", orgID, relID, memberID).Scan(ctx)
	})
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return c, fmt.Errorf("hours: consent in %s: %w", relID, err)
	}
	return c, nil
}

// SaveConsent replaces a member's consent.
func (s *Store) SaveConsent(ctx context.Context, c *Consent) error {
	err := s.in(ctx, c.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(c).On("CONFLICT (org_id, relationship_id, member_id) DO UPDATE").
			Set("named = EXCLUDED.named, contact = EXCLUDED.contact, updated_at = EXCLUDED.updated_at").Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("hours: save consent in %s: %w", c.RelationshipID, err)
	}
	return nil
}

// Entries lists a person's entries made by hand, oldest first.
func (s *Store) Entries(ctx context.Context, orgID, userID uuid.UUID) ([]Entry, error) {
	var out []Entry
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND user_id = ?", orgID, userID).OrderExpr("first_on, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: entries of %s: %w", userID, err)
	}
	return out, nil
}

// AddEntry stores an entry made by hand.
func (s *Store) AddEntry(ctx context.Context, e *Entry) error {
	err := s.in(ctx, e.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(e).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("hours: add entry: %w", err)
	}
	return nil
}

// DeleteEntry deletes one of the person's own entries: another
// person's is ErrNotYours, none db.ErrNotFound.
func (s *Store) DeleteEntry(ctx context.Context, orgID, userID, id uuid.UUID) error {
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		e := new(Entry)
		if err := q.NewSelect().Model(e).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
			return err
		}
		if e.UserID != userID {
			return ErrNotYours
		}
		_, err := q.NewDelete().Model((*Entry)(nil)).Where("org_id = ? AND user_id = ? AND id = ?", orgID, userID, id).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("hours: delete entry %s: %w", id, err)
	}
	return nil
}

// Settings is a person's supervision standard (DefaultSettings if none).
func (s *Store) Settings(ctx context.Context, orgID, userID uuid.UUID) (Settings, error) {
	out := DefaultSettings()
	out.OrgID, out.UserID = orgID, userID
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx)
	})
	if err != nil && !errors.Is(err, db.ErrNotFound) {
		return out, fmt.Errorf("hours: settings of %s: %w", userID, err)
	}
	return out, nil
}

// SaveSettings replaces a person's supervision standard.
func (s *Store) SaveSettings(ctx context.Context, st *Settings) error {
	err := s.in(ctx, st.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(st).On("CONFLICT (org_id, user_id) DO UPDATE").
			Set("standard = EXCLUDED.standard, ratio_hours = EXCLUDED.ratio_hours, quarter_minutes = EXCLUDED.quarter_minutes, updated_at = EXCLUDED.updated_at").Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("hours: save settings of %s: %w", st.UserID, err)
	}
	return nil
}

// Records lists the supervision a person recorded, oldest first.
func (s *Store) Records(ctx context.Context, orgID, superviseeID uuid.UUID) ([]Record, error) {
	var out []Record
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND supervisee_id = ?", orgID, superviseeID).OrderExpr("held_at, id").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: supervision records of %s: %w", superviseeID, err)
	}
	return out, s.open(out)
}

// AddRecord stores a supervision record; a second record of the same
// session is db.ErrConflict.
func (s *Store) AddRecord(ctx context.Context, r *Record) error {
	r.ThemesCiphertext, r.ThemesNonce, r.KeyID = nil, nil, ""
	if r.Themes != "" {
		var err error
		if r.ThemesCiphertext, r.ThemesNonce, r.KeyID, err = s.Keys.Seal(r.ID.String(), []byte(r.Themes)); err != nil {
			return fmt.Errorf("hours: seal the themes of %s: %w", r.ID, err)
		}
	}
	err := s.in(ctx, r.OrgID, func(ctx context.Context, q bun.IDB) error {
		_, err := q.NewInsert().Model(r).Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("hours: add supervision record: %w", err)
	}
	return nil
}

// ToSignOff lists the records naming the person as supervisor, those
// not signed off first.
func (s *Store) ToSignOff(ctx context.Context, orgID, supervisorID uuid.UUID) ([]Record, error) {
	var out []Record
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&out).Where("org_id = ? AND supervisor_id = ?", orgID, supervisorID).
			OrderExpr("signed_off_at IS NOT NULL, held_at DESC, id").Limit(200).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("hours: records for %s to sign off: %w", supervisorID, err)
	}
	return out, s.open(out)
}

// SignOff signs a record off as its named supervisor, once. A record of
// another organisation, or none, is db.ErrNotFound; one naming someone
// else ErrNotSupervisor; one signed already ErrSignedOff.
func (s *Store) SignOff(ctx context.Context, orgID, id, supervisorID uuid.UUID, now time.Time) error {
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		r := new(Record)
		if err := q.NewSelect().Model(r).Where("org_id = ? AND id = ?", orgID, id).Scan(ctx); err != nil {
			return err
		}
		if r.SupervisorID == nil || *r.SupervisorID != supervisorID {
			return ErrNotSupervisor
		}
		// The condition on signed_off_at makes a second sign-off, even
		// one racing the first, change nothing.
		res, err := q.NewUpdate().Model((*Record)(nil)).Set("signed_off_at = ?", now).
			Where("org_id = ? AND id = ? AND supervisor_id = ? AND signed_off_at IS NULL", orgID, id, supervisorID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrSignedOff
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("hours: sign off %s: %w", id, err)
	}
	return nil
}
