package phrase

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNormalizeText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"traditional", "請問還有其他需要幫助的嗎", "请问还有其他需要帮助的吗"},
		{"traditional with punctuation", "您好，請問有什麼可以幫您？", "您好请问有什么可以帮您"},
		{"traditional numeral 兩", "兩個小時", "2个小时"},
		{"simplified untouched", "请您别着急", "请您别着急"},
		{"taiwan 著 is 着", "請您別著急，接著說", "请您别着急接着说"},
		{"著 kept where a phrase keeps it", "著名的顯著問題", "著名的显著问题"},
		{"simplified 著 phrase kept", "显著", "显著"},
		{"phrase 瞭解", "我不瞭解，據瞭解", "我不了解据了解"},
		{"瞭 alone stays", "瞭望", "瞭望"},
		{"taiwan 妳 is 你", "妳們好，請妳稍等", "你们好请你稍等"},
		{"甚麼 is 什么", "甚麼事？甚麽時候", "什么事什么时候"},
		{"甚至 stays", "甚至", "甚至"},
		{"taiwan 聯絡 is 联系", "我們會聯絡您，再傳簡訊", "我们会联系您再传短信"},
		{"dictation slips of a work order", "已经提交了公单，您的报修我已经等级了，师父明天来侧温", "已经提交了工单您的报修我已经登记了师傅明天来测温"},
		{"等级 itself stays", "投诉等级", "投诉等级"},
		{"衹 is 只", "衹是", "只是"},
		{"phrase 答覆 but 覆蓋 by character", "答覆您，覆蓋", "答复您覆盖"},
		{"longest phrase wins", "瞭解到", "了解到"},
		{"full-width letters and digits", "ＡＰＰ賬號１２３", "app账号123"},
		{"full-width space", "您好\u3000再见", "您好再见"},
		{"ascii punctuation and spaces", "Hello, World! (test)", "helloworldtest"},
		{"chinese punctuation", "“好的”、《规范》；……——！", "好的规范"},
		{"mixed english", "您的WiFi密码已重置，请重新登录APP。", "您的wifi密码已重置请重新登录app"},
		{"tabs and newlines", "请\t问\n您", "请问您"},
		{"emoji and symbols", "好的👍❤️￥100", "好的100"},
		{"empty", "", ""},
		{"only punctuation", "，。！？", ""},

		{"两", "两个人", "2个人"},
		{"十 alone", "十", "10"},
		{"十五", "十五分钟", "15分钟"},
		{"二十四", "二十四小时", "24小时"},
		{"三百零五", "三百零五室", "305室"},
		{"一百二 is 120", "一百二", "120"},
		{"三千五 is 3500", "三千五", "3500"},
		{"一千零五十", "一千零五十元", "1050元"},
		{"两千零二十四", "两千零二十四年", "2024年"},
		{"year spoken digit by digit", "二〇二四年", "2024年"},
		{"十一号楼", "第十一号楼", "第11号楼"},
		{"spoken digits", "五零一", "501"},
		{"leading zero kept", "零五", "05"},
		{"万 stays a word", "两万", "2万"},
		{"一 inside words", "请稍等一下，我们统一处理", "请稍等1下我们统1处理"},
		{"十分 as adverb", "十分抱歉", "10分抱歉"},

		{"range dash", "2-4小时", "2到4小时"},
		{"range 到", "两到四小时", "2到4小时"},
		{"range tilde", "2~4小时", "2到4小时"},
		{"range full-width tilde", "2～4小时", "2到4小时"},
		{"range wave dash", "2〜4小时", "2到4小时"},
		{"range em dash", "2—4小时", "2到4小时"},
		{"range double em dash", "2——4小时", "2到4小时"},
		{"range en dash with spaces", "2 – 4 小时", "2到4小时"},
		{"range 至", "二至四个工作日", "2到4个工作日"},
		{"range full-width digits", "２－４小时", "2到4小时"},
		{"range dash and 到 together", "2-到4", "2到4"},
		{"到 not between numbers", "师傅马上到", "师傅马上到"},
		{"至 not between numbers", "至少两次", "至少2次"},
		{"到 after a number only", "三点到", "3点到"},
		{"dash not between numbers", "-2小时-", "2小时"},

		{"phone dictated with 幺", "幺三八幺二三四五六七八", "13812345678"},
		{"phone mixed digits and numerals", "138一二三四五六七八", "13812345678"},
		{"phone with dashes", "138-1234-5678", "13812345678"},
		{"phone with area code", "0471-12345678", "047112345678"},
		{"phone with spaces", "138 1234 5678", "13812345678"},
		{"lone 幺", "幺", "1"},

		{"decimal point", "1.5小时", "1点5小时"},
		{"decimal spoken", "一点五小时", "1点5小时"},
		{"full-width decimal point", "１．５", "1点5"},
		{"two dots are dropped", "1..5", "15"},
		{"dot not between numbers", "好的.", "好的"},
		{"comma between numbers drops", "1，2", "12"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := Normalize(tc.in)
			assert.Equal(t, tc.want, n.String())
			assert.Len(t, n.Orig, len(n.Runes))
		})
	}
}

