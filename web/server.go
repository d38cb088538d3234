// Package web is the Gin server: pages rendered with html/template from
// embedded files, the JSON API, sessions, roles and CSRF protection.
package web

import (
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/websocket"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/auth"
	"github.com/hotlinecoach/coach/internal/admission"
	"github.com/hotlinecoach/coach/live"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
	"github.com/prometheus/client_golang/prometheus"
)

//go:embed templates static
var assets embed.FS

// Config holds the server's settings. The zero value of every field but
// Store means its documented default.
type Config struct {
	// SecureCookies marks cookies Secure even on plain HTTP, for a server
	// behind a proxy that terminates TLS. Under TLS they always are.
	SecureCookies bool
	// TrustedProxies lists the addresses (or CIDR ranges) whose
	// X-Forwarded-For header is believed when working out a client's IP,
	// which the login rate limit counts by. Default: none.
	TrustedProxies []string
	// TrustedOrigins lists other origins (scheme://host[:port]) whose
	// browsers may make state-changing requests.
	TrustedOrigins []string
	// TLSCertFile and TLSKeyFile, when both set, make Serve speak HTTPS.
	TLSCertFile, TLSKeyFile string

	// SessionIdle is how long a session lasts without use. Default 12h.
	SessionIdle time.Duration
	// SessionMaxAge is how long a session lasts however much it is used.
	// Default 7 days.
	SessionMaxAge time.Duration

	// Login is how sign-in attempts are throttled (app.LoginPolicy's
	// defaults: at most 5 checks per username and address, 200 failures per
	// address, per 15 minutes, with growing delays; never a lockout).
	Login app.LoginPolicy
	// Location is the time zone of every date and time people read: pages,
	// the CSV export and the date filters. Storage, the JSON API and xAPI
	// stay in UTC. Default Asia/Shanghai.
	Location *time.Location
	// OverloadDelay is the queueing delay (CPU run queue, store writes)
	// past which the server counts as saturated and refuses new calls and
	// first socket opens with 503, so that live calls keep their latency.
	// Default 10ms; negative turns admission control off.
	OverloadDelay time.Duration
	// MaxLiveCalls, when positive, is a fixed ceiling on live calls, for
	// an operator who knows the machine's capacity; past it, new calls get
	// 503 as when saturated. Admission learns a ceiling of its own either
	// way (package internal/admission).
	MaxLiveCalls int
	// MaxUnopenedCalls caps a user's live calls that no socket has opened;
	// past it, a call start is refused with 429. Default 3.
	MaxUnopenedCalls int
	// UnopenedTimeout is how long a call may wait for its first socket
	// before it ends as timed out. Default 10 minutes.
	UnopenedTimeout time.Duration
	// BodyTimeout bounds how long reading one request, headers and body,
	// may take. Default 30s.
	BodyTimeout time.Duration
	// SessionPoll is how often the log of ended sessions is read, so that
	// a logout or a disabled account on another instance closes this
	// one's sockets. Default 500ms.
	SessionPoll time.Duration

	// PasswordParams are the argon2id costs of the hash compared against
	// when a username does not exist, so that a missing account takes as
	// long to refuse as a wrong password. Default auth.DefaultParams().
	PasswordParams auth.Params

	// Now is the clock. Default time.Now.
	Now func() time.Time

	// Library and Book, when both set, are the only content calls use,
	// fixed for the server's life (app.LoadBuiltin gives both; tests use
	// it). Without them, calls use the content published in the store,
	// which starts as the built-in library and phrasebook.
	Library *scenarios.Library
	Book    *sim.Book
	// CallTick is how often live calls' clocks advance, for rings, the
	// caller checking a silent line and timeouts. Default 250ms.
	CallTick time.Duration

	// XAPIBase is the IRI every exported xAPI statement's activities,
	// account home page and own verbs start with; set it to an address
	// the company owns, and keep it, since learning record stores match
	// activities by IRI. Default https://hotline-coach.invalid.
	XAPIBase string
	// Instance names this server among those sharing one database, as the
	// owner of the live calls it drives. Default: the host name and a
	// random suffix, new at every start.
	Instance string
	// LeaseTTL is how long this instance's claim on a live call holds
	// without renewal; it renews every third of it. When an instance dies,
	// another takes up its calls once their leases run out. Default 30s.
	LeaseTTL time.Duration
	// OnCallEnd and OnCallLost, when set, hear of every call this instance
	// ends, and of every call it lets go because another instance took it
	// over (tests wait on them).
	OnCallEnd, OnCallLost func(id string)
}

