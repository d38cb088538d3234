package phrasebook

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const variantFile = `# Asking for the address.
entries:
  - id: ask-address.where
    intent: ask-address
    kind: required
    text: 请问您的地址是
    variants: [您家住哪里, 您的住址]   # common ways
    domains: [all]

  - id: ask-address.block
    intent: ask-address
    kind: required
    text: 请问是哪栋楼
    variants:
      - 几号楼
      - 哪个单元
    domains: [all]

  - id: ask-address.bare
    intent: ask-address
    kind: required
    text: 请问具体位置
    domains: [all]
`

func TestAddVariant(t *testing.T) {
	tests := []struct {
		name, id, variant string
		// want is the changed line(s), replacing old.
		old, want string
	}{
		{"flow list", "ask-address.where", "麻烦说一下您的地址",
			"    variants: [您家住哪里, 您的住址]   # common ways\n",
			"    variants: [您家住哪里, 您的住址, 麻烦说一下您的地址]   # common ways\n"},
		{"block list", "ask-address.block", "几单元几号",
			"      - 哪个单元\n",
			"      - 哪个单元\n      - 几单元几号\n"},
		{"no variants yet", "ask-address.bare", "您在哪个小区",
			"    text: 请问具体位置\n",
			"    text: 请问具体位置\n    variants: [您在哪个小区]\n"},
		{"quoted when it must be", "ask-address.where", "地址: 几号楼, 几单元?",
			"    variants: [您家住哪里, 您的住址]   # common ways\n",
			"    variants: [您家住哪里, 您的住址, \"地址: 几号楼, 几单元?\"]   # common ways\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := AddVariant("address.yaml", []byte(variantFile), tc.id, "  "+tc.variant+" ")
			require.NoError(t, err)
			require.Equal(t, 1, strings.Count(variantFile, tc.old))
			assert.Equal(t, strings.Replace(variantFile, tc.old, tc.want, 1), string(out), "only that line changes")
			entries, err := ParseEntries("address.yaml", out)
			require.NoError(t, err)
			for _, e := range entries {
				if e.ID == tc.id {
					assert.Equal(t, tc.variant, e.Variants[len(e.Variants)-1])
				}
			}
		})
	}

	bad := []struct {
		name, id, variant, want string
	}{
		{"unknown entry", "ask-address.nope", "几号楼", `no entry "ask-address.nope"`},
		{"already a variant", "ask-address.block", "幾號樓", "already has this wording"},
		{"the text itself", "ask-address.where", "请问您的地址是？", "already has this wording"},
		{"empty", "ask-address.where", "  ", "empty"},
		{"line break", "ask-address.where", "几号\n楼", "line break"},
		{"too long", "ask-address.where", strings.Repeat("楼", 101), "longer than"},
	}
	for _, tc := range bad {
		_, err := AddVariant("address.yaml", []byte(variantFile), tc.id, tc.variant)
		require.Error(t, err, tc.name)
		assert.Contains(t, err.Error(), tc.want, tc.name)
		assert.Contains(t, err.Error(), "address.yaml", tc.name)
	}
	_, err := AddVariant("address.yaml", []byte(variantFile), "ask-address.block", "几号楼")
	assert.ErrorIs(t, err, ErrVariantExists)
	_, err = AddVariant("broken.yaml", []byte("entries: [\n"), "x", "y")
	assert.Error(t, err, "a file that does not parse")
}

// TestAddVariantBuiltin adds a wording to every entry of the built-in files:
// each edit parses and changes one line or adds one.
func TestAddVariantBuiltin(t *testing.T) {
	names, err := builtinFS.ReadDir("builtin")
	require.NoError(t, err)
	for _, n := range names {
		data, err := builtinFS.ReadFile("builtin/" + n.Name())
		require.NoError(t, err)
		entries, err := ParseEntries(n.Name(), data)
		require.NoError(t, err)
		for _, e := range entries {
			out, err := AddVariant(n.Name(), data, e.ID, "学员的新说法甲乙丙")
			require.NoError(t, err, "%s %s", n.Name(), e.ID)
			diff := strings.Count(string(out), "\n") - strings.Count(string(data), "\n")
			assert.LessOrEqual(t, diff, 1, "%s %s", n.Name(), e.ID)
		}
	}
}