func TestNormalizeOffsets(t *testing.T) {
	tests := []struct {
		in   string
		want string
		orig []Span
	}{
		{
			in:   "您好，张先生。",
			want: "您好张先生",
			orig: []Span{{0, 1}, {1, 2}, {3, 4}, {4, 5}, {5, 6}},
		},
		{
			// The digits of a numeral with units all map to the numeral.
			in:   "三百零五室",
			want: "305室",
			orig: []Span{{0, 4}, {0, 4}, {0, 4}, {4, 5}},
		},
		{
			// A phrase converts character for character: each keeps its
			// offset, also across dropped punctuation before it.
			in:   "我，瞭解著急",
			want: "我了解着急",
			orig: []Span{{0, 1}, {2, 3}, {3, 4}, {4, 5}, {5, 6}},
		},
		{
			// Spoken digits map one to one.
			in:   "幺三八",
			want: "138",
			orig: []Span{{0, 1}, {1, 2}, {2, 3}},
		},
		{
			// A numeral that grows (十 → 10) keeps its one-rune span.
			in:   "十点",
			want: "10点",
			orig: []Span{{0, 1}, {0, 1}, {1, 2}},
		},
		{
			// A range separator maps to the separator, spaces excluded.
			in:   "2 ～ 4小时",
			want: "2到4小时",
			orig: []Span{{0, 1}, {2, 3}, {4, 5}, {5, 6}, {6, 7}},
		},
		{
			in:   "2——4",
			want: "2到4",
			orig: []Span{{0, 1}, {1, 3}, {3, 4}},
		},
		{
			in:   "Ｈi，請問",
			want: "hi请问",
			orig: []Span{{0, 1}, {1, 2}, {3, 4}, {4, 5}},
		},
		{
			// Offsets count runes, not bytes: the emoji is one rune.
			in:   "好👍的",
			want: "好的",
			orig: []Span{{0, 1}, {2, 3}},
		},
		{
			// A numeral with a space inside spans both digits.
			in:   "二 十",
			want: "20",
			orig: []Span{{0, 3}, {0, 3}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			n := Normalize(tc.in)
			require.Equal(t, tc.want, n.String())
			assert.Equal(t, tc.orig, n.Orig)
		})
	}
}

