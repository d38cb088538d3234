// Package loadtest is Hotline Coach's load generator: it keeps a number of
// simulated trainees on live calls at once, each playing a model answer
// over a real websocket, and reports the turn latency (a reply sent to the
// caller's next line received), calls ended, errors, and messages lost or
// repeated, checked against the call log's seqs.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hotlinecoach/coach/scenarios"
)

// Config says what a run does. Base, Calls, Duration, Transcripts and
// Accounts are required; the rest have defaults.
type Config struct {
	// Base is the server's URL, http://HOST:PORT.
	Base string
	// Calls is how many calls are kept live at once.
	Calls int
	// Duration is how long new calls keep starting and replies keep
	// coming; then every live call hangs up and the run waits for its end.
	Duration time.Duration
	// Think is the mean pause between the caller's line and the trainee's
	// next reply; each pause is drawn evenly from Think/2 to 3*Think/2 so
	// that the calls do not march in step. Zero replies at once.
	Think time.Duration
	// Ramp spreads the first call of each slot over this span, so the run
	// does not open every socket in the same millisecond. Default 5s.
	Ramp time.Duration
	// Mode is practice or exam. Default practice (hints make more traffic).
	Mode string
	// Transcripts are the model answers the calls play, in turn.
	Transcripts []*scenarios.Transcript
	// Accounts are the trainees the calls run as; slot i uses account
	// i mod len(Accounts).
	Accounts []Account
	// Progress, when set, receives a progress line every ProgressEvery
	// (default 2s).
	Progress      io.Writer
	ProgressEvery time.Duration
	// Wait bounds every wait for the server: an answer, a handshake, an
	// HTTP request. Default 10s.
	Wait time.Duration
}

func (c *Config) setDefaults() {
	if c.Ramp == 0 {
		c.Ramp = 5 * time.Second
	}
	if c.Mode == "" {
		c.Mode = "practice"
	}
	if c.ProgressEvery == 0 {
		c.ProgressEvery = 2 * time.Second
	}
	if c.Wait == 0 {
		c.Wait = 10 * time.Second
	}
}

func (c *Config) validate() error {
	switch {
	case !strings.HasPrefix(c.Base, "http://") && !strings.HasPrefix(c.Base, "https://"):
		return fmt.Errorf("server URL %q: want http://HOST:PORT", c.Base)
	case c.Calls <= 0:
		return fmt.Errorf("calls: want at least 1, got %d", c.Calls)
	case c.Duration <= 0:
		return fmt.Errorf("duration: want more than 0, got %s", c.Duration)
	case c.Think < 0 || c.Ramp < 0:
		return errors.New("think and ramp must not be negative")
	case len(c.Transcripts) == 0:
		return errors.New("no transcripts to play")
	case len(c.Accounts) == 0:
		return errors.New("no accounts to sign in with")
	case c.Mode != "practice" && c.Mode != "exam":
		return fmt.Errorf("mode %q: want practice or exam", c.Mode)
	}
	return nil
}

// Report is what a run measured.
type Report struct {
	// Started and Ended count calls: every call that got its socket, and
	// those that got their end message.
	Started, Ended int64
	// Outcomes counts the ended calls by outcome.
	Outcomes map[string]int64
	// Turns counts replies answered by the caller; Latency summarises the
	// time from each reply sent to the caller's line received.
	Turns   int64
	Latency Summary
	// Errors counts failed calls and requests; FirstErrors holds the first
	// few of them. A clean refusal is not an error.
	Errors      int64
	FirstErrors []string
	// Refused counts call starts and socket opens the server refused
	// cleanly, by status (503 saturated, 429 over a quota), each with a
	// Retry-After the slot waited before trying again.
	Refused map[int]int64
	// Lost and Duplicated count server messages missing from, or seen
	// twice in, what the sockets received, by the call log's seqs.
	Lost, Duplicated int64
	// PeakLive is the most calls live at one moment.
	PeakLive int64
	Elapsed  time.Duration
}

