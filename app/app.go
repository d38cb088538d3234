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
}

// App is the application over one store. Create it with New and Close it
// when done.
type App struct {
	db      *store.DB
	log     *slog.Logger
	now     func() time.Time
	content *Content
}

// New makes the application over db; log may be nil.
func New(db *store.DB, log *slog.Logger, cfg Config) *App {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &App{db: db, log: log, now: cfg.Now, content: NewContent(db, log, cfg.Library, cfg.Book)}
}

// Content is the content calls run against.
func (a *App) Content() *Content { return a.content }

// Close stops the content's background builds and closes what it built.
// Live calls must be stopped first.
func (a *App) Close() { a.content.Close() }

// Janitor removes expired sessions and login attempts too old to count
// (older than keepLogins) every interval until ctx ends. Several instances
// may run it at once; the deletes are idempotent.
func (a *App) Janitor(ctx context.Context, every, keepLogins time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		a.sweep(ctx, keepLogins)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
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
}
