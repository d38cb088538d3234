package loadtest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/internal/storetest"
	"github.com/hotlinecoach/coach/store"
	"github.com/hotlinecoach/coach/web"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// bleve starts its analysis workers when its package is initialised
	// (sim's matcher imports it); they live as long as the process.
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}

func TestQuantile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = i + 1
	}
	tests := []struct {
		name    string
		samples []time.Duration
		q       float64
		want    time.Duration
	}{
		{"none", nil, 0.5, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of four is the second", ms(1, 2, 3, 4), 0.5, 2 * time.Millisecond},
		{"p99 of 1..100", ms(hundred...), 0.99, 99 * time.Millisecond},
		{"p50 of 1..100", ms(hundred...), 0.50, 50 * time.Millisecond},
		{"max", ms(hundred...), 1, 100 * time.Millisecond},
		{"tiny q is the minimum", ms(3, 5), 0.0001, 3 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Quantile(tc.samples, tc.q))
		})
	}
}

func TestLatenciesRecentAndAll(t *testing.T) {
	var l Latencies
	for _, d := range []time.Duration{5, 1, 3} {
		l.Add(d * time.Millisecond)
	}
	recent := l.TakeRecent()
	assert.Equal(t, Summary{Count: 3, P50: 3 * time.Millisecond, P99: 5 * time.Millisecond, Max: 5 * time.Millisecond}, recent)
	l.Add(9 * time.Millisecond)
	assert.Equal(t, 1, l.TakeRecent().Count, "recent starts again after a take")
	all := l.Summary()
	assert.Equal(t, 4, all.Count)
	assert.Equal(t, 9*time.Millisecond, all.Max)
}

// TestSeqCheck feeds the checker what a socket could see. Trainee events
// ("t") take seqs the socket never sees; the server's messages carry the
// rest.
func TestSeqCheck(t *testing.T) {
	tests := []struct {
		name      string
		steps     []any // "t" for a trainee event, an int64 for a message seq
		unsure    int64
		lost, dup int64
	}{
		{"a whole call", []any{"t", int64(2), int64(3), "t", int64(5), int64(6), "t", int64(8)}, 0, 0, 0},
		{"a ring stored before the reply", []any{"t", int64(2), "t", int64(3), int64(5)}, 0, 0, 0},
		{"a message missing", []any{"t", int64(2), int64(3), "t", int64(6)}, 0, 1, 0},
		{"the first message missing", []any{"t", int64(3)}, 0, 1, 0},
		{"a message twice", []any{"t", int64(2), int64(3), int64(3), "t", int64(5)}, 0, 0, 1},
		{"an older message again", []any{"t", int64(2), int64(3), int64(4), int64(2)}, 0, 0, 1},
		{"a trainee event that never took a seq", []any{"t", int64(2), "t", int64(3)}, 0, 1, 0},
		{"a reply that crossed the end", []any{"t", int64(2), "t", int64(3)}, 1, 0, 0},
		{"a loss beside a crossed reply", []any{"t", int64(3), "t", int64(4)}, 1, 1, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var c seqCheck
			for _, s := range tc.steps {
				if s == "t" {
					c.trainee()
				} else {
					c.message(s.(int64))
				}
			}
			c.ended(tc.unsure)
			assert.Equal(t, tc.lost, c.lost, "lost")
			assert.Equal(t, tc.dup, c.dup, "duplicated")
		})
	}
}

func TestGolden(t *testing.T) {
	all, err := Golden(nil)
	require.NoError(t, err)
	require.NotEmpty(t, all)
	for _, tr := range all {
		assert.True(t, tr.Expect.Passed, "%s: only model answers", tr.Scenario)
	}
	leak, err := Golden([]string{"leak"})
	require.NoError(t, err)
	require.NotEmpty(t, leak)
	for _, tr := range leak {
		assert.Equal(t, "leak", tr.Scenario)
	}
	_, err = Golden([]string{"no-such-scenario"})
	require.ErrorContains(t, err, `"no-such-scenario"`)
}

