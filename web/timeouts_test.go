package web

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/hotlinecoach/coach/domain"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSlowBodyIsCut: a client that sends a body byte by byte loses the
// connection once BodyTimeout has passed, while a call's websocket opened
// before it is not cut by the same timeout.
func TestSlowBodyIsCut(t *testing.T) {
	const timeout = 300 * time.Millisecond
	env, lib := newCallEnv(t, func(c *Config) { c.BodyTimeout = timeout })
	ts := httptest.NewUnstartedServer(nil)
	ts.Config = env.srv.HTTPServer()
	ts.Start()
	t.Cleanup(ts.Close)
	addr := ts.Listener.Addr().String()

	token, _ := env.session(env.addUser("li", domain.RoleTrainee))
	id, _ := env.startCall(token, lib.Scenarios[0].ID, "practice")
	ws := mustDial(t, ts, token, id, -1)
	readUntil(t, ws, "ring")

	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	start := time.Now()
	_, err = fmt.Fprintf(conn, "POST /api/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{", addr)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(10*time.Second)))
	// The server gives up reading: it answers (400) or just closes; either
	// way the connection ends long before the client would have finished.
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		assert.GreaterOrEqual(t, resp.StatusCode, 400)
		_, err = conn.Read(make([]byte, 1))
	}
	var ne net.Error
	require.False(t, errors.As(err, &ne) && ne.Timeout(), "connection still open after 10s: %v", err)
	assert.Less(t, time.Since(start), 5*time.Second)

	// The websocket is older than the timeout and still talks.
	send(t, ws, say("您好，请问有什么可以帮您？"))
	m := read(t, ws)
	assert.NotEqual(t, "error", m.Type)
}

// TestHSTSUnderTLS: Strict-Transport-Security on answers over TLS only.
func TestHSTSUnderTLS(t *testing.T) {
	env := newEnv(t)
	req := getReq("/login")
	req.TLS = &tls.ConnectionState{}
	w := env.do(req)
	assert.Equal(t, hsts, w.Header().Get("Strict-Transport-Security"))
	assert.True(t, strings.Contains(hsts, "max-age=31536000"))
	w = env.do(getReq("/login"))
	assert.Empty(t, w.Header().Get("Strict-Transport-Security"))
}
