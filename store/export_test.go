package store

import (
	"context"
	"fmt"
	"maps"
	"strings"
)

// RebuildReports empties the report tables and fills them again as a store
// upgraded with calls in it would have them: for each table, with the
// INSERT statements of the latest migration that fills it (0007 for
// report_totals, 0010 for report_findings). They count every ended call,
// so no call is pending after.
func (db *DB) RebuildReports(ctx context.Context) error {
	all, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	tables := []string{"report_totals", "report_findings"}
	fills := map[string][]string{}
	for _, m := range all {
		latest := map[string][]string{}
		for _, st := range statements(m.sql) {
			for _, table := range tables {
				if strings.HasPrefix(st, "INSERT INTO "+table+" ") {
					latest[table] = append(latest[table], st)
				}
			}
		}
		maps.Copy(fills, latest)
	}
	return db.tx(ctx, func(tx *sqlTx) error {
		if _, err := tx.exec(ctx, `DELETE FROM report_pending`); err != nil {
			return err
		}
		for _, table := range tables {
			if len(fills[table]) == 0 {
				return fmt.Errorf("no migration fills %s", table)
			}
			if _, err := tx.exec(ctx, `DELETE FROM `+table); err != nil {
				return err
			}
			for _, st := range fills[table] {
				if _, err := tx.exec(ctx, st); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// UpgradeFindingsToHours puts report_findings back as migration 0007 made
// and filled it from the stored calls (per UTC day), forgets migration
// 0010 and migrates again: the upgrade of a store with calls in it. No
// call was pending before 0011, so the pending ones are counted first.
func (db *DB) UpgradeFindingsToHours(ctx context.Context) error {
	all, err := migrations(db.dialect)
	if err != nil {
		return err
	}
	if err := db.flushReports(ctx); err != nil {
		return err
	}
	err = db.tx(ctx, func(tx *sqlTx) error {
		for _, q := range []string{`DROP TABLE report_findings`, `DELETE FROM migrations WHERE version = 10`} {
			if _, err := tx.exec(ctx, q); err != nil {
				return err
			}
		}
		for _, m := range all {
			if m.version != 7 {
				continue
			}
			for _, st := range statements(m.sql) {
				if strings.Contains(st, "report_findings") {
					if _, err := tx.exec(ctx, st); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return db.migrate(ctx)
}

// OneStatementBatches is how many append batches PostgreSQL wrote in one
// statement rather than in a transaction of savepoints.
func (db *DB) OneStatementBatches() int64 { return db.appender.oneStatement.Load() }

// StopReporter stops counting ended calls in the background, without
// counting what is pending, as a crash would; Close then counts nothing
// either. Reads still flush.
func (db *DB) StopReporter() { db.reports.close(false) }

// PendingReports is how many ended calls are not yet counted in the
// reports.
func (db *DB) PendingReports(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM report_pending`).Scan(&n)
	return n, err
}

// CountPendingBatch counts one batch of pending calls, waiting for those
// other transactions are counting (a flush's way) or passing over them
// (the reporter's), and reports how many it counted.
func (db *DB) CountPendingBatch(ctx context.Context, wait bool) (int, error) {
	return db.countPendingBatch(ctx, wait)
}

// FlushReports counts every call pending, as a report read does first.
func (db *DB) FlushReports(ctx context.Context) error { return db.flushReports(ctx) }

// ObserveReportBatches makes f hear how many calls each transaction
// counting pending calls counted; nil stops it.
func (db *DB) ObserveReportBatches(f func(int)) {
	if f == nil {
		db.reports.counted.Store(nil)
		return
	}
	db.reports.counted.Store(&f)
}
