// Package auth holds the account primitives the server and the command line
// share: password hashing with argon2id, password and username rules, and
// session tokens.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters. They are written into every hash, so
// raising them later leaves existing hashes verifiable.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultParams returns OWASP's recommended argon2id costs: 19 MiB, two
// passes, one lane. That keeps a login cheap for the server and a guess
// expensive for an attacker.
func DefaultParams() Params {
	return Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}
}

// Limits on the parameters accepted from a stored hash, so that a tampered
// row cannot make one login allocate gigabytes.
const (
	maxMemory  = 256 * 1024
	maxTime    = 10
	maxThreads = 16
)

// ErrMalformedHash reports a stored password hash that cannot be parsed.
var ErrMalformedHash = errors.New("malformed password hash")

// HashPassword returns an encoded argon2id hash of password with a random
// salt, in the usual $argon2id$v=19$m=…,t=…,p=…$salt$key form.
func HashPassword(password string, p Params) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the encoded hash. The
// comparison takes the same time wherever the keys differ.
func VerifyPassword(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false, fmt.Errorf("%w: not an argon2id hash", ErrMalformedHash)
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, fmt.Errorf("%w: version %q", ErrMalformedHash, parts[2])
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, fmt.Errorf("%w: parameters %q", ErrMalformedHash, parts[3])
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime || p.Threads == 0 || p.Threads > maxThreads {
		return false, fmt.Errorf("%w: parameters %q out of range", ErrMalformedHash, parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return false, fmt.Errorf("%w: salt", ErrMalformedHash)
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 128 {
		return false, fmt.Errorf("%w: key", ErrMalformedHash)
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(want))) // #nosec G115 -- len(want) is checked to be 16..128 above
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// Password length limits, in characters. The upper one bounds the work a
// single login request can ask of the hash function.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// isCommonPassword reports whether a lower-cased password is one of the
// common ones long enough to pass the length rule, which already excludes
// most of the world's favourites.
func isCommonPassword(lower string) bool {
	switch lower {
	case "1234567890", "12345678910", "0123456789", "qwertyuiop", "1q2w3e4r5t",
		"password123", "password1234", "iloveyou123", "a123456789", "qwerty123456", "1qaz2wsx3edc",
		"abcd123456", "5201314520", "woaini1314", "admin12345", "administrator", "changeme123":
		return true
	}
	return false
}

// CheckPassword returns an error saying why password is too weak to accept,
// or nil. The username is passed so a password cannot merely repeat it.
func CheckPassword(username, password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case password == "":
		return errors.New("password is empty")
	case !utf8.ValidString(password):
		return errors.New("password is not valid UTF-8")
	case n < MinPasswordLen:
		return fmt.Errorf("password is too short: %d characters, at least %d needed", n, MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("password is too long: %d characters, at most %d allowed", n, MaxPasswordLen)
	}
	for _, r := range password {
		if unicode.IsControl(r) {
			return errors.New("password contains a control character")
		}
	}
	lower := strings.ToLower(password)
	if username != "" && strings.Contains(lower, strings.ToLower(username)) {
		return errors.New("password must not contain the username")
	}
	distinct := map[rune]bool{}
	for _, r := range lower {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return fmt.Errorf("password uses only %d different characters, at least 4 needed", len(distinct))
	}
	if isCommonPassword(lower) {
		return errors.New("password is on the list of commonly used passwords")
	}
	return nil
}

// Username length limits, in characters.
const (
	MinUsernameLen = 2
	MaxUsernameLen = 64
)

// NormalizeUsername trims and lower-cases a username and checks it: letters
// (Chinese included), digits and . _ - only. Usernames are stored and looked
// up in this form, so "Li.Na " and "li.na" are one account.
func NormalizeUsername(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	n := utf8.RuneCountInString(name)
	if n < MinUsernameLen || n > MaxUsernameLen {
		return "", fmt.Errorf("username must be %d to %d characters, got %d", MinUsernameLen, MaxUsernameLen, n)
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '.' && r != '_' && r != '-' {
			return "", fmt.Errorf("username contains %q: only letters, digits, '.', '_' and '-' are allowed", r)
		}
	}
	return name, nil
}

// NewToken returns a random 256-bit token, URL-safe, for session cookies and
// CSRF tokens.
func NewToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// HashToken returns the form in which a session token is stored. A fast hash
// is enough: the token is random and long, so there is nothing to guess.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
