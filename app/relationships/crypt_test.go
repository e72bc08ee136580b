package relationships

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"
)

func TestKeyringSealsAndRotates(t *testing.T) {
	derived, err := NewKeyring("", "a-secret-key-of-enough-length-0123456789")
	if err != nil || derived.Newest() != DerivedKeyID {
		t.Fatalf("derived keyring: %v", err)
	}
	ct, nonce, keyID, err := derived.Seal("note-1", []byte("between us"))
	if err != nil || bytes.Contains(ct, []byte("between us")) || keyID != DerivedKeyID {
		t.Fatalf("seal: %v", err)
	}
	// Each seal uses a fresh nonce.
	_, nonce2, _, _ := derived.Seal("note-1", []byte("between us"))
	if bytes.Equal(nonce, nonce2) {
		t.Fatal("nonce reused")
	}
	if pt, err := derived.Open("note-1", ct, nonce, keyID); err != nil || string(pt) != "between us" {
		t.Fatalf("open: %q, %v", pt, err)
	}
	// Bound to its note: moving the ciphertext to another note fails.
	if _, err := derived.Open("note-2", ct, nonce, keyID); err == nil {
		t.Fatal("a sealed note opened under another note's id")
	}

	k1 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 32))
	k2 := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{2}, 32))
	old, err := NewKeyring("k1:"+k1, "")
	if err != nil {
		t.Fatal(err)
	}
	ct, nonce, keyID, _ = old.Seal("n", []byte("old secret"))
	rotated, err := NewKeyring("k2:"+k2+", k1:"+k1, "")
	if err != nil || rotated.Newest() != "k2" {
		t.Fatalf("rotated keyring: %v", err)
	}
	if pt, err := rotated.Open("n", ct, nonce, keyID); err != nil || string(pt) != "old secret" {
		t.Fatalf("an old key no longer opens its notes: %v", err)
	}
	if _, _, id, _ := rotated.Seal("n", []byte("x")); id != "k2" {
		t.Fatalf("sealed with %s, want the newest key", id)
	}
	onlyNew, _ := NewKeyring("k2:"+k2, "")
	if _, err := onlyNew.Open("n", ct, nonce, keyID); err != ErrUnknownKey {
		t.Fatalf("a dropped key = %v", err)
	}
	for _, bad := range []string{"nocolon", "k1:not-base64!", "k1:" + base64.StdEncoding.EncodeToString([]byte("short")), "k1:" + k1 + ",k1:" + k2} {
		if _, err := NewKeyring(bad, "secret"); err == nil || strings.Contains(err.Error(), k1) {
			t.Errorf("NewKeyring(%q) accepted, or its error shows the key", bad)
		}
	}
}
