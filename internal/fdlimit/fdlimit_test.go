//go:build unix

package fdlimit

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRaiseLiftsSoftToHard(t *testing.T) {
	var before syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &before))
	got, err := Raise()
	require.NoError(t, err)
	var after syscall.Rlimit
	require.NoError(t, syscall.Getrlimit(syscall.RLIMIT_NOFILE, &after))
	require.Equal(t, after.Max, after.Cur, "soft limit is the hard limit")
	require.Equal(t, after.Cur, got)
	require.GreaterOrEqual(t, after.Cur, before.Cur)
}
