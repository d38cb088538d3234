package store

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCheckpointsLeaveTheWriter: the writer never checkpoints inside a
// commit, however long the log grows; the background connection copies the
// log back, and everything written is in the database file afterwards.
func TestCheckpointsLeaveTheWriter(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "coach.db")
	db, err := Open(ctx, path)
	require.NoError(t, err)
	defer db.Close()

	var auto int
	require.NoError(t, db.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&auto))
	assert.Zero(t, auto, "the writer does not checkpoint")

	u := domain.User{Username: "ckpt", PasswordHash: "h", Role: domain.RoleTrainee, Created: time.Now()}
	require.NoError(t, db.CreateUser(ctx, &u))
	c := Call{UserID: u.ID, ScenarioID: "leak", ScenarioRevision: "r1", Mode: domain.Practice, Started: time.Now()}
	require.NoError(t, db.CreateCall(ctx, &c))
	// Well past the 1,000 pages at which a writer would checkpoint.
	payload := json.RawMessage(`{"text":"` + strings.Repeat("暖", 2000) + `"}`)
	const n = 1500
	for seq := int64(1); seq <= n; seq++ {
		require.NoError(t, db.AppendEvents(ctx, Event{CallID: c.ID, Seq: seq, Type: "customer", Payload: payload, At: time.Now()}))
	}
	wal, err := os.Stat(path + "-wal")
	require.NoError(t, err)
	assert.Greater(t, wal.Size(), int64(2000*4096), "the log grew to twice the automatic checkpoint size")

	require.NoError(t, db.ckpt.checkpoint(ctx))
	var busy, logFrames, copied int
	require.NoError(t, db.ckpt.conn.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &copied))
	assert.Zero(t, busy)
	assert.Equal(t, logFrames, copied, "every frame of the log is in the database file")

	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "closing twice is harmless")
	again, err := Open(ctx, path)
	require.NoError(t, err)
	defer again.Close()
	events, err := again.Events(ctx, c.ID, 0)
	require.NoError(t, err)
	assert.Len(t, events, n)
}
