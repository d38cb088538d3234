// Package store persists accounts, sessions, login attempts and calls with
// their event logs, in SQLite (the embedded default, through the pure-Go
// modernc.org/sqlite driver) or PostgreSQL (through pgx), behind one concrete
// type. It holds no business rules: callers decide what to store and when.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// ErrNotFound is returned (wrapped) when a requested row does not exist, or
// when a write refers to a row that does not exist.
var ErrNotFound = domain.ErrNotFound

// ErrConflict is returned (wrapped) when a write collides with existing data:
// a duplicate username, an event sequence number already taken, a call that
// has already ended.
var ErrConflict = domain.ErrConflict

// ErrInvalid is returned (wrapped) when a value cannot be stored as given.
var ErrInvalid = domain.ErrInvalid

// Dialect names the SQL database behind a DB.
type Dialect string

// lock returns a row-locking clause (" FOR UPDATE", " FOR SHARE", …) for a
// query on PostgreSQL, where transactions run side by side, and nothing on
// SQLite, whose single writer runs them one at a time already.
func (d Dialect) lock(clause string) string {
	if d != Postgres {
		return ""
	}
	return " " + clause
}

// The dialects a DB can speak.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the application's database. Its methods are safe for concurrent use.
type DB struct {
	dialect Dialect
	// w takes every write. On SQLite it holds a single connection, so writers
	// queue in Go instead of failing with SQLITE_BUSY; on PostgreSQL it is the
	// same pool as r.
	w *sql.DB
	// r serves reads. On SQLite it is a separate read-only pool, which WAL
	// lets run alongside the writer.
	r *sql.DB
	// appender group-commits call events: on SQLite's single writer, and
	// with a few writers on PostgreSQL.
	appender *appender
	// ckpt copies SQLite's write-ahead log back into the database file off
	// the writer's path; nil for PostgreSQL and in-memory SQLite.
	ckpt *checkpointer
	// reports counts ended calls in the report tables, off the path of
	// the transactions that end them (reports_pending.go).
	reports *reporter
	// bgErr, when set, hears the errors of the work the store does in the
	// background, which no caller waits for.
	bgErr atomic.Pointer[func(error)]
}

// OnBackgroundError makes f hear every error of the work the store does in
// the background (counting ended calls in the reports), which is retried
// and which no caller would otherwise see. f must not block.
func (db *DB) OnBackgroundError(f func(error)) { db.bgErr.Store(&f) }

func (db *DB) backgroundError(err error) {
	if f := db.bgErr.Load(); f != nil {
		(*f)(err)
	}
}

// IsPostgresDSN reports whether dsn selects PostgreSQL rather than SQLite.
func IsPostgresDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open opens the database named by dsn and applies pending migrations.
// A DSN starting with postgres:// or postgresql:// selects PostgreSQL; anything
// else is a SQLite file path (its directory is created if missing) or
// ":memory:".
func Open(ctx context.Context, dsn string) (*DB, error) {
	if dsn == "" {
		return nil, fmt.Errorf("open store: empty DSN")
	}
	var db *DB
	var err error
	if IsPostgresDSN(dsn) {
		db, err = openPostgres(ctx, dsn)
	} else {
		db, err = openSQLite(ctx, dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open store: %w", err), db.Close())
	}
	if err := startReporter(ctx, db); err != nil {
		return nil, errors.Join(fmt.Errorf("open store: %w", err), db.Close())
	}
	return db, nil
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	// As many idle connections as open ones: with fewer, a burst closes
	// the extra connections as soon as it ends, and PostgreSQL forks a
	// backend for each one opened again (at 2,000 live calls that churn
	// doubled the replies' p99).
	pool.SetMaxOpenConns(20)
	pool.SetMaxIdleConns(20)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open postgres: %w", err), pool.Close())
	}
	db := &DB{dialect: Postgres, w: pool, r: pool}
	db.appender = newAppender(db, pgWriters)
	return db, nil
}