func (c *Config) setDefaults() error {
	if c.Location == nil {
		loc, err := time.LoadLocation(DefaultTimeZone)
		if err != nil {
			return fmt.Errorf("time zone %s: %w", DefaultTimeZone, err)
		}
		c.Location = loc
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	// MaxUnopenedCalls and UnopenedTimeout take app.Config's defaults.
	c.SessionIdle = cmp.Or(c.SessionIdle, 12*time.Hour)
	c.SessionMaxAge = cmp.Or(c.SessionMaxAge, 7*24*time.Hour)
	c.OverloadDelay = cmp.Or(c.OverloadDelay, 10*time.Millisecond)
	c.BodyTimeout = cmp.Or(c.BodyTimeout, 30*time.Second)
	c.SessionPoll = cmp.Or(c.SessionPoll, 500*time.Millisecond)
	c.PasswordParams = cmp.Or(c.PasswordParams, auth.DefaultParams())
	c.XAPIBase = cmp.Or(c.XAPIBase, "https://hotline-coach.invalid")
	return nil
}

// DefaultTimeZone is the time zone of the people the product serves.
const DefaultTimeZone = "Asia/Shanghai"

// Server serves the site. Create it with New.
type Server struct {
	store   *store.DB
	log     *slog.Logger
	cfg     Config
	reg     *prometheus.Registry
	metrics *metrics
	cop     *http.CrossOriginProtection
	text    catalogue
	pages   map[string]*template.Template
	static  fs.FS
	routes  []route
	engine  *gin.Engine
	// calls holds the engines of the live calls this instance serves.
	calls *live.Registry
	// app holds the workflows; content is its content, which calls use.
	app     *app.App
	content *app.Content
	// upgrader turns call requests into websockets.
	upgrader websocket.Upgrader
	// issueText puts content problems into the page's language, and
	// auditRules the audit log's details.
	issueText  *issueTexts
	auditRules *auditRewrites
	// sockets closes a session's call sockets when it ends.
	sockets *sessionSockets
	// admission refuses new calls while the server is saturated.
	admission *admission.Controller
}

// New builds a server over st. The logger receives request logs and errors.
func New(st *store.DB, logger *slog.Logger, cfg Config) (*Server, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	s := &Server{
		store: st,
		log:   logger,
		cfg:   cfg,
		reg:   prometheus.NewRegistry(),
		cop:   http.NewCrossOriginProtection(),
	}
	for _, o := range cfg.TrustedOrigins {
		if err := s.cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("trusted origin %q: %w", o, err)
		}
	}
	if err := app.CheckXAPIBase(cfg.XAPIBase); err != nil {
		return nil, err
	}
	texts, err := loadTexts()
	if err != nil {
		return nil, err
	}
	s.text, s.issueText, s.auditRules = texts.messages, texts.issues, texts.audit
	if s.metrics, err = newMetrics(s.reg); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(templateFuncs(s.cfg.Location)); err != nil {
		return nil, err
	}
	if s.static, err = fs.Sub(assets, "static"); err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	if s.cfg.Login.DummyHash, err = auth.HashPassword("no such account", cfg.PasswordParams); err != nil {
		return nil, err
	}
	s.cfg.Login = s.cfg.Login.WithDefaults()
	s.sockets = newSessionSockets(s)
	s.app = app.New(st, logger, app.Config{Now: cfg.Now, Library: cfg.Library, Book: cfg.Book,
		MaxUnopenedCalls: cfg.MaxUnopenedCalls, UnopenedTimeout: cfg.UnopenedTimeout})
	s.content = s.app.Content()
	if s.calls, err = live.New(st, s.content, logger, live.Config{
		Instance: cfg.Instance, LeaseTTL: cfg.LeaseTTL, CallTick: cfg.CallTick, Now: cfg.Now,
		Metrics: s.metrics, OnEnd: cfg.OnCallEnd, OnLost: cfg.OnCallLost,
	}); err != nil {
		return nil, err
	}
	s.admission = admission.New(s.cfg.OverloadDelay, overloadWindow, s.calls.Len, s.cfg.MaxLiveCalls)
	s.admission.OnChange = func(over bool) {
		if over {
			s.metrics.overloaded.Set(1)
			s.log.Warn("saturated: refusing new calls", "target", s.cfg.OverloadDelay,
				"live", s.calls.Len(), "ceiling", s.admission.Ceiling())
		} else {
			s.metrics.overloaded.Set(0)
			s.log.Info("no longer saturated: taking new calls", "ceiling", s.admission.Ceiling())
		}
	}
	if s.cfg.OverloadDelay > 0 {
		// Live calls queue for the store's writers: their wait is the
		// second delay admission watches, next to the CPU's.
		st.ObserveAppendWait(func(d time.Duration) { s.admission.Observe(admission.Store, time.Now(), d) })
	}
	s.upgrader = websocket.Upgrader{
		ReadBufferSize:  4 << 10,
		WriteBufferSize: 4 << 10,
		CheckOrigin:     s.sameOrigin,
	}
	s.routes = s.routeTable()
	if s.engine, err = s.buildEngine(); err != nil {
		return nil, err
	}
	return s, nil
}

