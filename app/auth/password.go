package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/leadershiptoolbox/toolbox/app/web"
)

// Argon2id parameters: OWASP's recommended minimum (19 MiB, 2 passes).
const (
	argonMemory  = 19 * 1024
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	saltLen      = 16
)

// hashing holds a token for each argon2id computation under way, at most
// one per CPU. Each takes 19 MiB: more at once than there are CPUs to run
// them adds memory and no speed (ten concurrent sign-ins took the process
// to 900 MB). The limit is the process's, like its memory, so it is kept
// here rather than wired in.
var hashing = make(chan struct{}, runtime.GOMAXPROCS(0))

// hashWait is how long a password waits for its turn before the person is
// asked to try again (a burst of 50 sign-ins on two CPUs clears in about a
// second).
const hashWait = 3 * time.Second

// withHashingTurn runs fn when a CPU is free for it, or fails with
// web.ErrBusy (503, "try again") after hashWait.
func withHashingTurn(fn func()) error {
	timer := time.NewTimer(hashWait)
	defer timer.Stop()
	select {
	case hashing <- struct{}{}:
	case <-timer.C:
		return fmt.Errorf("auth: every CPU is hashing passwords: %w", web.ErrBusy)
	}
	defer func() { <-hashing }()
	fn()
	return nil
}

// HashPassword returns an argon2id hash in the PHC string format, which
// records its parameters so that they can be raised later.
func HashPassword(password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	var key []byte
	if err := withHashingTurn(func() {
		key = argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	}); err != nil {
		return "", err
	}
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

var errBadHash = errors.New("auth: malformed password hash")

// CheckPassword reports whether password matches hash, in constant time.
func CheckPassword(hash, password string) (bool, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, errBadHash
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, errBadHash
	}
	var memory, time uint32
	var threads uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil || memory == 0 || time == 0 || threads == 0 {
		return false, errBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, errBadHash
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, errBadHash
	}
	var got []byte
	if err := withHashingTurn(func() {
		got = argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	}); err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummyHash is compared against when the account does not exist, so that
// sign-in takes as long either way and does not reveal which e-mails exist.
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$LBF1Fd/Qbc+0FxrcTz5FZWsHvQ4oEW80S8WYVCnC3L4"

// passwordProblem says what is wrong with a new password, or "".
func passwordProblem(password, email string) string {
	switch {
	case len(password) < 10:
		return "Use at least 10 characters."
	case len(password) > 200:
		return "Use at most 200 characters."
	case strings.EqualFold(password, email):
		return "Your password must not be your e-mail address."
	}
	return ""
}

// PasswordProblem says what is wrong with a new password, or "".
func PasswordProblem(password, email string) string { return passwordProblem(password, email) }
