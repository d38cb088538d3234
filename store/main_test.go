package store_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// store opened must be closed, with its connection pools.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
