package web

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's own Prometheus collectors, registered on the
// Server's registry rather than the process-wide default, so that two
// servers in one test binary do not collide.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	logins   *prometheus.CounterVec
	// turns counts trainee replies; liveCalls the calls whose engine this
	// instance holds.
	turns     prometheus.Counter
	liveCalls prometheus.Gauge
	// overloaded is 1 while new calls are refused; refused counts the
	// refusals.
	overloaded prometheus.Gauge
	refused    prometheus.Counter
}

func newMetrics(reg *prometheus.Registry) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_http_requests_total",
			Help: "HTTP requests answered, by method, route pattern and status code.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "coach_http_request_duration_seconds",
			Help:    "Time to answer an HTTP request, by method and route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"method", "route"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_http_errors_total",
			Help: "Error answers, by error code.",
		}, []string{"code"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "coach_logins_total",
			Help: "Login attempts, by result (ok, bad_credentials, rate_limited).",
		}, []string{"result"}),
		turns: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coach_call_turns_total",
			Help: "Trainee replies received on call websockets.",
		}),
		liveCalls: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "coach_calls_live",
			Help: "Live calls whose engine this instance holds.",
		}),
		overloaded: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "coach_overloaded",
			Help: "1 while the server is saturated and refuses new calls.",
		}),
		refused: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "coach_overload_refusals_total",
			Help: "Call starts and first socket opens refused with 503 while saturated.",
		}),
	}
	for _, c := range []prometheus.Collector{
		m.requests, m.duration, m.errors, m.logins, m.turns, m.liveCalls, m.overloaded, m.refused,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register metrics: %w", err)
		}
	}
	return m, nil
}

// LiveCalls counts calls whose engine this instance holds (live.Metrics).
func (m *metrics) LiveCalls(delta int) { m.liveCalls.Add(float64(delta)) }

// Turn counts a trainee reply (live.Metrics).
func (m *metrics) Turn() { m.turns.Inc() }
