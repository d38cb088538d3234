package app

import (
	"strings"
	"unicode"
)

// CleanTraineeText removes from text a trainee typed the characters that
// can disguise what a trainer later reads: control characters (NUL, escape,
// backspace and the like; a tab or line break becomes a space) and the
// bidirectional overrides, embeddings, isolates and marks that reorder
// what is shown (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F, U+061C).
// Everything else is kept exactly as typed.
func CleanTraineeText(text string) string {
	if strings.IndexFunc(text, dropped) < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for _, r := range text {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		case dropped(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func dropped(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069, r == 0x200E, r == 0x200F, r == 0x061C:
		return true
	}
	return false
}
