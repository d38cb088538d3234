package app

import (
	"context"
	"log/slog"
	"testing"

	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestContentCacheKeepsSetsOpen checks the cache's bound: sets beyond it
// leave the cache but stay open for the calls using them until close.
func TestContentCacheKeepsSetsOpen(t *testing.T) {
	db := storetest.SQLite(t)
	m := NewContent(db, slog.New(slog.DiscardHandler), nil, nil)
	_, err := m.Refresh(context.Background())
	require.NoError(t, err)
	m.mu.Lock()
	for i := range maxCachedSets + 2 {
		m.putLocked(&Set{key: pubKey(int64(100 + i))})
	}
	cached, dropped := len(m.cache), len(m.dropped)
	m.mu.Unlock()
	assert.Equal(t, maxCachedSets, cached)
	assert.Equal(t, 2, dropped, "the two least recently used wait out their grace")
	m.Close()
	assert.Empty(t, m.dropped)
	assert.Nil(t, m.cur.Load())
}
