package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/hotlinecoach/coach/app"
	"github.com/hotlinecoach/coach/internal/fdlimit"
	"github.com/hotlinecoach/coach/store"
	"github.com/hotlinecoach/coach/web"
)

// Defaults of coach serve, as docs/contracts.md gives them.
const (
	defaultAddr = "127.0.0.1:8080"
	defaultData = "./coach-data"
)

// runServe is `coach serve`: it opens (and if need be creates) the database,
// then serves the site until the context is cancelled by SIGINT or SIGTERM.
func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("serve", stderr)
	addr := fs.String("addr", defaultAddr, "`HOST:PORT` to listen on")
	data := fs.String("data", defaultData, "data `folder`, created if missing; holds the SQLite database unless --db is given")
	dsn := fs.String("db", "", "database: a SQLite file `path` or a postgres:// URL (default: coach.db in the data folder)")
	secure := fs.Bool("secure-cookies", false, "mark cookies Secure even on plain HTTP, behind a proxy that terminates TLS")
	proxies := fs.String("trusted-proxies", "", "comma-separated `addresses` or CIDR ranges of proxies whose X-Forwarded-For is believed")
	origins := fs.String("trusted-origins", "", "comma-separated other `origins` (scheme://host[:port]) allowed to post to this site")
	cert := fs.String("tls-cert", "", "TLS certificate `file`; with --tls-key, serve HTTPS")
	key := fs.String("tls-key", "", "TLS private key `file`")
	logJSON := fs.Bool("log-json", false, "write logs as JSON lines instead of text")
	xapiBase := fs.String("xapi-base", "", "`IRI` that exported xAPI statements' activities and accounts start with, e.g. https://lms.example.com/coach")
	timezone := fs.String("timezone", web.DefaultTimeZone, "IANA time `zone` of every date people read (pages, CSV, date filters); storage, the API and xAPI stay in UTC")
	maxCalls := fs.Int("max-calls", 0, "fixed ceiling on live calls, past which new calls get 503 (0: none; the server also learns one from saturation)")
	pprofAddr := fs.String("pprof", "", "also serve the Prometheus /metrics and Go's pprof profiles on this private `HOST:PORT` (the site's address has no /metrics)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	if *maxCalls < 0 {
		return usageError{fmt.Sprintf("--max-calls: want 0 or more, got %d", *maxCalls)}
	}
	if (*cert == "") != (*key == "") {
		return usageError{"--tls-cert and --tls-key go together"}
	}

	loc, err := time.LoadLocation(*timezone)
	if err != nil {
		return usageError{fmt.Sprintf("--timezone: %v", err)}
	}

	var handler slog.Handler = slog.NewTextHandler(stderr, nil)
	if *logJSON {
		handler = slog.NewJSONHandler(stderr, nil)
	}
	logger := slog.New(handler)
	gin.SetMode(gin.ReleaseMode)

	db, err := openStore(ctx, *data, *dsn)
	if err != nil {
		return err
	}
	db.OnBackgroundError(func(err error) { logger.Error("store background work", "err", err) })
	defer db.Close()
	srv, err := web.New(db, logger, web.Config{
		SecureCookies:  *secure,
		TrustedProxies: splitList(*proxies),
		TrustedOrigins: splitList(*origins),
		TLSCertFile:    *cert,
		TLSKeyFile:     *key,
		XAPIBase:       *xapiBase,
		Location:       loc,
		MaxLiveCalls:   *maxCalls,
	})
	if err != nil {
		return err
	}
	if _, err := fdlimit.Raise(); err != nil {
		logger.Warn("open-file limit", "err", err)
	}
	if *pprofAddr != "" {
		stopProfiles, err := servePrivate(*pprofAddr, srv.MetricsHandler(), logger)
		if err != nil {
			return err
		}
		defer stopProfiles()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	logger.Info("serving", "addr", ln.Addr().String(), "db", db.Dialect(), "data", *data)
	fmt.Fprintf(stdout, "coach: serving on %s://%s\n", scheme, ln.Addr())
	// A store with no admin yet gets a one-time link that makes the first.
	token, err := srv.SetupToken(ctx)
	if err != nil {
		return errors.Join(err, ln.Close())
	}
	if token != "" {
		fmt.Fprintf(stdout, "coach: no admin account yet; open this link once to create it (valid %s):\n  %s://%s/setup?token=%s\n",
			app.SetupTTL, scheme, ln.Addr(), token)
	}
	return srv.Serve(ctx, ln)
}

// servePrivate serves the metrics and net/http/pprof's handlers on their
// own listener, so that neither is reachable through the site's address.
func servePrivate(addr string, metrics http.Handler, logger *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen for pprof on %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", metrics)
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Error("pprof server", "err", err)
		}
	}()
	logger.Info("serving pprof", "addr", ln.Addr().String())
	return func() { _ = srv.Close() }, nil // profiles are best effort
}

// openStore creates the data folder and opens the database: dsn when given,
// else the SQLite file coach.db inside the folder.
func openStore(ctx context.Context, dataDir, dsn string) (*store.DB, error) {
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder: %w", err)
	}
	if dsn == "" {
		dsn = filepath.Join(dataDir, "coach.db")
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
