package relationships

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/db"
)

// SplitList reads a comma-separated lowercase list (kinds, topics,
// languages), dropping blanks and duplicates.
func SplitList(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		part = strings.TrimSpace(part)
		if part != "" && !slices.Contains(out, part) {
			out = append(out, part)
		}
	}
	return out
}

// KindList, TopicList and LanguageList read the profile's lists.
func (p *Profile) KindList() []string     { return SplitList(p.Kinds) }
func (p *Profile) TopicList() []string    { return SplitList(p.Topics) }
func (p *Profile) LanguageList() []string { return SplitList(p.Languages) }

// Offers reports whether the practitioner offers a practitioner kind
// (mentor, coach, supervisor).
func (p *Profile) Offers(kind string) bool { return slices.Contains(p.KindList(), kind) }

// PractitionerKind is the practitioner kind that gives a kind of support.
func PractitionerKind(k Kind) string {
	switch k {
	case Mentoring:
		return "mentor"
	case Coaching:
		return "coach"
	case Supervision:
		return "supervisor"
	}
	return ""
}

// NewProfile is the profile a practitioner starts from.
func NewProfile(orgID, userID uuid.UUID, kinds []string) *Profile {
	return &Profile{OrgID: orgID, UserID: userID, Kinds: strings.Join(kinds, ","), Languages: "en", Capacity: 3, Accepting: true}
}

// ProfileOf loads a practitioner's profile, or db.ErrNotFound.
func (s *Store) ProfileOf(ctx context.Context, orgID, userID uuid.UUID) (*Profile, error) {
	p := new(Profile)
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(p).Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: profile of %s: %w", userID, db.Classify(err))
	}
	return p, nil
}

// SaveProfile creates or updates a practitioner's profile (not the
// trained-mentor mark, which only MarkTrainedMentor sets).
func (s *Store) SaveProfile(ctx context.Context, orgID uuid.UUID, now time.Time, p *Profile) error {
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		p.OrgID, p.UpdatedAt = orgID, now
		if p.ID == uuid.Nil {
			p.ID, p.CreatedAt = uuid.Must(uuid.NewV7()), now
		}
		_, err := tx.NewInsert().Model(p).
			On("CONFLICT (org_id, user_id) DO UPDATE").
			Set("kinds = EXCLUDED.kinds, topics = EXCLUDED.topics, languages = EXCLUDED.languages").
			Set("capacity = EXCLUDED.capacity, time_zone = EXCLUDED.time_zone, bio = EXCLUDED.bio").
			Set("accepting = EXCLUDED.accepting, updated_at = EXCLUDED.updated_at").
			Exec(ctx)
		return err
	})
	if err != nil {
		return fmt.Errorf("relationships: save profile of %s: %w", p.UserID, err)
	}
	return nil
}

// MarkTrainedMentor records that a person completed mentor training (the
// courses feature calls it in its own tenant transaction), creating their
// profile when they have none yet. Marking again keeps the first date.
func MarkTrainedMentor(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID, at time.Time) error {
	p := NewProfile(orgID, userID, nil)
	p.ID, p.TrainedMentorAt, p.CreatedAt, p.UpdatedAt = uuid.Must(uuid.NewV7()), &at, at, at
	_, err := tx.NewInsert().Model(p).
		On("CONFLICT (org_id, user_id) DO UPDATE").
		Set("trained_mentor_at = COALESCE(profile.trained_mentor_at, EXCLUDED.trained_mentor_at)").
		Set("updated_at = EXCLUDED.updated_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("relationships: mark %s a trained mentor: %w", userID, err)
	}
	return nil
}

// Profiles lists every practitioner profile of an organisation.
func (s *Store) Profiles(ctx context.Context, orgID uuid.UUID) ([]Profile, error) {
	var out []Profile
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		out, err = ProfilesTx(ctx, tx, orgID)
		return err
	})
	return out, err
}

// ProfilesTx is Profiles in the caller's transaction.
func ProfilesTx(ctx context.Context, tx bun.IDB, orgID uuid.UUID) ([]Profile, error) {
	var out []Profile
	if err := tx.NewSelect().Model(&out).Where("org_id = ?", orgID).OrderExpr("created_at").Scan(ctx); err != nil {
		return nil, fmt.Errorf("relationships: profiles: %w", err)
	}
	return out, nil
}

// LockProfileTx locks a practitioner's profile row for the rest of the
// transaction (Postgres; SQLite's immediate transactions serialise
// writers already), so that capacity checks and the relationship they
// admit happen one at a time per practitioner.
func LockProfileTx(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID) (*Profile, error) {
	p := new(Profile)
	q := db.ForUpdate(tx.NewSelect().Model(p).Where("org_id = ? AND user_id = ?", orgID, userID))
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("relationships: lock profile of %s: %w", userID, db.Classify(err))
	}
	return p, nil
}

// ActiveCountTx counts the relationships a practitioner holds that use
// capacity (proposed, active or paused).
func ActiveCountTx(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID) (int, error) {
	n, err := tx.NewSelect().TableExpr("relationships AS r").
		Join("JOIN relationship_participants AS p ON p.org_id = r.org_id AND p.relationship_id = r.id").
		Where("r.org_id = ? AND p.user_id = ? AND p.side = ? AND p.left_at IS NULL", orgID, userID, SidePractitioner).
		Where("r.status IN (?)", bun.In([]Status{StatusProposed, StatusActive, StatusPaused})).
		Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("relationships: count active of %s: %w", userID, err)
	}
	return int(n), nil
}

// ActiveCounts counts, per practitioner, the relationships using capacity.
func (s *Store) ActiveCounts(ctx context.Context, orgID uuid.UUID) (map[uuid.UUID]int, error) {
	out := map[uuid.UUID]int{}
	err := s.DB.InTenant(ctx, orgID, func(ctx context.Context, tx bun.Tx) error {
		var rows []struct {
			UserID uuid.UUID `bun:"user_id,type:uuid"`
			N      int       `bun:"n"`
		}
		err := tx.NewSelect().TableExpr("relationships AS r").
			Join("JOIN relationship_participants AS p ON p.org_id = r.org_id AND p.relationship_id = r.id").
			ColumnExpr("p.user_id, count(*) AS n").
			Where("r.org_id = ? AND p.side = ? AND p.left_at IS NULL", orgID, SidePractitioner).
			Where("r.status IN (?)", bun.In([]Status{StatusProposed, StatusActive, StatusPaused})).
			GroupExpr("p.user_id").Scan(ctx, &rows)
		for _, r := range rows {
			out[r.UserID] = r.N
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("relationships: active counts: %w", err)
	}
	return out, nil
}
