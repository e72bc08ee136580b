// Package hours keeps a practitioner's professional record: the coaching
// and mentoring hours logs, built from the sessions they held and the mode
// switches recorded in them (never typed twice), manual entries for work
// outside the organisation, and the supervision log with its ratio to
// practice. A person's logs are theirs alone: no admin page and no
// organisation report reads these tables.
package hours

import (
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// The two practice logs.
const (
	LogCoaching  = "coaching"
	LogMentoring = "mentoring"
)

// Formats of a piece of work, as accrediting bodies ask for them.
const (
	Individual = "individual"
	Group      = "group"
)

// Standards a practitioner can choose for their supervision.
const (
	// StandardRatio: one hour of supervision per RatioHours of practice.
	StandardRatio = "ratio"
	// StandardQuarter: QuarterMinutes of supervision in every three months.
	StandardQuarter = "quarter"
)

// Entry is work outside the organisation, entered by hand.
type Entry struct {
	bun.BaseModel `bun:"table:hours_entries"`

	ID        uuid.UUID `bun:"id,pk,type:uuid"`
	OrgID     uuid.UUID `bun:"org_id,type:uuid"`
	UserID    uuid.UUID `bun:"user_id,type:uuid"`
	Log       string    `bun:"log"`
	Client    string    `bun:"client"`
	Contact   string    `bun:"contact"`
	Format    string    `bun:"format"`
	GroupSize int       `bun:"group_size"`
	Paid      bool      `bun:"paid"`
	FirstOn   time.Time `bun:"first_on"`
	LastOn    time.Time `bun:"last_on"`
	Minutes   int       `bun:"minutes"`
	CreatedAt time.Time `bun:"created_at"`
}

// Client is the practitioner's setting for one client (relationship):
// paid or pro bono, and the pseudonym shown unless the client consents to
// be named.
type Client struct {
	bun.BaseModel `bun:"table:hours_clients"`

	OrgID          uuid.UUID `bun:"org_id,pk,type:uuid"`
	PractitionerID uuid.UUID `bun:"practitioner_id,pk,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,pk,type:uuid"`
	Paid           bool      `bun:"paid"`
	Pseudonym      string    `bun:"pseudonym"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// Consent is a client's own say over what their practitioners' logs show
// of them: their name, their contact.
type Consent struct {
	bun.BaseModel `bun:"table:hours_consents"`

	OrgID          uuid.UUID `bun:"org_id,pk,type:uuid"`
	RelationshipID uuid.UUID `bun:"relationship_id,pk,type:uuid"`
	MemberID       uuid.UUID `bun:"member_id,pk,type:uuid"`
	Named          bool      `bun:"named"`
	Contact        bool      `bun:"contact"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// Settings are a practitioner's chosen supervision standard.
type Settings struct {
	bun.BaseModel `bun:"table:hours_settings"`

	OrgID          uuid.UUID `bun:"org_id,pk,type:uuid"`
	UserID         uuid.UUID `bun:"user_id,pk,type:uuid"`
	Standard       string    `bun:"standard"`
	RatioHours     int       `bun:"ratio_hours"`
	QuarterMinutes int       `bun:"quarter_minutes"`
	UpdatedAt      time.Time `bun:"updated_at"`
}

// DefaultSettings is the standard until a practitioner chooses one: one
// hour of supervision a quarter (EMCC's EIA asks this at every level).
func DefaultSettings() Settings {
	return Settings{Standard: StandardQuarter, RatioHours: 35, QuarterMinutes: 60}
}

// Record is supervision received: from a completed supervision session
// the person attended (SessionID), or entered by hand. The named
// supervisor (SupervisorID) signs it off, once; an outside supervisor is a
// name only.
type Record struct {
	bun.BaseModel `bun:"table:supervision_records"`

	ID             uuid.UUID  `bun:"id,pk,type:uuid"`
	OrgID          uuid.UUID  `bun:"org_id,type:uuid"`
	SuperviseeID   uuid.UUID  `bun:"supervisee_id,type:uuid"`
	SupervisorID   *uuid.UUID `bun:"supervisor_id,type:uuid"`
	SupervisorName string     `bun:"supervisor_name"`
	Format         string     `bun:"format"`
	Minutes        int        `bun:"minutes"`
	HeldAt         time.Time  `bun:"held_at"`
	// Themes are sealed at rest (ThemesCiphertext, ThemesNonce, KeyID)
	// like private notes; the store seals and opens them.
	Themes           string     `bun:"-"`
	ThemesCiphertext []byte     `bun:"themes_ciphertext"`
	ThemesNonce      []byte     `bun:"themes_nonce"`
	KeyID            string     `bun:"key_id"`
	Link             string     `bun:"link"`
	SessionID        *uuid.UUID `bun:"session_id,type:uuid"`
	SignedOffAt      *time.Time `bun:"signed_off_at"`
	CreatedAt        time.Time  `bun:"created_at"`
}

// Held is one completed session, as the logs read it.
type Held struct {
	ID             uuid.UUID `bun:"id"`
	RelationshipID uuid.UUID `bun:"relationship_id"`
	Kind           string    `bun:"kind"`
	Format         string    `bun:"format"`
	Title          string    `bun:"title"`
	PractitionerID uuid.UUID `bun:"practitioner_id"`
	StartsAt       time.Time `bun:"starts_at"`
	EndsAt         time.Time `bun:"ends_at"`
	Capacity       int       `bun:"capacity"`
	Attended       int       `bun:"attended"`
}

// Member is a client of a relationship (its member side).
type Member struct {
	RelationshipID uuid.UUID `bun:"relationship_id"`
	UserID         uuid.UUID `bun:"user_id"`
	Name           string    `bun:"name"`
	Email          string    `bun:"email"`
}