func TestOrigSpan(t *testing.T) {
	n := Normalize("您好，张先生。")
	require.Equal(t, "您好张先生", n.String())
	tests := []struct {
		name string
		i, j int
		want Span
	}{
		{"one rune", 0, 1, Span{0, 1}},
		{"covers dropped punctuation inside", 1, 3, Span{1, 4}},
		{"whole text excludes trailing punctuation", 0, 5, Span{0, 6}},
		{"empty range inside", 2, 2, Span{3, 3}},
		{"empty range at end", 5, 5, Span{6, 6}},
		{"clamped", -3, 99, Span{0, 6}},
		{"reversed is empty", 3, 1, Span{4, 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, n.OrigSpan(tc.i, tc.j))
		})
	}
	assert.Equal(t, Span{}, Normalize("").OrigSpan(0, 0))
	assert.Equal(t, Span{}, Normalize("。").OrigSpan(0, 1))

	// A hit on a phone number reports the number as typed.
	in := "我的电话是138-1234-5678，谢谢"
	p := Normalize(in)
	i := strings.Index(p.String(), "13812345678")
	require.GreaterOrEqual(t, i, 0)
	ri := utf8.RuneCountInString(p.String()[:i])
	sp := p.OrigSpan(ri, ri+11)
	assert.Equal(t, "138-1234-5678", string([]rune(in)[sp.Start:sp.End]))
}

// idempotenceSamples are replies the way trainees type and dictate them.
var idempotenceSamples = []string{
	"您好，这里是供热公司客服热线，请问有什么可以帮您？",
	"請問還有其他需要幫助的嗎？感謝您的來電，再見！",
	"维修师傅会在2-4小时内上门，请您保持电话畅通。",
	"您的电话是幺三八幺二三四五六七八对吗",
	"一百二十三块五毛，十分抱歉让您久等了",
	"好的，我记一下：3号楼2单元501室",
	"ＡＰＰ上显示欠费１２０．５元～",
	"2-3-4, 1.2.3, 十十十, 千千, 一千零, 零点五, 到到, 至2-",
	"Hello WORLD — Ⅻ ½ ① ², café, ｶﾀｶﾅ",
	"预计2~4个工作日（周末除外）完成",
}

func TestNormalizeIdempotent(t *testing.T) {
	for _, s := range idempotenceSamples {
		once := Normalize(s).String()
		assert.Equal(t, once, Normalize(once).String(), "input %q", s)
	}
}

// TestT2SPhrases checks every generated phrase: it converts to its
// Simplified form in context, a second pass leaves the result alone, and
// phraseAt can see it.
func TestT2SPhrases(t *testing.T) {
	require.LessOrEqual(t, t2s.longest, 16, "phraseAt looks at most 16 runes ahead")
	require.Equal(t, strings.Count(t2sPhrases+spokenPhrases+dictationSlips, "\n"), len(t2s.phrases), "every phrase is in the table")
	for trad, simp := range t2s.phrases {
		require.Len(t, simp, utf8.RuneCountInString(trad), "phrase %s", trad)
		in := "您" + trad + "吧"
		n := Normalize(in)
		checkNormalized(t, in, n)
		want := "您" + Normalize(string(simp)).String() + "吧"
		assert.Equal(t, want, n.String(), "phrase %s", trad)
	}
}

func TestT2STable(t *testing.T) {
	prev := rune(0)
	for i := 0; i < len(t2sPairs); {
		k, n := utf8.DecodeRuneInString(t2sPairs[i:])
		i += n
		v, n := utf8.DecodeRuneInString(t2sPairs[i:])
		i += n
		require.NotEqual(t, utf8.RuneError, k)
		require.NotEqual(t, utf8.RuneError, v)
		require.Greater(t, k, prev, "pairs must be sorted and unique")
		require.NotEqual(t, k, v, "pair %c maps to itself", k)
		require.Equal(t, v, t2sLookup(k), "lookup of %c", k)
		require.Equal(t, v, t2sLookup(v), "%c→%c: the Simplified form must not be a key", k, v)
		prev = k
	}
}

