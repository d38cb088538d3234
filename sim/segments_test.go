package sim

import (
	"testing"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
	"github.com/stretchr/testify/assert"
)

func TestSegments(t *testing.T) {
	req := func(id string, s, e int) phrase.Hit {
		return phrase.Hit{ID: id, Intent: "greeting", Kind: phrase.Required, Start: s, End: e}
	}
	bad := func(id string, s, e int) phrase.Hit {
		return phrase.Hit{ID: id, Intent: "rude", Kind: phrase.Forbidden, Start: s, End: e, Suggestion: "请您稍等"}
	}
	tests := []struct {
		name string
		text string
		hits []phrase.Hit
		want []Segment
	}{
		{"no hits", "您好", nil, []Segment{{Text: "您好"}}},
		{"empty", "", nil, nil},
		{"one hit in the middle, rune offsets", "喂，您好啊", []phrase.Hit{req("g", 2, 4)},
			[]Segment{{Text: "喂，"}, {Text: "您好", Kind: "required", Intent: "greeting", ID: "g"}, {Text: "啊"}}},
		{"whole text", "您好", []phrase.Hit{req("g", 0, 2)},
			[]Segment{{Text: "您好", Kind: "required", Intent: "greeting", ID: "g"}}},
		{"forbidden shows through, nothing spliced in", "你烦不烦啊", []phrase.Hit{req("g", 0, 3), bad("r", 1, 4)},
			[]Segment{
				{Text: "你", Kind: "required", Intent: "greeting", ID: "g"},
				{Text: "烦不烦", Kind: "forbidden", Intent: "rude", ID: "r"},
				{Text: "啊"},
			}},
		{"adjacent hits stay apart", "您好您好", []phrase.Hit{req("a", 0, 2), req("b", 2, 4)},
			[]Segment{{Text: "您好", Kind: "required", Intent: "greeting", ID: "a"}, {Text: "您好", Kind: "required", Intent: "greeting", ID: "b"}}},
		{"offsets outside the text are clamped", "您好", []phrase.Hit{req("g", 1, 9), req("x", 5, 7)},
			[]Segment{{Text: "您"}, {Text: "好", Kind: "required", Intent: "greeting", ID: "g"}}},
		{"markup stays text", "<b>好</b>", []phrase.Hit{req("g", 3, 4)},
			[]Segment{{Text: "<b>"}, {Text: "好", Kind: "required", Intent: "greeting", ID: "g"}, {Text: "</b>"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, Segments(tc.text, tc.hits))
		})
	}
}
