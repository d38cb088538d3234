package loadtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/hotlinecoach/coach/auth"
)

// Account is a trainee the generator signs in as.
type Account struct {
	Username string
	Password string
}

// CreateTrainee stores a trainee account with an encoded password hash.
// The command wires it to the server's store.
type CreateTrainee func(ctx context.Context, username, passwordHash string) error

// accountParams are argon2id costs for throwaway load-test accounts: real
// argon2id hashes, cheap enough that signing in a thousand trainees does
// not dominate the run. Never use them for real accounts.
var accountParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// CreateAccounts makes n trainee accounts named PREFIX-0001… with random
// passwords through create. The prefix gets a random suffix, so runs
// against one store never collide.
func CreateAccounts(ctx context.Context, n int, prefix string, create CreateTrainee) ([]Account, error) {
	if n <= 0 {
		return nil, fmt.Errorf("create accounts: need at least one, got %d", n)
	}
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, fmt.Errorf("create accounts: %w", err)
	}
	run := prefix + "-" + hex.EncodeToString(b[:])
	out := make([]Account, n)
	for i := range out {
		name, err := auth.NormalizeUsername(fmt.Sprintf("%s-%04d", run, i+1))
		if err != nil {
			return nil, fmt.Errorf("create accounts: prefix %q: %w", prefix, err)
		}
		pw, err := auth.NewToken()
		if err != nil {
			return nil, err
		}
		hash, err := auth.HashPassword(pw, accountParams)
		if err != nil {
			return nil, err
		}
		if err := create(ctx, name, hash); err != nil {
			return nil, fmt.Errorf("create account %s: %w", name, err)
		}
		out[i] = Account{Username: name, Password: pw}
	}
	return out, nil
}

// loginConcurrency bounds how many sign-ins run at once before a run. A
// successful sign-in costs one argon2id verification on the server; the
// server's rate limit counts only failures, so the bound is about CPU.
const loginConcurrency = 8

// login signs every account in and returns each one's cookie header, in
// the order of accounts.
func login(ctx context.Context, client *http.Client, base string, accounts []Account) ([]string, error) {
	cookies := make([]string, len(accounts))
	errs := make([]error, len(accounts))
	sem := make(chan struct{}, loginConcurrency)
	var wg sync.WaitGroup
	for i, a := range accounts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			cookies[i], errs[i] = loginOne(ctx, client, base, a)
		})
	}
	wg.Wait()
	var failed []error
	for _, err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	switch len(failed) {
	case 0:
		return cookies, nil
	case 1:
		return nil, failed[0]
	}
	return nil, fmt.Errorf("%w (and %d more sign-ins failed)", failed[0], len(failed)-1)
}

func loginOne(ctx context.Context, client *http.Client, base string, a Account) (string, error) {
	body, err := json.Marshal(map[string]string{"username": a.Username, "password": a.Password})
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/login", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", a.Username, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("sign in %s: %w", a.Username, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sign in %s: %s: %s", a.Username, resp.Status, strings.TrimSpace(string(msg)))
	}
	var parts []string
	for _, c := range resp.Cookies() {
		parts = append(parts, c.Name+"="+c.Value)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("sign in %s: the server set no session cookie", a.Username)
	}
	return strings.Join(parts, "; "), nil
}
