package main

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// command must stop what it started (servers, readers) before it returns.
func TestMain(m *testing.M) {
	// bleve starts its analysis workers when its package is initialised
	// (the matcher imports it); they live as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}
