// Package app holds the application's workflows, without HTTP: starting
// calls and deciding who may see them, validating and publishing content,
// disputes, certification decisions and accounts. The web server and the
// command line both go through it, so each rule is written once. It reports
// failures by wrapping the kinds in package domain (not found, invalid,
// conflict, forbidden, unavailable); the transport turns them into
// statuses and messages.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
	"github.com/hotlinecoach/coach/store"
)

// Config holds the application's settings.
type Config struct {
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Library and Book, when both set, are the only content calls use,
	// fixed for the application's life (LoadBuiltin gives both; tests use
	// it). Without them, calls use the content published in the store,
	// which starts as the built-in library and phrasebook.
	Library *scenarios.Library
	Book    *sim.Book
	// MaxUnopenedCalls caps a user's live calls that no socket has opened;
	// past it, a call start is refused with a *TooManyCalls. Default 3.
	MaxUnopenedCalls int
	// UnopenedTimeout is how long a call may wait for its first socket
	// before ExpireUnopened ends it as timed out. Default 10 minutes.
	UnopenedTimeout time.Duration
}

// App is the application over one store. Create it with New and Close it
// when done.
type App struct {
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
	content *Content
	// maxUnopened and unopenedTimeout are Config's.
	maxUnopened     int
	unopenedTimeout time.Duration
}

// New makes the application over db; log may be nil.
func New(db *store.DB, log *slog.Logger, cfg Config) *App {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.MaxUnopenedCalls == 0 {
		cfg.MaxUnopenedCalls = 3
	}
	if cfg.UnopenedTimeout == 0 {
		cfg.UnopenedTimeout = 10 * time.Minute
	}
	return &App{db: db, log: log, now: cfg.Now, content: NewContent(db, log, cfg.Library, cfg.Book),
		maxUnopened: cfg.MaxUnopenedCalls, unopenedTimeout: cfg.UnopenedTimeout}
}

// Content is the content calls run against.
func (a *App) Content() *Content { return a.content }

// Close stops the content's background builds and closes what it built.
// Live calls must be stopped first.
func (a *App) Close() { a.content.Close() }

// Janitor removes expired sessions, login attempts and throttle counts too
// old to count (older than keepLogins) and the log of ended sessions past
// an hour, every interval; and ends the calls no socket opened within
// UnopenedTimeout, a tenth of that timeout apart; until ctx ends. Several
// instances may run it at once; each step is idempotent.
func (a *App) Janitor(ctx context.Context, every, keepLogins time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	u := time.NewTicker(min(every, a.unopenedTimeout/10))
	defer u.Stop()
	a.sweep(ctx, keepLogins)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			a.sweep(ctx, keepLogins)
		case <-u.C:
			if _, err := a.ExpireUnopened(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("time out unopened calls", "err", err)
			}
		}
	}
}

func (a *App) sweep(ctx context.Context, keepLogins time.Duration) {
	now := a.now()
	if n, err := a.db.DeleteExpiredSessions(ctx, now); err != nil {
		if ctx.Err() == nil {
			a.log.Error("sweep sessions", "err", err)
		}
	} else if n > 0 {
		a.log.Info("removed expired sessions", "count", n)
	}
	if _, err := a.db.PruneLoginAttempts(ctx, now.Add(-keepLogins)); err != nil && ctx.Err() == nil {
		a.log.Error("prune login attempts", "err", err)
	}
	if err := a.db.PruneLoginThrottle(ctx, now.Add(-keepLogins)); err != nil && ctx.Err() == nil {
		a.log.Error("prune login throttle", "err", err)
	}
	// Every instance reads the log within a poll; an hour is ample.
	if err := a.db.PruneSessionEnds(ctx, now.Add(-time.Hour)); err != nil && ctx.Err() == nil {
		a.log.Error("prune session ends", "err", err)
	}
}
