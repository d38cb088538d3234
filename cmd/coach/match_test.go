package main

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hotlinecoach/coach/phrasebook"
)

// TestMatchCommand runs `coach match` on the examples: the intents
// each reply carries, and a promised time in the JSON.
func TestMatchCommand(t *testing.T) {
	tests := []struct {
		text      string
		want      []phrasebook.Intent
		forbidden bool
		seconds   int64
	}{
		{"我这边已经帮您把报修单登记好了", []phrasebook.Intent{"ticket"}, false, 0},
		{"您把名字和手机号报一下，再说下具体住哪栋哪户", []phrasebook.Intent{"ask-name", "ask-contact", "ask-address"}, false, 0},
		{"师傅一个半钟头以内到", []phrasebook.Intent{"commit"}, false, 5400},
		{"您楼上那户也欠着呢", []phrasebook.Intent{"private"}, true, 0},
		{"我了解了，我们想办法", nil, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.NoError(t, runMatch(context.Background(), []string{tt.text}, strings.NewReader(""), &out, &errOut))
			var hits []phrasebook.Hit
			require.NoError(t, json.Unmarshal(out.Bytes(), &hits))
			got := map[phrasebook.Intent]phrasebook.Hit{}
			forbidden := false
			for _, h := range hits {
				got[h.Intent] = h
				forbidden = forbidden || h.Kind == phrasebook.Forbidden
			}
			for _, w := range tt.want {
				assert.Contains(t, got, w)
			}
			assert.Equal(t, tt.forbidden, forbidden, "forbidden hits in %v", hits)
			if tt.seconds > 0 {
				h := got["commit"]
				require.NotNil(t, h.Value, "commit carries its time")
				assert.Equal(t, tt.seconds, h.Value.Seconds)
				assert.True(t, slices.Contains([]string{"duration", "time"}, string(h.Value.Type)))
			}
		})
	}
}
