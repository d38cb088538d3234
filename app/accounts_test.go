package app_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fastParams keep password hashing cheap in tests.
var fastParams = auth.Params{Time: 1, Memory: 8 << 10, Threads: 1, KeyLen: 32, SaltLen: 16}

func newApp(t *testing.T, db *store.DB) *app.App {
	a := app.New(db, slog.New(slog.DiscardHandler), app.Config{})
	t.Cleanup(a.Close)
	return a
}

func refusalKey(err error) string {
	var r *app.AccountRefusal
	if errors.As(err, &r) {
		return r.Key
	}
	return ""
}

func TestAccountRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := newApp(t, db)
		create := func(name, role string) (domain.User, error) {
			return a.CreateAccount(ctx, store.CLI, app.NewAccount{Username: name, Name: "测试" + name, Role: role, Password: "热线值班员第一天上岗"}, fastParams)
		}
		li, err := create("li", "admin")
		require.NoError(t, err)

		tests := []struct{ name, user, role, password, key string }{
			{"bad username", "wang wei", "trainee", "热线值班员第一天上岗", "username"},
			{"bad role", "wang", "boss", "热线值班员第一天上岗", "role"},
			{"weak password", "wang", "trainee", "short", "password"},
			{"taken", "LI", "trainee", "热线值班员第一天上岗", "taken"},
		}
		for _, tt := range tests {
			_, err := a.CreateAccount(ctx, store.CLI, app.NewAccount{Username: tt.user, Name: "王伟", Role: tt.role, Password: tt.password}, fastParams)
			assert.Equal(t, tt.key, refusalKey(err), "%s: %v", tt.name, err)
		}
		_, err = a.CreateAccount(ctx, store.CLI, app.NewAccount{Username: "wang", Role: "trainee", Password: "热线值班员第一天上岗"}, fastParams)
		assert.Equal(t, "name", refusalKey(err), "a real name is required")
		_, err = a.CreateAccount(ctx, store.CLI, app.NewAccount{Username: "wang", Role: "trainee", EmployeeNo: "a b", Name: "王伟", Password: "热线值班员第一天上岗"}, fastParams)
		assert.Equal(t, "employee_no", refusalKey(err))

		demote, off := domain.RoleTrainer, true
		// Self: refused for the site's admin, whoever else is admin.
		_, err = a.UpdateAccount(ctx, &li, store.Actor{ID: li.ID, Name: li.Username}, li.ID, store.UserChange{Role: &demote})
		assert.Equal(t, "self", refusalKey(err))
		assert.ErrorIs(t, err, domain.ErrConflict)
		// Last admin: refused for anyone, the shell included.
		_, err = a.UpdateAccount(ctx, nil, store.CLI, li.ID, store.UserChange{Disabled: &off})
		assert.Equal(t, "last_admin", refusalKey(err))
		assert.ErrorIs(t, err, domain.ErrConflict)

		zhao, err := create("zhao", "admin")
		require.NoError(t, err)
		got, err := a.UpdateAccount(ctx, &zhao, store.Actor{ID: zhao.ID, Name: zhao.Username}, li.ID, store.UserChange{Role: &demote})
		require.NoError(t, err)
		assert.Equal(t, domain.RoleTrainer, got.Role)
	})
}

// TestAccountsPage lists the accounts and the sign-in limits an admin may
// lift.
func TestAccountsPage(t *testing.T) {
	ctx := context.Background()
	a := newApp(t, storetest.SQLite(t))
	for _, name := range []string{"li", "qi"} {
		_, err := a.CreateAccount(ctx, store.CLI, app.NewAccount{Username: name, Name: "测试" + name, Role: "trainee", Password: "热线值班员第一天上岗"}, fastParams)
		require.NoError(t, err)
	}
	p := app.LoginPolicy{PerPair: 1, PerAddress: 100}
	users, throttles, err := a.Accounts(ctx, p)
	require.NoError(t, err)
	assert.Len(t, users, 2)
	assert.Empty(t, throttles)

	_, err = a.Authenticate(ctx, "li", "不是这个密码", "10.0.0.7", p)
	require.ErrorIs(t, err, app.ErrBadCredentials)
	_, err = a.Authenticate(ctx, "li", "不是这个密码", "10.0.0.7", p)
	var limited *app.RateLimited
	require.ErrorAs(t, err, &limited)
	_, throttles, err = a.Accounts(ctx, p)
	require.NoError(t, err)
	require.Len(t, throttles, 1)
	assert.Equal(t, "li", throttles[0].Username)
	assert.Equal(t, "10.0.0.7", throttles[0].Address)
	assert.Equal(t, 2, throttles[0].Count)

	n, err := a.UnlockLogins(ctx, users[0].ID, store.CLI)
	require.NoError(t, err)
	assert.Equal(t, int64(1), n, "one address lifted")
	_, throttles, err = a.Accounts(ctx, p)
	require.NoError(t, err)
	assert.Empty(t, throttles)
	_, err = a.UnlockLogins(ctx, 99999, store.CLI)
	assert.ErrorIs(t, err, store.ErrNotFound)

	u, token, err := a.ResetLink(ctx, store.CLI, users[1].ID)
	require.NoError(t, err)
	assert.Equal(t, "qi", u.Username, "the link says whose it is")
	owner, err := a.ResetLinkUser(ctx, token)
	require.NoError(t, err)
	assert.Equal(t, u.ID, owner.ID)
	_, _, err = a.ResetLink(ctx, store.CLI, 99999)
	assert.ErrorIs(t, err, store.ErrNotFound)
}
