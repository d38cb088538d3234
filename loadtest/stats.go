package loadtest

import (
	"math"
	"slices"
	"sync"
	"time"
)

// Latencies records turn latencies and answers quantiles over them. It
// keeps every sample: a run of a few minutes makes a few hundred thousand
// at most, and exact quantiles need no bucket-width caveats in the report.
// It is safe for concurrent use.
type Latencies struct {
	mu      sync.Mutex
	all     []time.Duration
	recent  []time.Duration
	maximum time.Duration
}

// Add records one sample.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, d)
	l.recent = append(l.recent, d)
	l.maximum = max(l.maximum, d)
}

// Summary is the quantiles of a set of samples.
type Summary struct {
	Count         int
	P50, P99, Max time.Duration
}

// Summary summarises every sample so far.
func (l *Latencies) Summary() Summary {
	l.mu.Lock()
	all := slices.Clone(l.all)
	l.mu.Unlock()
	return summarise(all)
}

// TakeRecent summarises the samples since the last call and forgets them,
// for progress lines that show how the tail moves during a run.
func (l *Latencies) TakeRecent() Summary {
	l.mu.Lock()
	recent := l.recent
	l.recent = nil
	l.mu.Unlock()
	return summarise(recent)
}

func summarise(samples []time.Duration) Summary {
	slices.Sort(samples)
	return Summary{
		Count: len(samples),
		P50:   Quantile(samples, 0.50),
		P99:   Quantile(samples, 0.99),
		Max:   Quantile(samples, 1),
	}
}

// Quantile returns the q-quantile (0 < q <= 1) of sorted samples by the
// nearest-rank method: the smallest sample that at least q of all samples
// are less than or equal to. No samples give 0.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(q * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

// seqCheck follows the seqs of one call's messages as one client sees
// them. The call's log numbers the trainee's events (opening the socket,
// each reply, the hang-up) and the server's messages under one gap-free
// seq, and only the server's messages reach the socket, so the client
// expects gaps exactly as many as the trainee events it caused.
type seqCheck struct {
	last     int64
	received int64
	// owed counts trainee events the client caused whose seq has not yet
	// shown up as a gap.
	owed int64
	// lost and dup are messages missing and messages seen twice.
	lost, dup int64
}

// trainee notes one trainee event the server stored: the socket opening,
// a reply, the hang-up.
func (c *seqCheck) trainee() { c.owed++ }

// message checks one server message's seq. An error message repeats the
// seq of the last message and is not passed here.
func (c *seqCheck) message(seq int64) {
	if seq <= c.last {
		c.dup++
		return
	}
	gap := seq - c.last - 1
	if gap > c.owed {
		c.lost += gap - c.owed
		gap = c.owed
	}
	c.owed -= gap
	c.last = seq
	c.received++
}

// ended settles the account once the call's last message (end) is in.
// Nothing is stored after the end, so a trainee event still owed a gap was
// never stored; that is expected for at most unsure events (a reply or
// hang-up that crossed the end and got no answer), and any more mean the
// log and what the client saw disagree by a message, counted as lost.
func (c *seqCheck) ended(unsure int64) {
	c.lost += max(c.owed-unsure, 0)
	c.owed = 0
}
