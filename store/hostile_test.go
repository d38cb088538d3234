package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnstorableTextIsNotAFault: looking up text PostgreSQL cannot hold (a
// NUL byte, invalid UTF-8) finds nothing or is refused as invalid, on both
// databases, and is never an unclassified error the server would answer
// with a 500; nothing stored changes.
func TestUnstorableTextIsNotAFault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		addUser(t, db, "li.na", domain.RoleTrainee)
		for _, s := range []string{"nul\x00byte", "bad\xffutf8", "\x00"} {
			_, err := db.CallByID(ctx, s)
			assert.True(t, errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid), "call %q: %v", s, err)
			_, err = db.UserByUsername(ctx, s)
			assert.True(t, errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid), "user %q: %v", s, err)
			u := domain.User{Username: s, PasswordHash: "h", Role: domain.RoleTrainee}
			if err := db.CreateUser(ctx, &u); err != nil {
				assert.ErrorIs(t, err, store.ErrInvalid, "create user %q", s)
			}
		}
		u, err := db.UserByUsername(ctx, "li.na")
		require.NoError(t, err)
		assert.Equal(t, "hash-of-li.na", u.PasswordHash)
	})
}
