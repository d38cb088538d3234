package web

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/hotlinecoach/coach/store"
)

// sessionSockets knows which session opened each call socket on this
// instance, so that a session's end closes its sockets at once: logout,
// a disabled account, a change of role or password. Ends made here close
// the sockets directly; every instance also reads the store's log of
// session ends (store.SessionEnd), so an end made on another instance or
// from the command line closes them within one poll.
type sessionSockets struct {
	s *Server

	mu sync.Mutex
	// byUser maps a user to their open sockets, each with the session it
	// was opened with.
	byUser map[int64]map[*client]socketSession
	// after is the id of the last session end read from the store.
	after    int64
	watching bool
	closed   bool
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
}

func newSessionSockets(s *Server) *sessionSockets {
	ctx, cancel := context.WithCancel(context.Background())
	return &sessionSockets{s: s, byUser: map[int64]map[*client]socketSession{}, ctx: ctx, cancel: cancel}
}

// socketSession is the session a socket was opened with, and the message,
// in the socket's language, it is closed with when that session ends.
type socketSession struct {
	tokenHash string
	signedOut string
}

// add registers a socket opened by the session tokenHash of user, to be
// closed with the message signedOut, and starts reading the store's log of
// session ends if nothing does yet.
func (h *sessionSockets) add(ctx context.Context, userID int64, tokenHash, signedOut string, cl *client) error {
	h.mu.Lock()
	if !h.watching && !h.closed {
		h.mu.Unlock()
		last, err := h.s.store.LastSessionEnd(ctx)
		if err != nil {
			return err
		}
		h.mu.Lock()
		if !h.watching && !h.closed {
			h.watching, h.after = true, last
			h.wg.Add(1)
			go h.watch()
		}
	}
	defer h.mu.Unlock()
	m := h.byUser[userID]
	if m == nil {
		m = map[*client]socketSession{}
		h.byUser[userID] = m
	}
	m[cl] = socketSession{tokenHash: tokenHash, signedOut: signedOut}
	return nil
}

// remove forgets a socket that closed.
func (h *sessionSockets) remove(userID int64, cl *client) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m := h.byUser[userID]; m != nil {
		delete(m, cl)
		if len(m) == 0 {
			delete(h.byUser, userID)
		}
	}
}

// closeSession closes the sockets of user's session tokenHash, or of
// every session of the user when tokenHash is empty, with close code 1008
// (policy violation) after a message saying the session ended.
func (h *sessionSockets) closeSession(userID int64, tokenHash string) {
	h.mu.Lock()
	victims := map[*client]string{}
	for cl, ss := range h.byUser[userID] {
		if tokenHash == "" || ss.tokenHash == tokenHash {
			victims[cl] = ss.signedOut
			delete(h.byUser[userID], cl)
		}
	}
	if len(h.byUser[userID]) == 0 {
		delete(h.byUser, userID)
	}
	h.mu.Unlock()
	for cl, msg := range victims {
		cl.fail(closePolicy, msg)
	}
}

// watch reads the store's log of session ends every SessionPoll until the
// hub closes.
func (h *sessionSockets) watch() {
	defer h.wg.Done()
	t := time.NewTicker(h.s.cfg.SessionPoll)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-t.C:
			h.poll(h.ctx)
		}
	}
}

// poll closes the sockets of the sessions that ended since the last poll.
func (h *sessionSockets) poll(ctx context.Context) {
	h.mu.Lock()
	after := h.after
	h.mu.Unlock()
	for {
		ends, err := h.s.store.SessionEndsAfter(ctx, after, 500)
		if err != nil {
			if ctx.Err() == nil {
				h.s.log.Error("read session ends", "err", err)
			}
			return
		}
		for _, e := range ends {
			h.closeSession(e.UserID, e.TokenHash)
			after = e.ID
		}
		h.mu.Lock()
		h.after = after
		h.mu.Unlock()
		if len(ends) < 500 {
			return
		}
	}
}

// close stops reading the log.
func (h *sessionSockets) close() {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel()
	h.wg.Wait()
}

// sessionEnded reports whether the session the socket was opened with has
// ended since the request was authenticated, so a socket opened in a race
// with a logout does not outlive it.
func (s *Server) sessionEnded(ctx context.Context, tokenHash string) (bool, error) {
	_, _, err := s.store.SessionUser(ctx, tokenHash)
	if err == nil {
		return false, nil
	}
	if isNotFound(err) {
		return true, nil
	}
	return false, err
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
