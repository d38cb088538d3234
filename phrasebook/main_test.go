package phrasebook_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// closed Matcher must leave nothing of its index running.
func TestMain(m *testing.M) {
	// bleve starts its analysis workers when its package is initialised;
	// they live as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}
