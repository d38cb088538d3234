package phrasebook

import (
	"sync"

	"github.com/mozillazg/go-pinyin"
)

// sound identifies the toneless syllables a character can be read as (at
// most two; zero means none known). Dictated replies are full of characters
// that sound right and are written wrong (共热 for 供热, 在见 for 再见); the
// matcher forgives such a slip more readily than a different word.
type sound [2]uint16

// alike reports whether two characters share a reading.
func (a sound) alike(b sound) bool {
	if a[0] == 0 || b[0] == 0 {
		return false
	}
	return a[0] == b[0] || a[0] == b[1] || (a[1] != 0 && (a[1] == b[0] || a[1] == b[1]))
}

// soundTable maps characters to their sounds. It is derived once from the
// pinyin data of github.com/mozillazg/go-pinyin and never changes after.
var soundTable = sync.OnceValue(func() map[rune]sound {
	args := pinyin.Args{Style: pinyin.Normal, Heteronym: true}
	ids := map[string]uint16{}
	table := make(map[rune]sound, len(pinyin.PinyinDict))
	for r := range pinyin.PinyinDict {
		var s sound
		for i, syl := range pinyin.SinglePinyin(rune(r), args) {
			if i == len(s) {
				break
			}
			id, ok := ids[syl]
			if !ok {
				id = uint16(len(ids) + 1)
				ids[syl] = id
			}
			s[i] = id
		}
		table[rune(r)] = s
	}
	return table
})

// soundsOf returns the sound of each rune.
func soundsOf(rs []rune) []sound {
	table := soundTable()
	out := make([]sound, len(rs))
	for i, r := range rs {
		out[i] = table[r]
	}
	return out
}
