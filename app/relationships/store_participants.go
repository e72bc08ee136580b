package relationships

import (
	"context"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ParticipantsOf loads the current participants of several relationships
// in one query, by relationship, in the order Participants gives them
// (practitioners first, then by joining time).
func (s *Store) ParticipantsOf(ctx context.Context, orgID uuid.UUID, relationshipIDs []uuid.UUID) (map[uuid.UUID][]Participant, error) {
	out := make(map[uuid.UUID][]Participant, len(relationshipIDs))
	if len(relationshipIDs) == 0 {
		return out, nil
	}
	var rows []Participant
	err := s.in(ctx, orgID, func(ctx context.Context, q bun.IDB) error {
		return q.NewSelect().Model(&rows).
			Where("org_id = ? AND relationship_id IN (?) AND left_at IS NULL", orgID, bun.In(relationshipIDs)).
			OrderExpr("relationship_id, side DESC, joined_at").Scan(ctx)
	}, "participants of %d relationships", len(relationshipIDs))
	if err != nil {
		return nil, err
	}
	for _, p := range rows {
		out[p.RelationshipID] = append(out[p.RelationshipID], p)
	}
	return out, nil
}
