package phrasebook

import (
	"math/rand/v2"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/stretchr/testify/require"
)

// TestCJKTermsMatchAnalyzer checks that cjkTerms gives bleve's cjk
// analyzer's terms at the same offsets, or declines, on the built-in
// wordings, normalised replies of every kind and random strings of
// ideographs, letters, digits and the odd character it must decline.
func TestCJKTermsMatchAnalyzer(t *testing.T) {
	analyzer := mapping.NewIndexMapping().AnalyzerNamed(cjk.AnalyzerName)
	require.NotNil(t, analyzer)
	m := &Matcher{analyzer: analyzer}
	type term struct {
		text string
		pos  int
	}
	var texts []string
	entries, err := Builtin()
	require.NoError(t, err)
	for _, e := range entries {
		texts = append(texts, e.Forms()...)
	}
	texts = append(texts, "您好2到4小时内上门", "wifi密码123abc重置", "a", "好", "1点5", "请问app账号是abc123吗", "ａｂｃ１２３", "カタカナ", "한국어", "𠀀好")
	alphabet := []rune("您好请问供热公司到点小时内abcxyz0123456789é한カ")
	rng := rand.New(rand.NewPCG(5, 6))
	for range 5000 {
		rs := make([]rune, 1+rng.IntN(20))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		texts = append(texts, string(rs))
	}
	fast := 0
	for _, text := range texts {
		s := Normalize(text).String()
		var want, got []term
		m.bigrams = false
		m.analyze(s, func(b []byte, pos int) { want = append(want, term{string(b), pos}) })
		if cjkTerms(s, func(b []byte, pos int) { got = append(got, term{string(b), pos}) }) {
			fast++
			require.Equal(t, want, got, "terms of %q", s)
		} else {
			require.Empty(t, got, "declined %q after emitting", s)
		}
	}
	require.Greater(t, fast, len(texts)/2, "cjkTerms declined most texts")
}
