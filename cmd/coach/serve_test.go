package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestServeEndToEnd runs `coach user add` and `coach serve` as a fresh
// install would, signs in over real HTTP and stops the server with the
// context, as SIGINT does.
func TestServeEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "coach-data")
	require.NoError(t, runUser(context.Background(),
		[]string{"add", "--data", dir, "--username", "admin", "--role", "admin", "--password-stdin"},
		strings.NewReader("值班长的初始密码2025\n"), io.Discard, io.Discard))

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--data", dir}, nil, outW, io.Discard)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	require.NoError(t, err)
	base, ok := strings.CutPrefix(strings.TrimSpace(line), "coach: serving on ")
	require.True(t, ok, line)
	go io.Copy(io.Discard, outR)

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(base + "/healthz")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = client.Post(base+"/api/login", "application/json",
		strings.NewReader(`{"username":"admin","password":"值班长的初始密码2025"}`))
	require.NoError(t, err)
	var body struct {
		User struct{ Username, Role string }
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "admin", body.User.Role)

	_, err = os.Stat(filepath.Join(dir, "coach.db"))
	assert.NoError(t, err, "the SQLite database is in the data folder")

	client.CloseIdleConnections()
	cancel()
	require.NoError(t, <-done)
}

// TestServeFirstRun: on an empty data folder coach serve prints a setup
// link; POST /api/setup with it makes the admin and signs them in; the
// link then works no more, and /metrics is not on the site's address but on
// the private one.
func TestServeFirstRun(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "coach-data")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, []string{"--addr", "127.0.0.1:0", "--data", dir, "--pprof", "127.0.0.1:0"}, nil, outW, io.Discard)
		outW.Close()
	}()
	r := bufio.NewReader(outR)
	var lines []string
	for len(lines) < 3 {
		line, err := r.ReadString('\n')
		require.NoError(t, err)
		lines = append(lines, strings.TrimSpace(line))
	}
	go io.Copy(io.Discard, outR)
	base, ok := strings.CutPrefix(lines[0], "coach: serving on ")
	require.True(t, ok, lines)
	assert.Contains(t, lines[1], "no admin account yet")
	link := lines[2]
	require.True(t, strings.HasPrefix(link, base+"/setup?token="), link)
	token := strings.TrimPrefix(link, base+"/setup?token=")

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	get := func(path string) int {
		resp, err := client.Get(base + path)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusOK, get("/setup?token="+token))
	assert.Equal(t, http.StatusNotFound, get("/metrics"), "no anonymous metrics on the site's address")

	body := `{"token":"` + token + `","username":"boss","password":"值班长的初始密码2025","name":"王建国"}`
	resp, err := client.Post(base+"/api/setup", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var session bool
	for _, c := range resp.Cookies() {
		session = session || c.Name == "coach_session"
	}
	assert.True(t, session, "signed in")
	resp, err = client.Post(base+"/api/setup", "application/json", strings.NewReader(body))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "the link works once")
	assert.Equal(t, http.StatusNotFound, get("/setup?token="+token))

	client.CloseIdleConnections()
	cancel()
	require.NoError(t, <-done)
}

func TestServeFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"--tls-cert", "a.pem"}, "--tls-cert and --tls-key go together"},
		{[]string{"stray"}, `unexpected argument "stray"`},
		{[]string{"--nope"}, "flag provided but not defined"},
		{[]string{"--timezone", "Mars/Olympus"}, "--timezone"},
		{[]string{"--max-calls", "-1"}, "--max-calls: want 0 or more"},
	}
	for _, tt := range tests {
		err := runServe(context.Background(), tt.args, nil, io.Discard, io.Discard)
		require.ErrorContains(t, err, tt.wantErr)
		assert.True(t, isUsage(err))
	}
}
