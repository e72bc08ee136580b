package tenancy

import (
	"context"
	"slices"

	"github.com/google/uuid"
)

// Names returns the names of the given people of an organisation, by
// user id. Pages that show a few names read just those, never the whole
// roster, so that their cost follows what they show, not the size of the
// organisation. People who left (or were never members) are absent.
func (s *Store) Names(ctx context.Context, orgID uuid.UUID, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	out := make(map[uuid.UUID]string, len(ids))
	ids = slices.Clone(ids)
	slices.SortFunc(ids, func(a, b uuid.UUID) int { return slices.Compare(a[:], b[:]) })
	ids = slices.Compact(ids)
	for chunk := range slices.Chunk(ids, 500) {
		people, err := s.People(ctx, orgID, PeopleFilter{UserIDs: chunk, Limit: len(chunk)})
		if err != nil {
			return nil, err
		}
		for _, p := range people {
			out[p.UserID] = p.Name
		}
	}
	return out, nil
}