// checkNormalized checks the invariants every result must hold.
func checkNormalized(t *testing.T, s string, n Normalized) {
	t.Helper()
	total := utf8.RuneCountInString(s)
	require.Len(t, n.Orig, len(n.Runes))
	prev := Span{}
	for i, sp := range n.Orig {
		require.True(t, 0 <= sp.Start && sp.Start < sp.End && sp.End <= total,
			"span %d %v outside [0, %d) for %q", i, sp, total, s)
		if i > 0 && sp != prev {
			require.GreaterOrEqual(t, sp.Start, prev.End, "span %d %v overlaps %v for %q", i, sp, prev, s)
		}
		prev = sp
	}
	out := n.String()
	require.True(t, utf8.ValidString(out))
	require.Equal(t, out, Normalize(out).String(), "not idempotent for %q", s)

	// Offsets map back into the text: a rune that is not part of a
	// spelled-out number comes from exactly one rune of the original.
	// It need not normalise to the same rune on its own: phrase-level
	// conversion reads a character by its neighbours (傢俱 → 家具, while
	// 俱 alone stays 俱).
	orig := []rune(s)
	for i, r := range n.Runes {
		if (r >= '0' && r <= '9') || r == '到' || r == '点' {
			continue
		}
		sp := n.Orig[i]
		require.Equal(t, 1, sp.End-sp.Start, "rune %d %q of %q comes from %v", i, r, s, sp)
	}
	// OrigSpan stays inside the text and covers what it maps.
	for _, ij := range [][2]int{{0, len(n.Runes)}, {-3, 1}, {len(n.Runes) / 2, len(n.Runes) + 5}, {2, 1}} {
		sp := n.OrigSpan(ij[0], ij[1])
		require.True(t, 0 <= sp.Start && sp.Start <= sp.End && sp.End <= total, "OrigSpan(%d, %d) = %v for %q", ij[0], ij[1], sp, s)
	}
	if len(n.Runes) > 0 {
		whole := n.OrigSpan(0, len(n.Runes))
		require.Equal(t, Span{n.Orig[0].Start, n.Orig[len(n.Orig)-1].End}, whole)
		// The original text outside the mapped span normalises to nothing.
		require.Empty(t, Normalize(string(orig[:whole.Start])).Runes, "before %v in %q", whole, s)
		require.Empty(t, Normalize(string(orig[whole.End:])).Runes, "after %v in %q", whole, s)
	}
}

// TestNormalizeInvariantsRandom checks the invariants on strings built from
// the runes the number rules care about, which random bytes rarely hit.
func TestNormalizeInvariantsRandom(t *testing.T) {
	alphabet := []rune("零〇一二两三四五六七八九十百千万幺兩0123456789０１-~～〜—–－.．点至到 ，、。a號号")
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		rs := make([]rune, 1+rng.IntN(12))
		for i := range rs {
			rs[i] = alphabet[rng.IntN(len(alphabet))]
		}
		s := string(rs)
		checkNormalized(t, s, Normalize(s))
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range idempotenceSamples {
		f.Add(s)
	}
	f.Add("三百零五-二十四~两千零二十到幺零")
	f.Add("\xff\xfe一\xc0十")
	// Every wording of the built-in phrasebook.
	builtin, err := LoadDir(os.DirFS(".."), "builtin")
	require.NoError(f, err)
	for _, e := range builtin {
		for _, form := range e.Forms() {
			f.Add(form)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkNormalized(t, s, Normalize(s))
	})
}

// benchReply is a reply of 80 characters with punctuation, digits, a
// range and a phone number: the work done on every trainee turn.
const benchReply = "您好，这里是供热公司客服热线，您反映的暖气不热问题已经登记，维修师傅会在2-4小时内上门，请保持电话13812345678畅通，如有其他问题欢迎随时来电，谢谢！"

func BenchmarkNormalize(b *testing.B) {
	if n := utf8.RuneCountInString(benchReply); n != 80 {
		b.Fatalf("benchReply has %d characters, want 80", n)
	}
	b.ReportAllocs()
	for b.Loop() {
		Normalize(benchReply)
	}
}
