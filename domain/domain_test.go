package domain_test

import (
	"testing"

	"github.com/hotlinecoach/coach/domain"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCallRevision(t *testing.T) {
	tests := []struct {
		in       string
		rev, pub int64
		ok       bool
	}{
		{domain.CallRevision(12, 3), 12, 3, true},
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
			rev, pub, err := domain.ParseCallRevision(tt.in)
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
