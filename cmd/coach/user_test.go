package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// TestUserSetPassword: coach user set --password-stdin changes the stored
// password (the old one stops working, the new one works), ends the
// account's sessions, and refuses a weak one without changing anything.
func TestUserSetPassword(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	run := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := runUser(ctx, append(args[:1:1], append([]string{"--data", dir}, args[1:]...)...), strings.NewReader(stdin), &out, &errOut)
		return out.String(), err
	}
	_, err := run("热线值班员第一天上岗\n", "add", "--username", "wang", "--role", "trainee", "--name", "王芳", "--employee-no", "HX-0042", "--password-stdin")
	require.NoError(t, err)

	db, err := store.Open(ctx, filepath.Join(dir, "coach.db"))
	require.NoError(t, err)
	defer db.Close()
	u, err := db.UserByUsername(ctx, "wang")
	require.NoError(t, err)
	assert.Equal(t, "王芳", u.Name)
	assert.Equal(t, "HX-0042", u.EmployeeNo)
	require.NoError(t, db.CreateSession(ctx, store.Session{TokenHash: "h", UserID: u.ID, CSRFToken: "c", Created: u.Created, Expires: u.Created.Add(time.Hour), LastSeen: u.Created}))

	_, err = run("123456789012\n", "set", "--username", "wang", "--password-stdin")
	require.ErrorContains(t, err, "weak password")
	_, err = run("换个新密码吧二零二六\n", "set", "--username", "wang", "--password-stdin", "--temporary")
	require.NoError(t, err)

	u, err = db.UserByUsername(ctx, "wang")
	require.NoError(t, err)
	ok, err := auth.VerifyPassword(u.PasswordHash, "换个新密码吧二零二六")
	require.NoError(t, err)
	assert.True(t, ok, "the new password works")
	ok, err = auth.VerifyPassword(u.PasswordHash, "热线值班员第一天上岗")
	require.NoError(t, err)
	assert.False(t, ok, "the old one does not")
	assert.True(t, u.MustChangePassword, "--temporary: to be changed at the next sign-in")
	_, _, err = db.SessionUser(ctx, "h")
	assert.ErrorIs(t, err, store.ErrNotFound, "sessions end with the change")
	audit, err := db.ListAudit(ctx, store.AuditFilter{})
	require.NoError(t, err)
	assert.Equal(t, "user.password", audit[0].Action)
	assert.Equal(t, "cli", audit[0].Actor)

	_, err = run("", "set", "--username", "wang", "--temporary")
	assert.True(t, isUsage(err), "--temporary alone: %v", err)
}

// TestUserImport: a CSV with a bad line imports nothing and names the line
// and field; a good one imports every account with a temporary password.
func TestUserImport(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	write := func(body string) string {
		p := filepath.Join(t.TempDir(), "accounts.csv")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	run := func(path string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := runUser(ctx, []string{"import", "--data", dir, path}, strings.NewReader(""), &out, &errOut)
		return out.String(), errOut.String(), err
	}
	bad := write("username,name,role,team,employee_no\n" +
		"li.na,李娜,trainee,东区,HX-001\n" +
		"wang wei,王伟,trainee,东区,\n" +
		"zhao,赵磊,boss,西区,HX-003\n" +
		"li.na,李娜二,trainee,东区,\n")
	_, errOut, err := run(bad)
	require.ErrorContains(t, err, "3 refused lines; nothing imported")
	assert.Contains(t, errOut, ":line 3, username:")
	assert.Contains(t, errOut, ":line 4, role:")
	assert.Contains(t, errOut, `:line 5, username: "li.na" is also on line 2`)
	db, err := store.Open(ctx, filepath.Join(dir, "coach.db"))
	require.NoError(t, err)
	defer db.Close()
	users, err := db.ListUsers(ctx)
	require.NoError(t, err)
	assert.Empty(t, users, "nothing half imported")

	good := write("\ufeffUsername,Name,Role,Team,Employee_No\n" +
		"li.na,李娜,trainee,东区,HX-001\n" +
		"zhao,赵磊,Manager,西区,\n")
	out, _, err := run(good)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, "username,name,temporary_password", lines[0])
	fields := strings.Split(lines[1], ",")
	require.Len(t, fields, 3)
	assert.Equal(t, []string{"li.na", "李娜"}, fields[:2])
	u, err := db.UserByUsername(ctx, "li.na")
	require.NoError(t, err)
	assert.Equal(t, "HX-001", u.EmployeeNo)
	assert.True(t, u.MustChangePassword)
	ok, err := auth.VerifyPassword(u.PasswordHash, fields[2])
	require.NoError(t, err)
	assert.True(t, ok, "the printed temporary password signs in")
	z, err := db.UserByUsername(ctx, "zhao")
	require.NoError(t, err)
	assert.Equal(t, domain.RoleManager, z.Role)

	_, errOut, err = run(good)
	require.Error(t, err, "a second run finds the usernames taken")
	assert.Contains(t, errOut, `"li.na" is taken`)
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
