//go:build unix

// Package fdlimit raises the process's open-file limit, which caps how
// many sockets a server or a load generator can hold: each live call is a
// socket on both ends.
package fdlimit

import (
	"fmt"
	"syscall"
)

// Raise lifts the soft limit on open files to the hard limit and returns
// the limit now in force. Go's os package does the same at start-up since
// Go 1.19; calling it here makes the limit known, so a command can refuse a
// run the limit cannot hold instead of failing midway with EMFILE.
func Raise() (uint64, error) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("read the open-file limit: %w", err)
	}
	if lim.Cur >= lim.Max {
		return lim.Cur, nil
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0, fmt.Errorf("raise the open-file limit to %d: %w", lim.Max, err)
	}
	return lim.Cur, nil
}
