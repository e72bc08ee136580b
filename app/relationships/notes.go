package relationships

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// Note visibilities.
const (
	// Private notes are read by their author alone: not the other side,
	// not the organisation's admins. They are sealed at rest.
	Private = "private"
	// Shared notes are read by the relationship's participants.
	Shared = "shared"
)

// Note is a note on a relationship or one of its sessions.
type Note struct {
	bun.BaseModel `bun:"table:notes"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	AuthorID       uuid.UUID  `bun:"author_id,type:uuid"`
	RelationshipID uuid.UUID  `bun:"relationship_id,type:uuid"`
	SessionID      *uuid.UUID `bun:"session_id,type:uuid"`
	Visibility     string     `bun:"visibility"`
	Body           string     `bun:"body"`
	Ciphertext     []byte     `bun:"ciphertext"`
	Nonce          []byte     `bun:"nonce"`
	KeyID          string     `bun:"key_id"`
	CreatedAt      time.Time  `bun:"created_at"`
}
