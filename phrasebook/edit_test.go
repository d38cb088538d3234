package phrasebook

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddVariant(t *testing.T) {
	const block = `entries:
  # greetings
  - id: hello
    intent: greeting
    kind: required
    text: 您好
    variants:
      - 你好
      - 早上好
  - id: bare
    intent: greeting
    kind: required
    text: 晚上好
`
	tests := []struct {
		name, file, id, variant string
		want                    string // the one changed or added line
	}{
		{"block list", block, "hello", "下午好", "      - 下午好\n"},
		{"no variants", block, "bare", "晚上好呀", "    variants: [晚上好呀]\n"},
		{"needs quotes", block, "bare", "好, 您说", `    variants: ["好, 您说"]` + "\n"},
		{"flow list", "entries:\n  - id: f\n    intent: greeting\n    kind: required\n    text: 您好\n    variants: [你好, 您好呀]  # two\n", "f", "哈喽",
			"    variants: [你好, 您好呀, 哈喽]  # two\n"},
		{"empty flow list", "entries:\n  - id: f\n    intent: greeting\n    kind: required\n    text: 您好\n    variants: []\n", "f", "哈喽",
			"    variants: [哈喽]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AddVariant("x.yaml", []byte(tt.file), tt.id, tt.variant)
			require.NoError(t, err)
			assert.Contains(t, string(out), tt.want)
			before := strings.Count(tt.file, "\n")
			after := strings.Count(string(out), "\n")
			assert.LessOrEqual(t, after-before, 1, "at most one line added")
			entries, err := ParseEntries("x.yaml", out)
			require.NoError(t, err)
			for _, e := range entries {
				if e.ID == tt.id {
					assert.Contains(t, e.Variants, tt.variant)
				}
			}
		})
	}

	same, err := AddVariant("x.yaml", []byte(block), "hello", "你好！")
	require.NoError(t, err)
	assert.Equal(t, block, string(same), "a wording the entry has already is not added again")
	_, err = AddVariant("x.yaml", []byte(block), "nope", "嗨")
	assert.ErrorContains(t, err, `no entry "nope"`)
	_, err = AddVariant("x.yaml", []byte("entries: [\n"), "hello", "嗨")
	assert.Error(t, err)
}

func TestAddVariantBuiltin(t *testing.T) {
	data, err := fs.ReadFile(BuiltinFS(), "builtin/handling.yaml")
	require.NoError(t, err)
	out, err := AddVariant("handling.yaml", data, "ticket.number", "回执码")
	require.NoError(t, err)
	assert.Equal(t, strings.Count(string(data), "\n"), strings.Count(string(out), "\n"), "one line changed in place")
	assert.Contains(t, string(out), "编号为, 回执码]")
}