// Close ends every live call's clock and closes their websockets; the calls
// stay live in the store, and any instance resumes them from their events.
// Serve closes the server when it returns.
func (s *Server) Close() {
	s.sockets.close()
	s.calls.Close()
	s.app.Close()
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.engine }

// Registry returns the Prometheus registry /metrics serves, for the parts of
// the server that add their own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.reg }

// Serve answers requests on ln until ctx is cancelled, then stops accepting
// connections and waits up to shutdownGrace for requests in flight.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := s.HTTPServer()
	defer s.Close()
	if _, err := s.content.Refresh(ctx); err != nil {
		return fmt.Errorf("serve: load content: %w", err)
	}
	s.calls.Start(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.janitor(ctx)
	}()
	wg.Go(func() { s.admission.WatchScheduler(ctx, schedulerTick) })
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCertFile != "" && s.cfg.TLSKeyFile != "" {
			errc <- srv.ServeTLS(ln, s.cfg.TLSCertFile, s.cfg.TLSKeyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()

	var err error
	select {
	case err = <-errc:
		// The listener failed on its own; nothing is left to shut down.
	case <-ctx.Done():
		s.log.Info("shutting down", "grace", shutdownGrace)
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		err = srv.Shutdown(shutdownCtx)
		cancel()
		if serveErr := <-errc; !errors.Is(serveErr, http.ErrServerClosed) {
			err = errors.Join(err, serveErr)
		}
	}
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// HTTPServer is the http.Server Serve runs: the site's handler with its
// timeouts. ReadTimeout bounds reading a whole request, body included, so a
// client sending a body byte by byte cannot hold a connection; a call's
// websocket is exempt, since the upgrade clears the deadline and the socket
// keeps its own (pongs).
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: min(10*time.Second, s.cfg.BodyTimeout),
		ReadTimeout:       s.cfg.BodyTimeout,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// overloadWindow is the span whose smallest queueing delay decides whether
// the server is saturated; schedulerTick how often the run queue is
// sampled.
const (
	overloadWindow = 250 * time.Millisecond
	schedulerTick  = 5 * time.Millisecond
)

// errOverloaded refuses new work while the server is saturated.
func (s *Server) errOverloaded() *Error {
	s.metrics.refused.Inc()
	e := newError(http.StatusServiceUnavailable, "overloaded")
	e.RetryAfter = s.admission.Retry()
	return e
}

// shutdownGrace bounds how long Serve waits for requests in flight.
const shutdownGrace = 15 * time.Second

// janitorEvery is how often expired sessions and old login attempts are
// removed.
const janitorEvery = 10 * time.Minute

// janitor removes expired sessions and old login attempts until ctx ends.
// Attempts are kept for a day, well past the rate-limit window, so an admin
// can look into a burst of failures.
func (s *Server) janitor(ctx context.Context) {
	s.app.Janitor(ctx, janitorEvery, 24*time.Hour+s.cfg.Login.Window)
}
