package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRebind(t *testing.T) {
	tests := []struct {
		dialect Dialect
		in      string
		want    string
	}{
		{SQLite, `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = ? AND c = ?`},
		{Postgres, `SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{Postgres, `SELECT 1`, `SELECT 1`},
		{Postgres, `VALUES (?,?,?,?,?,?,?,?,?,?,?)`, `VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`},
	}
	for _, tt := range tests {
		db := &DB{dialect: tt.dialect}
		assert.Equal(t, tt.want, db.rebind(tt.in), "%s: %s", tt.dialect, tt.in)
	}
}

func TestStatements(t *testing.T) {
	script := "-- a comment; with a semicolon\nCREATE TABLE a (\n  x INTEGER\n);\n\nCREATE INDEX a_x ON a (x);\n-- trailing\nSELECT 1"
	assert.Equal(t, []string{
		"CREATE TABLE a (\n  x INTEGER\n);",
		"CREATE INDEX a_x ON a (x);",
		"SELECT 1",
	}, statements(script))
}

// TestMigrationsMatchAcrossDialects guards the rule that every schema change
// is written for both databases: a version present for one dialect only would
// leave the two schemas apart.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := migrations(SQLite)
	require.NoError(t, err)
	pg, err := migrations(Postgres)
	require.NoError(t, err)
	require.NotEmpty(t, lite)
	names := func(ms []migration) []string {
		var out []string
		for _, m := range ms {
			out = append(out, m.name)
		}
		return out
	}
	assert.Equal(t, names(lite), names(pg))
	for _, ms := range [][]migration{lite, pg} {
		for _, m := range ms {
			assert.NotEmpty(t, statements(m.sql), m.name)
		}
	}
}
