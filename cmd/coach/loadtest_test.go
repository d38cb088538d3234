package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestLoadtestUsage: a run that cannot work is refused before it starts,
// with a message naming the flag.
func TestLoadtestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no accounts", []string{"--calls", "2"}, "either --username"},
		{"both account sources", []string{"--username", "li", "--password-stdin", "--data", t.TempDir()}, "either --username"},
		{"username without password", []string{"--username", "li"}, "--password-stdin"},
		{"no calls", []string{"--calls", "0", "--data", t.TempDir()}, "--calls"},
		{"negative think", []string{"--think", "-1s", "--data", t.TempDir()}, "--think"},
		{"stray argument", []string{"--data", t.TempDir(), "extra"}, `"extra"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			err := runLoadtest(context.Background(), tc.args, strings.NewReader(""), &bytes.Buffer{}, &stderr)
			require.Error(t, err)
			assert.ErrorAs(t, err, new(usageError))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestLoadtestUnknownScenario names the scenario that has no model answer.
func TestLoadtestUnknownScenario(t *testing.T) {
	err := runLoadtest(context.Background(), []string{"--data", t.TempDir(), "--scenario", "leak,no-such"},
		strings.NewReader(""), &bytes.Buffer{}, &bytes.Buffer{})
	require.ErrorContains(t, err, `"no-such"`)
}
