package web

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCallRevision(t *testing.T) {
	tests := []struct {
		in       string
		rev, pub int64
		ok       bool
	}{
		{callRevision(12, 3), 12, 3, true},
		{"builtin", 0, 1, true},
		{"rev-0@pub-3", 0, 0, false},
		{"rev-1@pub-", 0, 0, false},
		{"rev-1", 0, 0, false},
		{"pub-3@rev-1", 0, 0, false},
		{"rev-x@pub-1", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			rev, pub, err := parseCallRevision(tt.in)
			if !tt.ok {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.rev, rev)
			assert.Equal(t, tt.pub, pub)
		})
	}
}

// TestContentCacheKeepsSetsOpen checks the cache's bound: sets beyond it
// leave the cache but stay open for the calls using them until close.
func TestContentCacheKeepsSetsOpen(t *testing.T) {
	env := newEnv(t)
	env.loadContent()
	m := env.srv.content
	m.mu.Lock()
	for i := range maxCachedSets + 2 {
		m.putLocked(&contentSet{key: pubKey(int64(100 + i))})
	}
	cached, dropped := len(m.cache), len(m.dropped)
	m.mu.Unlock()
	assert.Equal(t, maxCachedSets, cached)
	assert.Equal(t, 2, dropped, "the two least recently used wait out their grace")
	m.close()
	assert.Empty(t, m.dropped)
	assert.Nil(t, m.cur.Load())
}
