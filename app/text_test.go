package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCleanTraineeText(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain Chinese kept", "您好，暖心供热公司，请问有什么可以帮您？", "您好，暖心供热公司，请问有什么可以帮您？"},
		{"full-width and emoji kept", "ＡＢＣ　１２３ 🙂", "ＡＢＣ　１２３ 🙂"},
		{"NUL dropped", "您好\x00再见", "您好再见"},
		{"escape and backspace dropped", "a\x1b[31mred\x08", "a[31mred"},
		{"C1 control dropped", "x\u0085y", "xy"},
		{"line breaks become spaces", "第一行\r\n第二行\t完", "第一行  第二行 完"},
		{"right-to-left override dropped", "请\u202e不要\u202c挂断", "请不要挂断"},
		{"isolates and marks dropped", "\u2066a\u2069\u200eb\u200f\u061c", "ab"},
		{"zero-width joiner kept", "👩\u200d💻", "👩\u200d💻"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, CleanTraineeText(tt.in))
		})
	}
}
