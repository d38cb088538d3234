// Package auth holds the account primitives the server and the command line
// share: password hashing with argon2id, password and username rules, and
// session tokens.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
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

// commonPasswordFile is a maintained list of the passwords people use
// most, one a line, lower-cased; lines starting with '#' are comments.
// Source: the npm package @zxcvbn-ts/language-common 4.1.3,
// src/passwords.json (49,233 entries, from zxcvbn's frequency lists),
// entries shorter than 4 characters dropped. Licence: MIT, Copyright (c)
// 2012-2016 Dan Wheeler and Dropbox, Inc., Copyright (c) 2021 @zxcvbn-ts;
// the notice is kept at the top of the file.
//
//go:embed common-passwords.txt
var commonPasswordFile string

// commonPasswords is the list as a set, built on first use.
var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 50000)
	for line := range strings.Lines(commonPasswordFile) {
		line = strings.TrimSpace(line)
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// isCommonPassword reports whether a lower-cased password is on the list,
// or is a listed one with digits or punctuation added before or after
// ("iloveyou12", "!password2024").
func isCommonPassword(lower string) bool {
	set := commonPasswords()
	if _, ok := set[lower]; ok {
		return true
	}
	core := strings.TrimFunc(lower, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	if utf8.RuneCountInString(core) < 4 {
		return false
	}
	_, ok := set[core]
	return ok
}

// MinVariety is how many characters of a password must not merely continue
// a run (the same character again, or the next or previous one: "aaaa",
// "1234", "9876", "7890") for it to count as strong enough.
const MinVariety = 5

// variety counts the characters of s that do not continue a run.
func variety(s string) int {
	n := 0
	var prev rune = -10
	for _, r := range s {
		d := r - prev
		if unicode.IsDigit(r) && unicode.IsDigit(prev) {
			d = (d + 10) % 10 // 9 then 0 continues 7890
			if d == 9 {
				d = -1
			}
		}
		if d < -1 || d > 1 {
			n++
		}
		prev = r
	}
	return n
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
	if v := variety(lower); v < MinVariety {
		return fmt.Errorf("password is too predictable: only %d characters break a run like 1234 or aaaa, at least %d needed", v, MinVariety)
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
