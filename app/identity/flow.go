package identity

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Flow is a sign-in under way, kept sealed in the person's browser (an
// HttpOnly cookie on /login/sso) between leaving for the provider and
// coming back: nothing is stored for people who never come back.
type Flow struct {
	OrgID      uuid.UUID `json:"o"`
	ProviderID uuid.UUID `json:"p"`
	State      string    `json:"s"`
	Nonce      string    `json:"n"`
	Verifier   string    `json:"v"`
	Email      string    `json:"e"`
	Next       string    `json:"x"`
	Expires    time.Time `json:"t"`
}

// PendingLink is an existing account waiting for its holder's password
// before the provider's subject is linked to it, kept sealed like a Flow.
type PendingLink struct {
	OrgID   uuid.UUID `json:"o"`
	UserID  uuid.UUID `json:"u"`
	Issuer  string    `json:"i"`
	Subject string    `json:"s"`
	Email   string    `json:"e"`
	Next    string    `json:"x"`
	Expires time.Time `json:"t"`
}

// The additional data each kind of sealed value is bound to, so that one
// cannot be passed off as the other.
const (
	adFlow    = "identity-flow"
	adPending = "identity-pending-link"
)

// SealFlow and OpenFlow write a flow as a cookie value and read it back.
func (s *Service) SealFlow(f *Flow) (string, error) { return s.seal(adFlow, f) }
func (s *Service) OpenFlow(raw string) (*Flow, error) {
	f := new(Flow)
	return f, s.open(adFlow, raw, f)
}
func (s *Service) SealPending(p *PendingLink) (string, error) { return s.seal(adPending, p) }

// OpenPending reads a pending link back from its cookie value.
func (s *Service) OpenPending(raw string) (*PendingLink, error) {
	p := new(PendingLink)
	return p, s.open(adPending, raw, p)
}

func (s *Service) seal(ad string, v any) (string, error) {
	pt, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("identity: seal %s: %w", ad, err)
	}
	ct, nonce, keyID, err := s.Keys.Seal(ad, pt)
	if err != nil {
		return "", fmt.Errorf("identity: seal %s: %w", ad, err)
	}
	enc := base64.RawURLEncoding
	return keyID + "." + enc.EncodeToString(nonce) + "." + enc.EncodeToString(ct), nil
}

func (s *Service) open(ad, raw string, v any) error {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return ErrFlowMissing
	}
	enc := base64.RawURLEncoding
	nonce, err1 := enc.DecodeString(parts[1])
	ct, err2 := enc.DecodeString(parts[2])
	if err := errors.Join(err1, err2); err != nil {
		return ErrFlowMissing
	}
	pt, err := s.Keys.Open(ad, ct, nonce, parts[0])
	if err != nil {
		return ErrFlowMissing
	}
	if err := json.Unmarshal(pt, v); err != nil {
		return ErrFlowMissing
	}
	return nil
}
