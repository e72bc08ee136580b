package tenancy

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// OrgIDs lists the ids of every organisation, for operator commands that
// visit each tenant in turn (such as resealing private notes).
func OrgIDs(ctx context.Context, idb bun.IDB) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	if err := idb.NewSelect().Model((*Organisation)(nil)).Column("id").Order("id").Scan(ctx, &ids); err != nil {
		return nil, fmt.Errorf("tenancy: list organisations: %w", err)
	}
	return ids, nil
}
