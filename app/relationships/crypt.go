package relationships

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Keyring seals private notes with AES-256-GCM: the newest key encrypts,
// any listed key decrypts, so that keys can be rotated by putting a new
// one first and keeping the old ones until every note was re-sealed.
type Keyring struct {
	ids  []string
	keys map[string]cipher.AEAD
}

// DerivedKeyID names the key derived from the secret key.
const DerivedKeyID = "k0"

// NewKeyring reads keys as "id:base64key,..." newest first (each key 32
// bytes). When spec is empty, one key is derived from secret with HKDF.
func NewKeyring(spec, secret string) (*Keyring, error) {
	k := &Keyring{keys: map[string]cipher.AEAD{}}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		if secret == "" {
			return nil, errors.New("relationships: no key for private notes: set the secret key or the notes keys")
		}
		raw, err := DeriveNotesKey(secret)
		if err != nil {
			return nil, err
		}
		return k, k.add(DerivedKeyID, raw)
	}
	for _, part := range strings.Split(spec, ",") {
		id, b64, ok := strings.Cut(strings.TrimSpace(part), ":")
		if !ok || id == "" {
			return nil, errors.New("relationships: notes keys must look like id:base64key,id2:base64key2")
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("relationships: notes key %q must be 32 bytes in base64", id)
		}
		if _, dup := k.keys[id]; dup {
			return nil, fmt.Errorf("relationships: notes key id %q is listed twice", id)
		}
		if err := k.add(id, raw); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// DeriveNotesKey derives the 32-byte notes key from the secret key with
// HKDF-SHA256. Operators moving to listed keys keep it as "k0:<base64>".
func DeriveNotesKey(secret string) ([]byte, error) {
	raw, err := hkdf.Key(sha256.New, []byte(secret), nil, "leadership-toolbox private notes v1", 32)
	if err != nil {
		return nil, fmt.Errorf("relationships: derive notes key: %w", err)
	}
	return raw, nil
}

func (k *Keyring) add(id string, raw []byte) error {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return fmt.Errorf("relationships: notes key %q: %w", id, err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return fmt.Errorf("relationships: notes key %q: %w", id, err)
	}
	k.ids = append(k.ids, id)
	k.keys[id] = aead
	return nil
}

// Newest is the id of the key that encrypts.
func (k *Keyring) Newest() string { return k.ids[0] }

// Seal encrypts plaintext with the newest key and a fresh random nonce.
// The note id is bound as additional data, so that a ciphertext cannot be
// moved onto another note.
func (k *Keyring) Seal(noteID string, plaintext []byte) (ciphertext, nonce []byte, keyID string, err error) {
	keyID = k.Newest()
	aead := k.keys[keyID]
	nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, "", fmt.Errorf("relationships: nonce: %w", err)
	}
	return aead.Seal(nil, nonce, plaintext, []byte(noteID)), nonce, keyID, nil
}

// ErrUnknownKey is returned for a note sealed with a key no longer listed.
var ErrUnknownKey = errors.New("relationships: the note's key is not configured")

// Open decrypts a note sealed under keyID.
func (k *Keyring) Open(noteID string, ciphertext, nonce []byte, keyID string) ([]byte, error) {
	aead, ok := k.keys[keyID]
	if !ok {
		return nil, ErrUnknownKey
	}
	if len(nonce) != aead.NonceSize() {
		return nil, errors.New("relationships: bad nonce")
	}
	pt, err := aead.Open(nil, nonce, ciphertext, []byte(noteID))
	if err != nil {
		return nil, fmt.Errorf("relationships: open note: %w", err)
	}
	return pt, nil
}
