package app

import (
	"testing"

	"github.com/hotlinecoach/coach/phrasebook"
	"github.com/stretchr/testify/assert"
)

// TestProposeSpan: the proposal is the part of the line that carries the
// item, without the words of other intents, fillers and punctuation.
func TestProposeSpan(t *testing.T) {
	ticket := &phrasebook.Entry{ID: "ticket.register", Intent: "ticket", Text: "已为您登记工单", Variants: []string{"给您建个报修单", "喂您好"}}
	greeting := phrasebook.Hit{ID: "greeting.hello", Intent: "greeting", Start: 0, End: 2}
	tests := []struct {
		name string
		said string
		hits []phrasebook.Hit
		want string
	}{
		{"other intents' clause left out", "您好，那个我这边帮您把报修单登记好了啊。", []phrasebook.Hit{greeting}, "我这边帮您把报修单登记好了"},
		{"the clause closest to the entry", "嗯，好的，报修单我给您记下了，您放心", nil, "报修单我给您记下了"},
		{"common characters are no likeness", "让您白等了一天，您放心", nil, "让您白等了一天，您放心"},
		{"a clause a wording holds", "喂，什么事？", nil, "喂"},
		{"a span of the item's intent is taken as it is", "您好，工单已经登记", []phrasebook.Hit{greeting, {ID: "ticket.x", Intent: "ticket", Start: 3, End: 9}}, "工单已经登记"},
		{"nothing like the entry: the whole line", "师傅，马上就到！", nil, "师傅，马上就到"},
		{"an other intent's words at the edge are trimmed", "您好我来登记", []phrasebook.Hit{greeting}, "我来登记"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, proposeSpan(tt.said, []*phrasebook.Entry{ticket}, tt.hits))
		})
	}
}
