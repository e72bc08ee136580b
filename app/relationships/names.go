package relationships

import (
	"context"
	"slices"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/leadershiptoolbox/toolbox/app/words"
)

// Named is a current participant of a relationship with their name.
type Named struct {
	RelationshipID uuid.UUID `bun:"relationship_id,type:uuid"`
	UserID         uuid.UUID `bun:"user_id,type:uuid"`
	Side           string    `bun:"side"`
	Name           string    `bun:"name"`
}

// Naming is what a relationship's name is made of: its kind, a group's
// title, and the people in it now.
type Naming struct {
	Kind   Kind
	Format Format
	Title  string
	People []Named
}

// NameFor is how viewer sees the relationship: a group by its title,
// anything else by its kind and the people on the other side ("Coaching
// with Mel Member"); someone who takes no part (a coordinator) sees it by
// the people supported in it. Its sessions are named the same way.
func (n Naming) NameFor(viewer uuid.UUID) string {
	if n.Title != "" {
		return n.Title
	}
	mine := ""
	for _, p := range n.People {
		if p.UserID == viewer {
			mine = p.Side
		}
	}
	var others []string
	for _, p := range n.People {
		if p.UserID == viewer || p.Name == "" {
			continue
		}
		if (mine == "" && p.Side == SideMember) || (mine != "" && p.Side != mine) {
			others = append(others, p.Name)
		}
	}
	if len(others) == 0 {
		return words.Title(string(n.Kind))
	}
	return words.Title(string(n.Kind)) + " with " + words.List(others)
}

// Choice is how a relationship reads where one is chosen from a list
// (scheduling a session): its kind and format in words, then its people,
// "Coaching, one to one, with Mel Member".
func (n Naming) Choice(viewer uuid.UUID) string {
	name := n.NameFor(viewer)
	if n.Title != "" {
		return name + " (" + words.Say(string(n.Kind)) + ", " + words.Say(string(n.Format)) + ")"
	}
	head := words.Title(string(n.Kind)) + ", " + words.Say(string(n.Format))
	if rest, ok := strings.CutPrefix(name, words.Title(string(n.Kind))); ok && rest != "" {
		return head + "," + rest
	}
	return head
}

// Namings loads what names the given relationships, by id. Ids of other
// organisations (or none) are simply absent.
func (s *Store) Namings(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]Naming, error) {
	out := map[uuid.UUID]Naming{}
	ids = slices.Compact(slices.SortedFunc(slices.Values(ids), func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) }))
	if len(ids) == 0 {
		return out, nil
	}
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		var rels []Relationship
		if err := q.NewSelect().Model(&rels).Where("org_id = ? AND id IN (?)", orgID, bun.In(ids)).Scan(ctx); err != nil {
			return err
		}
		for _, r := range rels {
			out[r.ID] = Naming{Kind: r.Kind, Format: r.Format, Title: r.Title}
		}
		var people []Named
		err := q.NewSelect().TableExpr("relationship_participants AS p").Join("JOIN users AS u ON u.id = p.user_id").
			ColumnExpr("p.relationship_id, p.user_id, p.side, u.name").
			Where("p.org_id = ? AND p.relationship_id IN (?) AND p.left_at IS NULL", orgID, bun.In(ids)).
			OrderExpr("p.side DESC, p.joined_at").Scan(ctx, &people)
		if err != nil {
			return err
		}
		for _, p := range people {
			n := out[p.RelationshipID]
			n.People = append(n.People, p)
			out[p.RelationshipID] = n
		}
		return nil
	}, "names of %d relationships", len(ids))
	return out, err
}

// NamesFor names the given relationships as viewer sees them, by id.
func (s *Store) NamesFor(ctx context.Context, orgID, viewer uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	ns, err := s.Namings(ctx, orgID, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[uuid.UUID]string, len(ns))
	for id, n := range ns {
		out[id] = n.NameFor(viewer)
	}
	return out, nil
}
