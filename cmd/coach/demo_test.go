package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	demo := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runDemo(context.Background(), append([]string{"--data", dir}, args...), strings.NewReader(stdin), &out, &errOut)
		return out.String(), err
	}
	const password = "热线演示账号的登录密码\n"

	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantErr   string
		wantUsage bool
	}{
		{"no --password-stdin", password, []string{"--trainees", "3"}, "--password-stdin is required", true},
		{"no trainees", password, []string{"--trainees", "0", "--password-stdin"}, "--trainees: want 1 to 9999", true},
		{"negative attempts", password, []string{"--attempts", "-1", "--password-stdin"}, "--attempts: want 0 to", true},
		{"too many attempts", password, []string{"--attempts", "10000001", "--password-stdin"}, "--attempts: want 0 to", true},
		{"weak password", "short1\n", []string{"--password-stdin"}, "weak password", false},
		{"stray argument", password, []string{"--password-stdin", "extra"}, `unexpected argument "extra"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := demo(tt.stdin, tt.args...)
			require.ErrorContains(t, err, tt.wantErr)
			assert.Equal(t, tt.wantUsage, isUsage(err), "usage error: %v", err)
		})
	}

	out, err := demo(password, "--trainees", "4", "--attempts", "120", "--password-stdin")
	require.NoError(t, err)
	assert.Contains(t, out, "1 teams, 4 trainees")
	assert.Contains(t, out, "demo-trainee-0001 to demo-trainee-0004")

	db, err := store.Open(context.Background(), filepath.Join(dir, "coach.db"))
	require.NoError(t, err)
	defer db.Close()
	for _, name := range []string{"demo-manager", "demo-trainer", "demo-trainee-0004"} {
		u, err := db.UserByUsername(context.Background(), name)
		require.NoError(t, err, name)
		ok, err := auth.VerifyPassword(u.PasswordHash, strings.TrimSpace(password))
		require.NoError(t, err)
		assert.True(t, ok, "%s signs in with the given password", name)
	}

	_, err = demo(password, "--trainees", "4", "--attempts", "120", "--password-stdin")
	assert.ErrorContains(t, err, "already holds demo data", "a second run is refused")
}