// TestRunInProcess runs the generator against a real server on a real
// listener: every call must end, with no error and no message lost or
// repeated, and every turn must be timed.
func TestRunInProcess(t *testing.T) {
	db := storetest.SQLite(t)
	lib, book, err := app.LoadBuiltin()
	require.NoError(t, err)
	t.Cleanup(func() { book.Close() })
	// Admission control off: a busy test machine is not an overloaded server.
	srv, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Config{Library: lib, Book: book, OverloadDelay: -1})
	require.NoError(t, err)
	t.Cleanup(srv.Close)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)

	ctx := context.Background()
	// One trainee per call, as people are: a trainee may have at most 3
	// calls waiting for their socket.
	accounts, err := CreateAccounts(ctx, 20, "lt", func(ctx context.Context, name, hash string) error {
		return db.CreateUser(ctx, &domain.User{Username: name, PasswordHash: hash, Role: domain.RoleTrainee, Created: time.Now()})
	})
	require.NoError(t, err)
	require.Len(t, accounts, 20)
	transcripts, err := Golden(nil)
	require.NoError(t, err)

	// With no think time a trainee's hang-up can cross the caller's own
	// end; the generator must take that for what it is, not a loss.
	for _, think := range []time.Duration{20 * time.Millisecond, 0} {
		t.Run(fmt.Sprintf("think %s", think), func(t *testing.T) {
			const calls = 20
			var progress bytes.Buffer
			report, err := Run(ctx, Config{
				Base: ts.URL, Calls: calls, Duration: 2 * time.Second, Think: think, Ramp: 100 * time.Millisecond,
				Transcripts: transcripts, Accounts: accounts, Progress: &progress, ProgressEvery: time.Second,
			})
			require.NoError(t, err)
			var out bytes.Buffer
			report.Write(&out)
			t.Log("\n" + out.String())
			assert.Zero(t, report.Errors, "errors: %v", report.FirstErrors)
			assert.Zero(t, report.Lost, "lost messages")
			assert.Zero(t, report.Duplicated, "duplicated messages")
			assert.GreaterOrEqual(t, report.Started, int64(calls))
			assert.Equal(t, report.Started, report.Ended, "every call got its end")
			assert.Equal(t, int64(calls), report.PeakLive, "the calls overlapped")
			assert.Positive(t, report.Turns)
			assert.Equal(t, report.Turns, int64(report.Latency.Count), "every turn timed")
			assert.Positive(t, report.Latency.Max)
			assert.Contains(t, progress.String(), "live ")
		})
	}

	// The server agrees: every call it holds has ended, with a scorecard.
	live, err := db.ListCalls(ctx, store.CallFilter{Status: domain.CallLive})
	require.NoError(t, err)
	assert.Empty(t, live)
	ended, err := db.ListCalls(ctx, store.CallFilter{Status: domain.CallEnded})
	require.NoError(t, err)
	for _, c := range ended {
		assert.NotEmpty(t, c.Scorecard, "call %s", c.ID)
	}
}

// TestRunCountsRefusals: a server that refuses every call start with 503
// and Retry-After is refused cleanly, not failed, and each slot waits
// the Retry-After before trying again.
func TestRunCountsRefusals(t *testing.T) {
	var starts atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/login", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "coach_session", Value: "x"})
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /api/calls", func(w http.ResponseWriter, r *http.Request) {
		starts.Add(1)
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"error":{"code":"overloaded"}}`, http.StatusServiceUnavailable)
	})
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	transcripts, err := Golden(nil)
	require.NoError(t, err)
	report, err := Run(context.Background(), Config{
		Base: ts.URL, Calls: 2, Duration: 1500 * time.Millisecond, Ramp: time.Millisecond,
		Transcripts: transcripts, Accounts: []Account{{Username: "a", Password: "b"}},
	})
	require.NoError(t, err)
	assert.Zero(t, report.Errors, "errors: %v", report.FirstErrors)
	assert.Zero(t, report.Started)
	assert.Equal(t, starts.Load(), report.Refused[http.StatusServiceUnavailable])
	assert.Equal(t, int64(4), starts.Load(), "two slots, each tried at 0s and after the 1s Retry-After")
	var out bytes.Buffer
	report.Write(&out)
	assert.Contains(t, out.String(), "refused cleanly: 4, 4 × 503")
}

func TestRunRefusesBadConfig(t *testing.T) {
	tr, err := Golden([]string{"leak"})
	require.NoError(t, err)
	acct := []Account{{Username: "a", Password: "b"}}
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no scheme", Config{Base: "127.0.0.1:1", Calls: 1, Duration: time.Second, Transcripts: tr, Accounts: acct}, "want http://"},
		{"no calls", Config{Base: "http://x", Duration: time.Second, Transcripts: tr, Accounts: acct}, "calls"},
		{"no duration", Config{Base: "http://x", Calls: 1, Transcripts: tr, Accounts: acct}, "duration"},
		{"no transcripts", Config{Base: "http://x", Calls: 1, Duration: time.Second, Accounts: acct}, "transcripts"},
		{"no accounts", Config{Base: "http://x", Calls: 1, Duration: time.Second, Transcripts: tr}, "accounts"},
		{"bad mode", Config{Base: "http://x", Calls: 1, Duration: time.Second, Transcripts: tr, Accounts: acct, Mode: "drill"}, "drill"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.cfg)
			require.ErrorContains(t, err, tc.want)
		})
	}
}
