package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// SQLite in WAL mode copies the log back into the database file at a
// checkpoint, and by default the connection whose commit crosses 1,000
// pages of log does it, inside that commit, with an fsync of the database
// file. On the single writer that stalls every live call's appends for as
// long as the disk takes to sync, which on a busy disk is up to a second.
// So the writer never checkpoints; a connection of its own does, in
// PASSIVE mode, which never blocks the writer or readers.

// checkpointEvery is how often the log is copied back. Between two
// checkpoints the log grows by what a second of traffic writes.
const checkpointEvery = time.Second

// writerNoCheckpoint is added to the writer's DSN.
const writerNoCheckpoint = "&_pragma=wal_autocheckpoint(0)"

// checkpointer runs the background checkpoints of one SQLite file.
type checkpointer struct {
	conn *sql.DB
	quit chan struct{}
	stop sync.Once
	wg   sync.WaitGroup
}

func newCheckpointer(ctx context.Context, path string) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", path+"?"+sqliteParams)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s for checkpoints: %w", path, err)
	}
	conn.SetMaxOpenConns(1)
	if err := conn.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("open sqlite %s for checkpoints: %w", path, err), conn.Close())
	}
	c := &checkpointer{conn: conn, quit: make(chan struct{})}
	c.wg.Go(c.run)
	return c, nil
}

func (c *checkpointer) run() {
	t := time.NewTicker(checkpointEvery)
	defer t.Stop()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
			// A failed checkpoint leaves the log longer; the next one
			// tries again, and nothing is lost either way.
			_ = c.checkpoint(context.Background())
		}
	}
}

// checkpoint copies what it can of the log into the database file.
func (c *checkpointer) checkpoint(ctx context.Context) error {
	_, err := c.conn.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	return err
}

// close stops the checkpoints, runs a last one and closes the connection.
func (c *checkpointer) close() error {
	c.stop.Do(func() { close(c.quit) })
	c.wg.Wait()
	_ = c.checkpoint(context.Background())
	return c.conn.Close()
}
