package relationships

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// ProfileTimeZone returns the time zone on a practitioner's profile in an
// organisation, or "" when they have no profile or set none; tx must be
// scoped to orgID. (Used by the calendar.)
func ProfileTimeZone(ctx context.Context, tx bun.IDB, orgID, userID uuid.UUID) (string, error) {
	var zones []string
	err := tx.NewSelect().Model((*Profile)(nil)).Column("time_zone").
		Where("org_id = ? AND user_id = ?", orgID, userID).Scan(ctx, &zones)
	if err != nil {
		return "", fmt.Errorf("relationships: time zone of %s: %w", userID, err)
	}
	if len(zones) == 0 {
		return "", nil
	}
	return zones[0], nil
}
