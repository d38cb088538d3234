package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestUserAdd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	add := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runUser(context.Background(), append([]string{"add", "--data", dir}, args...), strings.NewReader(stdin), &out, &errOut)
		return out.String(), err
	}

	out, err := add("热线值班员第一天上岗\n", "--username", "Li.Na", "--role", "admin", "--team", "东区", "--password-stdin")
	require.NoError(t, err)
	assert.Equal(t, "created admin li.na (id 1)\n", out)

	tests := []struct {
		name      string
		stdin     string
		args      []string
		wantErr   string
		wantUsage bool
	}{
		{"duplicate", "another good password\n", []string{"--username", "li.na", "--role", "trainee", "--password-stdin"}, `user "li.na" already exists`, false},
		{"bad role", "another good password\n", []string{"--username", "wang", "--role", "boss", "--password-stdin"}, `"boss" is not a role`, true},
		{"no role", "another good password\n", []string{"--username", "wang", "--password-stdin"}, "--role is required", true},
		{"no username", "another good password\n", []string{"--role", "trainee", "--password-stdin"}, "--username is required", true},
		{"bad username", "another good password\n", []string{"--username", "wang wei", "--role", "trainee", "--password-stdin"}, "only letters", true},
		{"no --password-stdin", "another good password\n", []string{"--username", "wang", "--role", "trainee"}, "--password-stdin is required", true},
		{"empty stdin", "", []string{"--username", "wang", "--role", "trainee", "--password-stdin"}, "empty line", false},
		{"empty line", "\nsecond line is ignored\n", []string{"--username", "wang", "--role", "trainee", "--password-stdin"}, "empty line", false},
		{"short password", "short1\n", []string{"--username", "wang", "--role", "trainee", "--password-stdin"}, "weak password: password is too short", false},
		{"password with username", "wang-is-my-password\n", []string{"--username", "wang", "--role", "trainee", "--password-stdin"}, "weak password: password must not contain the username", false},
		{"stray argument", "another good password\n", []string{"--username", "wang", "--role", "trainee", "--password-stdin", "extra"}, `unexpected argument "extra"`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := add(tt.stdin, tt.args...)
			require.ErrorContains(t, err, tt.wantErr)
			assert.Equal(t, tt.wantUsage, isUsage(err), "usage error: %v", err)
		})
	}

	// Only the first account exists, with a verifiable argon2id hash and
	// without the trailing newline in the password.
	db, err := store.Open(context.Background(), filepath.Join(dir, "coach.db"))
	require.NoError(t, err)
	defer db.Close()
	audit, err := db.ListAudit(context.Background(), store.AuditFilter{})
	require.NoError(t, err)
	require.Len(t, audit, 1, "one account made, one audit entry")
	assert.Equal(t, "cli", audit[0].Actor)
	assert.Equal(t, "user.create", audit[0].Action)
	assert.Equal(t, "user:li.na", audit[0].Target)
	users, err := db.ListUsers(context.Background())
	require.NoError(t, err)
	require.Len(t, users, 1)
	assert.Equal(t, domain.RoleAdmin, users[0].Role)
	assert.Equal(t, "东区", users[0].Team)
	ok, err := auth.VerifyPassword(users[0].PasswordHash, "热线值班员第一天上岗")
	require.NoError(t, err)
	assert.True(t, ok)

	var list bytes.Buffer
	require.NoError(t, runUser(context.Background(), []string{"list", "--data", dir}, nil, &list, &bytes.Buffer{}))
	assert.Contains(t, list.String(), "li.na")
	assert.Contains(t, list.String(), "admin")
}