// sqliteParams are applied to every SQLite connection. Foreign keys and the
// busy timeout are per-connection settings in SQLite, so they belong in the
// DSN rather than in a one-off statement.
const sqliteParams = "_busy_timeout=5000&_foreign_keys=1&_journal_mode=WAL&_synchronous=NORMAL"

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if strings.HasPrefix(path, "file:") || strings.Contains(path, "?") {
		return nil, fmt.Errorf("open sqlite %q: give a plain file path, not a URI", path)
	}
	if path == ":memory:" {
		// One connection holds the whole in-memory database, so reads and
		// writes must share it.
		pool, err := sql.Open("sqlite", ":memory:?_foreign_keys=1")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		pool.SetMaxOpenConns(1)
		pool.SetConnMaxIdleTime(0)
		pool.SetConnMaxLifetime(0)
		db := &DB{dialect: SQLite, w: pool, r: pool}
		db.appender = newAppender(db, 1)
		return db, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	// The writer is opened and pinged first: it switches the file to WAL,
	// which readers opened with _query_only could not do.
	w, err := sql.Open("sqlite", path+"?"+sqliteParams+"&_txlock=immediate"+writerNoCheckpoint)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open sqlite %s: %w", path, err), w.Close())
	}
	r, err := sql.Open("sqlite", path+"?"+sqliteParams+"&_query_only=1")
	if err != nil {
		return nil, errors.Join(fmt.Errorf("open sqlite %s: %w", path, err), w.Close())
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if err := r.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open sqlite %s: %w", path, err), w.Close(), r.Close())
	}
	ckpt, err := newCheckpointer(ctx, path)
	if err != nil {
		return nil, errors.Join(err, w.Close(), r.Close())
	}
	db := &DB{dialect: SQLite, w: w, r: r, ckpt: ckpt}
	db.appender = newAppender(db, 1)
	return db, nil
}

// ObserveAppendWait makes f hear, for every append of call events, how long
// it queued before its transaction began: the store's queueing delay,
// which admission control watches. Nil stops it.
func (db *DB) ObserveAppendWait(f func(time.Duration)) {
	if f == nil {
		db.appender.waited.Store(nil)
		return
	}
	db.appender.waited.Store(&f)
}

// Dialect reports which database this DB speaks to.
func (db *DB) Dialect() Dialect { return db.dialect }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.r.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", db.dialect, err)
	}
	return nil
}

// Close counts the ended calls not yet counted in the reports and releases
// the database's connections.
func (db *DB) Close() error {
	if db.reports != nil {
		db.reports.close(true)
	}
	db.appender.close()
	err := db.w.Close()
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	if db.ckpt != nil {
		err = errors.Join(err, db.ckpt.close())
	}
	return err
}

// rebind rewrites the '?' placeholders every query here is written with into
// PostgreSQL's numbered '$n' form. No query in this package has a literal
// question mark.
func (db *DB) rebind(query string) string {
	if db.dialect != Postgres {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.w.ExecContext(ctx, db.rebind(query), args...)
	return res, classify(err)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.r.QueryRowContext(ctx, db.rebind(query), args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	rows, err := db.r.QueryContext(ctx, db.rebind(query), args...)
	return rows, classify(err)
}

// tx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) tx(ctx context.Context, fn func(tx *sqlTx) error) error {
	t, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return classify(err)
	}
	if err := fn(&sqlTx{tx: t, db: db}); err != nil {
		return errors.Join(err, ignoreDone(t.Rollback()))
	}
	return classify(t.Commit())
}

func ignoreDone(err error) error {
	if errors.Is(err, sql.ErrTxDone) {
		return nil
	}
	return err
}

// sqlTx rebinds placeholders and classifies errors like DB does.
type sqlTx struct {
	tx *sql.Tx
	db *DB
}

func (t *sqlTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := t.tx.ExecContext(ctx, t.db.rebind(query), args...)
	return res, classify(err)
}

func (t *sqlTx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, t.db.rebind(query), args...)
}

// classify wraps driver errors for constraint violations in ErrConflict or
// ErrNotFound, and text PostgreSQL cannot hold (a NUL byte, invalid UTF-8)
// in ErrInvalid, so callers can test for them without knowing the dialect.
// SQLite stores such text as given.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return fmt.Errorf("%w: %w", ErrConflict, err)
		case "23503": // foreign_key_violation
			return fmt.Errorf("%w: %w", ErrNotFound, err)
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	return err
}

// notFound turns sql.ErrNoRows into ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return classify(err)
}

// millis and fromMillis convert between time.Time and the stored form:
// milliseconds since the Unix epoch, UTC.
func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }
