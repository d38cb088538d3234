package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationFiles holds one folder of numbered SQL files per dialect. The two
// folders must list the same versions: a migration is one change to the
// schema, written once for each dialect.
//
//go:embed migrations
var migrationFiles embed.FS

// migrationLockID is the PostgreSQL advisory lock that keeps two instances
// starting at once from migrating the same database concurrently.
const migrationLockID = 7_262_001

// migration is one versioned schema change.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded migrations for dialect d in version order.
func migrations(d Dialect) ([]migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, fmt.Errorf("read migrations %s: %w", dir, err)
	}
	var out []migration
	seen := map[int]string{}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		prefix, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s/%s: name must start with a positive version number and '_'", dir, name)
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migration %s/%s: version %d already used by %s", dir, name, v, other)
		}
		seen[v] = name
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("read migration %s/%s: %w", dir, name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// statements splits a migration into single statements, because not every
// driver runs several statements in one Exec. Statements end with ';' at the
// end of a line; lines starting with "--" are comments.
func statements(script string) []string {
	var out []string
	var cur strings.Builder
	for line := range strings.Lines(script) {
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "--") {
			continue
		}
		cur.WriteString(line)
		if strings.HasSuffix(trimmed, ";") {
			out = append(out, strings.TrimSpace(cur.String()))
			cur.Reset()
		}
	}
	if rest := strings.TrimSpace(cur.String()); rest != "" {
		out = append(out, rest)
	}
	return out
}

// migrate applies every pending migration in one transaction, so a failed
// migration leaves the schema as it was (both SQLite and PostgreSQL have
// transactional DDL).
func (db *DB) migrate(ctx context.Context) error {
	all, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlTx) error {
		if db.dialect == Postgres {
			if _, err := tx.exec(ctx, `SELECT pg_advisory_xact_lock(?)`, migrationLockID); err != nil {
				return fmt.Errorf("lock migrations: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `CREATE TABLE IF NOT EXISTS migrations (
			version    INTEGER PRIMARY KEY,
			name       TEXT    NOT NULL,
			applied_at BIGINT  NOT NULL
		)`); err != nil {
			return fmt.Errorf("create migrations table: %w", err)
		}
		applied := map[int]bool{}
		rows, err := tx.tx.QueryContext(ctx, `SELECT version FROM migrations`)
		if err != nil {
			return fmt.Errorf("read applied migrations: %w", err)
		}
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return errors.Join(fmt.Errorf("read applied migrations: %w", err), rows.Close())
			}
			applied[v] = true
		}
		if err := rows.Close(); err != nil {
			return fmt.Errorf("read applied migrations: %w", err)
		}
		for _, m := range all {
			if applied[m.version] {
				continue
			}
			for i, stmt := range statements(m.sql) {
				if _, err := tx.exec(ctx, stmt); err != nil {
					return fmt.Errorf("migration %s/%s statement %d: %w", db.dialect, m.name, i+1, err)
				}
			}
			if _, err := tx.exec(ctx, `INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.version, m.name, time.Now().UnixMilli()); err != nil {
				return fmt.Errorf("record migration %s: %w", m.name, err)
			}
		}
		return nil
	})
}