func TestUserNeedsSubcommand(t *testing.T) {
	for _, args := range [][]string{nil, {"remove"}} {
		err := runUser(context.Background(), args, strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
		assert.True(t, isUsage(err), "%v: %v", args, err)
	}
}

func isUsage(err error) bool {
	_, ok := err.(usageError)
	return ok
}

func TestUserSet(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	require.NoError(t, runUser(ctx, []string{"add", "--data", dir, "--username", "wang", "--role", "trainee", "--password-stdin"},
		strings.NewReader("热线值班员第一天上岗\n"), &bytes.Buffer{}, &bytes.Buffer{}))
	set := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := runUser(ctx, append([]string{"set", "--data", dir}, args...), nil, &out, &bytes.Buffer{})
		return out.String(), err
	}
	out, err := set("--username", "Wang", "--role", "manager", "--team", "东区")
	require.NoError(t, err)
	assert.Equal(t, "wang: role manager, team \"东区\", active\n", out)
	out, err = set("--username", "wang", "--disabled=true", "--clear-team")
	require.NoError(t, err)
	assert.Equal(t, "wang: role manager, team \"\", disabled\n", out)

	tests := []struct {
		name      string
		args      []string
		wantErr   string
		wantUsage bool
	}{
		{"nothing to change", []string{"--username", "wang"}, "nothing to change", true},
		{"bad role", []string{"--username", "wang", "--role", "boss"}, `"boss" is not a role`, true},
		{"bad disabled", []string{"--username", "wang", "--disabled", "maybe"}, "want true or false", true},
		{"team and clear", []string{"--username", "wang", "--team", "x", "--clear-team"}, "not both", true},
		{"no such user", []string{"--username", "zhao", "--role", "admin"}, `user "zhao" does not exist`, false},
		{"no username", []string{"--role", "admin"}, "--username", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := set(tt.args...)
			require.ErrorContains(t, err, tt.wantErr)
			assert.Equal(t, tt.wantUsage, isUsage(err), "usage error: %v", err)
		})
	}

	db, err := store.Open(ctx, filepath.Join(dir, "coach.db"))
	require.NoError(t, err)
	defer db.Close()
	es, err := db.ListAudit(ctx, store.AuditFilter{})
	require.NoError(t, err)
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action)
		assert.Equal(t, "cli", e.Actor)
	}
	assert.Equal(t, []string{"user.disable", "user.team", "user.team", "user.role", "user.create"}, actions)
}

// TestUserSetKeepsLastAdmin: `coach user set` follows the admin pages'
// rules: it refuses to demote or disable the last active admin, and allows
// it once another admin exists.
func TestUserSetKeepsLastAdmin(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	ctx := context.Background()
	add := func(name, role string) {
		require.NoError(t, runUser(ctx, []string{"add", "--data", dir, "--username", name, "--role", role, "--password-stdin"},
			strings.NewReader("热线值班员第一天上岗\n"), &bytes.Buffer{}, &bytes.Buffer{}))
	}
	set := func(args ...string) error {
		return runUser(ctx, append([]string{"set", "--data", dir}, args...), nil, &bytes.Buffer{}, &bytes.Buffer{})
	}
	add("li", "admin")
	add("wang", "trainer")

	for _, change := range [][]string{{"--role", "trainer"}, {"--disabled=true"}} {
		err := set(append([]string{"--username", "li"}, change...)...)
		require.ErrorContains(t, err, `user "li" is the last active admin`, "%v", change)
		assert.False(t, isUsage(err))
	}
	db, err := store.Open(ctx, filepath.Join(dir, "coach.db"))
	require.NoError(t, err)
	li, err := db.UserByUsername(ctx, "li")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	assert.Equal(t, domain.RoleAdmin, li.Role, "still an admin")
	assert.False(t, li.Disabled, "still active")

	// A disabled admin does not count; an active second admin does.
	require.NoError(t, set("--username", "wang", "--role", "admin", "--disabled=true"))
	require.ErrorContains(t, set("--username", "li", "--disabled=true"), "last active admin")
	require.NoError(t, set("--username", "wang", "--disabled=false"))
	require.NoError(t, set("--username", "li", "--role", "manager"))
	require.ErrorContains(t, set("--username", "wang", "--role", "trainee"), `user "wang" is the last active admin`)
}
