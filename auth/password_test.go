package auth

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastParams keep the tests quick; the encoding is the same.
var fastParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	h1, err := HashPassword("热力公司值班-2025", fastParams)
	require.NoError(t, err)
	h2, err := HashPassword("热力公司值班-2025", fastParams)
	require.NoError(t, err)
	assert.NotEqual(t, h1, h2, "salts must differ")
	assert.True(t, strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$"), h1)

	ok, err := VerifyPassword(h1, "热力公司值班-2025")
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = VerifyPassword(h1, "热力公司值班-2026")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestVerifyDefaultParams(t *testing.T) {
	h, err := HashPassword("a long enough secret", DefaultParams())
	require.NoError(t, err)
	assert.Contains(t, h, "$m=19456,t=2,p=1$")
	ok, err := VerifyPassword(h, "a long enough secret")
	require.NoError(t, err)
	assert.True(t, ok)
}

func TestVerifyMalformed(t *testing.T) {
	good, err := HashPassword("a long enough secret", fastParams)
	require.NoError(t, err)
	parts := strings.Split(good, "$")
	bad := map[string]string{
		"empty":          "",
		"bcrypt":         "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":        strings.Replace(good, "argon2id", "argon2i", 1),
		"version":        strings.Replace(good, "v=19", "v=16", 1),
		"params garbage": strings.Replace(good, parts[3], "m=x", 1),
		"huge memory":    strings.Replace(good, parts[3], "m=99999999,t=1,p=1", 1),
		"zero time":      strings.Replace(good, parts[3], "m=64,t=0,p=1", 1),
		"salt":           strings.Replace(good, parts[4], "!!!", 1),
		"short key":      strings.Replace(good, parts[5], "AAAA", 1),
	}
	for name, enc := range bad {
		_, err := VerifyPassword(enc, "a long enough secret")
		assert.ErrorIs(t, err, ErrMalformedHash, name)
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		user, pw string
		wantErr  string
	}{
		{"li.na", "", "empty"},
		{"li.na", "short1", "too short"},
		{"li.na", strings.Repeat("x", 257), "too long"},
		{"li.na", "aaaaaaaaaaaa", "different characters"},
		{"li.na", "abababababab", "different characters"},
		{"li.na", "my-li.na-password", "username"},
		{"li.na", "Password123", "commonly used"},
		{"li.na", "iloveyou12", "commonly used"},
		{"li.na", "!Dragon2024", "commonly used"},
		{"li.na", "woaini1314", "commonly used"},
		{"li.na", "123456789012", "commonly used"},
		{"li.na", "34567890123", "predictable"},
		{"li.na", "9876543210987", "predictable"},
		{"li.na", "abcdefghijkl", "predictable"},
		{"li.na", "2023-12-25 热线", ""},
		{"li.na", "tab\there-is-bad", "control"},
		{"li.na", "暖气不热请您别着急", "too short"},
		{"li.na", "暖气不热请您别着急了吧", ""},
		{"li.na", "correct horse battery", ""},
	}
	for _, tt := range tests {
		err := CheckPassword(tt.user, tt.pw)
		if tt.wantErr == "" {
			assert.NoError(t, err, tt.pw)
		} else {
			assert.ErrorContains(t, err, tt.wantErr, tt.pw)
		}
	}
}

func TestNormalizeUsername(t *testing.T) {
	tests := []struct {
		in, want, wantErr string
	}{
		{"  Li.Na ", "li.na", ""},
		{"张伟", "张伟", ""},
		{"wang_01-b", "wang_01-b", ""},
		{"a", "", "2 to 64"},
		{"", "", "2 to 64"},
		{strings.Repeat("z", 65), "", "2 to 64"},
		{"li na", "", "only letters"},
		{"li@na", "", "only letters"},
	}
	for _, tt := range tests {
		got, err := NormalizeUsername(tt.in)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got)
	}
}

func TestTokens(t *testing.T) {
	a, err := NewToken()
	require.NoError(t, err)
	b, err := NewToken()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.Len(t, a, 43)
	assert.Len(t, HashToken(a), 64)
	assert.Equal(t, HashToken(a), HashToken(a))
	assert.NotEqual(t, HashToken(a), HashToken(b))
}

// BenchmarkHashDefault measures what one login costs the server.
func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword("a long enough secret", DefaultParams()); err != nil {
			b.Fatal(err)
		}
	}
}
