package store

import (
	"context"
	"strings"
)

// RebuildReports empties the report tables and fills them again with the
// statements of migration 0007, as a store upgraded with calls in it would
// have them.
func (db *DB) RebuildReports(ctx context.Context) error {
	all, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	return db.tx(ctx, func(tx *sqlTx) error {
		for _, q := range []string{`DELETE FROM report_totals`, `DELETE FROM report_findings`} {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		for _, m := range all {
			if !strings.HasPrefix(m.name, "0007_") {
				continue
			}
			for _, st := range statements(m.sql) {
				if strings.HasPrefix(st, "INSERT") {
					if _, err := tx.exec(ctx, st); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
}

// OneStatementBatches is how many append batches PostgreSQL wrote in one
// statement rather than in a transaction of savepoints.
func (db *DB) OneStatementBatches() int64 { return db.appender.oneStatement.Load() }
