// Package storetest opens throwaway stores for tests: SQLite in a temporary
// directory, and PostgreSQL in a fresh schema of the database named by the
// COACH_TEST_POSTGRES environment variable.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/hotlinecoach/coach/store"
	"github.com/stretchr/testify/require"
)

// PostgresEnv names the environment variable holding the PostgreSQL DSN the
// tests use, for example postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresEnv = "COACH_TEST_POSTGRES"

// SQLiteDSN returns the path of a new SQLite database in a temporary
// directory removed when the test ends.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "coach.db")
}

// SQLite opens a new SQLite store closed when the test ends.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, SQLiteDSN(t))
}

// PostgresDSN creates a fresh schema in the database named by
// COACH_TEST_POSTGRES, dropped when the test ends, and returns a DSN whose
// search_path points at it, so parallel test runs never see each other's
// tables. Opening the DSN twice gives two stores on the same data, as two
// server instances would have. Without the variable the test is skipped.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL tests skipped: set %s, e.g. %s='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' go test ./store/...",
			PostgresEnv, PostgresEnv)
	}
	u, err := url.Parse(base)
	require.NoError(t, err, "parse %s", PostgresEnv)
	var b [6]byte
	_, err = rand.Read(b[:])
	require.NoError(t, err)
	schema := "coach_test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	ctx := context.Background()
	_, err = admin.ExecContext(ctx, `CREATE SCHEMA `+schema)
	require.NoError(t, err, "create schema %s (is PostgreSQL running at %s?)", schema, u.Redacted())
	t.Cleanup(func() {
		_, err := admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		err = errors.Join(err, admin.Close())
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a store in a fresh PostgreSQL schema, closed and dropped
// when the test ends. Without COACH_TEST_POSTGRES the test is skipped.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, PostgresDSN(t))
}

// Each runs fn as a subtest once per dialect, on a fresh store each time.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// EachDSN runs fn as a subtest once per dialect with the DSN of a fresh,
// empty database, for tests that open the store themselves.
func EachDSN(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteDSN(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresDSN(t)) })
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}