// Write prints the report for a person.
func (r Report) Write(w io.Writer) {
	fmt.Fprintf(w, "elapsed %s, peak %d calls live\n", r.Elapsed.Round(time.Millisecond), r.PeakLive)
	fmt.Fprintf(w, "calls: %d started, %d completed (got their end)", r.Started, r.Ended)
	for _, o := range scenarios.Outcomes() {
		if n := r.Outcomes[o]; n > 0 {
			fmt.Fprintf(w, ", %s %d", o, n)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "turns: %d, latency p50 %s, p99 %s, max %s\n", r.Turns, ms(r.Latency.P50), ms(r.Latency.P99), ms(r.Latency.Max))
	var refused int64
	for _, n := range r.Refused {
		refused += n
	}
	fmt.Fprintf(w, "refused cleanly: %d", refused)
	for _, code := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		if n := r.Refused[code]; n > 0 {
			fmt.Fprintf(w, ", %d × %d", n, code)
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "errors: %d, lost messages: %d, duplicated messages: %d\n", r.Errors, r.Lost, r.Duplicated)
	for _, e := range r.FirstErrors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1fms", float64(d)/float64(time.Millisecond)) }

// maxFirstErrors is how many error messages a report keeps.
const maxFirstErrors = 5

// runner is one run's shared state.
type runner struct {
	cfg      Config
	client   *http.Client
	deadline time.Time
	lat      Latencies

	started, ended, turns atomic.Int64
	errs, lost, dup       atomic.Int64
	live, peak            atomic.Int64

	mu       sync.Mutex
	outcomes map[string]int64
	refused  map[int]int64
	first    []string
}

// Run signs the accounts in, keeps cfg.Calls calls live for cfg.Duration,
// lets the live ones hang up, and reports. A cancelled ctx ends the run
// early with what was measured so far.
func Run(ctx context.Context, cfg Config) (Report, error) {
	cfg.setDefaults()
	if err := cfg.validate(); err != nil {
		return Report{}, fmt.Errorf("load test: %w", err)
	}
	cfg.Base = strings.TrimRight(cfg.Base, "/")
	r := &runner{
		cfg: cfg,
		client: &http.Client{
			Timeout: cfg.Wait,
			Transport: &http.Transport{
				MaxIdleConns:        256,
				MaxIdleConnsPerHost: 256,
				IdleConnTimeout:     30 * time.Second,
			},
		},
		outcomes: map[string]int64{},
		refused:  map[int]int64{},
	}
	defer r.client.CloseIdleConnections()
	cookies, err := login(ctx, r.client, cfg.Base, cfg.Accounts)
	if err != nil {
		return Report{}, fmt.Errorf("load test: %w", err)
	}

	start := time.Now()
	r.deadline = start.Add(cfg.Duration)
	stopProgress := make(chan struct{})
	var progress sync.WaitGroup
	if cfg.Progress != nil {
		progress.Go(func() { r.progress(start, stopProgress) })
	}
	var wg sync.WaitGroup
	for i := range cfg.Calls {
		wg.Go(func() { r.slot(ctx, i, cookies[i%len(cookies)]) })
	}
	wg.Wait()
	close(stopProgress)
	progress.Wait()

	r.mu.Lock()
	defer r.mu.Unlock()
	return Report{
		Started: r.started.Load(), Ended: r.ended.Load(), Outcomes: r.outcomes,
		Turns: r.turns.Load(), Latency: r.lat.Summary(),
		Errors: r.errs.Load(), FirstErrors: r.first, Refused: r.refused,
		Lost: r.lost.Load(), Duplicated: r.dup.Load(),
		PeakLive: r.peak.Load(), Elapsed: time.Since(start),
	}, nil
}

// slot keeps one call live until the deadline: when a call ends the next
// starts, playing the next transcript.
func (r *runner) slot(ctx context.Context, i int, cookie string) {
	if !pause(ctx, r.cfg.Ramp*time.Duration(i)/time.Duration(r.cfg.Calls)) {
		return
	}
	for n := i; ctx.Err() == nil && time.Now().Before(r.deadline); n++ {
		tr := r.cfg.Transcripts[n%len(r.cfg.Transcripts)]
		if err := r.call(ctx, cookie, tr); err != nil {
			if ctx.Err() != nil {
				return
			}
			var ref *refusal
			if errors.As(err, &ref) {
				if !ref.counted {
					r.countRefusal(ref)
				}
				// Tried again when the server said, not sooner, and
				// not past the run's end.
				if !pause(ctx, min(ref.retry, time.Until(r.deadline))) {
					return
				}
				continue
			}
			r.fail(err)
			// A failing server is not hammered by a tight loop.
			if !pause(ctx, r.cfg.Think) {
				return
			}
		}
	}
}

// refusal is a clean "not now" from the server: a status (503 or 429)
// with a Retry-After.
type refusal struct {
	status int
	retry  time.Duration
	what   string
	// counted says the refusal is in the report already.
	counted bool
}

// countRefusal adds a refusal to the report.
func (r *runner) countRefusal(ref *refusal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refused[ref.status]++
}

func (e *refusal) Error() string {
	return fmt.Sprintf("%s refused: %d, retry after %s", e.what, e.status, e.retry)
}

// asRefusal reads a response as a clean refusal: 503 or 429 with a
// Retry-After of whole seconds. Anything else is nil.
func asRefusal(resp *http.Response, what string) *refusal {
	if resp == nil || (resp.StatusCode != http.StatusServiceUnavailable && resp.StatusCode != http.StatusTooManyRequests) {
		return nil
	}
	secs, err := strconv.Atoi(resp.Header.Get("Retry-After"))
	if err != nil || secs < 0 {
		return nil
	}
	return &refusal{status: resp.StatusCode, retry: time.Duration(secs) * time.Second, what: what}
}

// fail counts an error and keeps its message if it is among the first.
func (r *runner) fail(err error) {
	r.errs.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.first) < maxFirstErrors {
		r.first = append(r.first, err.Error())
	}
}

func (r *runner) progress(start time.Time, stop <-chan struct{}) {
	t := time.NewTicker(r.cfg.ProgressEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		s := r.lat.TakeRecent()
		fmt.Fprintf(r.cfg.Progress, "%6.1fs live %d started %d ended %d turns %d (+%d: p50 %s p99 %s max %s) errors %d lost %d dup %d\n",
			time.Since(start).Seconds(), r.live.Load(), r.started.Load(), r.ended.Load(), r.turns.Load(),
			s.Count, ms(s.P50), ms(s.P99), ms(s.Max), r.errs.Load(), r.lost.Load(), r.dup.Load())
	}
}

// pause waits d or until ctx ends, reporting whether the wait completed.
func pause(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
