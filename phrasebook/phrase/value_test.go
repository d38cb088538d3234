package phrase

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValues(t *testing.T) {
	day := func(d int) *int { return &d }
	tests := []struct {
		text string
		want []Value
	}{
		{"师傅一个半钟头以内到", []Value{{Type: Duration, Seconds: 5400, Within: true, Text: "1.5 小时内"}}},
		{"四十八个小时以内", []Value{{Type: Duration, Seconds: 172800, Within: true, Text: "48 小时内"}}},
		{"两到四小时内上门", []Value{{Type: Duration, Seconds: 14400, Within: true, Text: "4 小时内"}}},
		{"两三个小时", []Value{{Type: Duration, Seconds: 10800, Text: "3 小时"}}},
		{"十二天", []Value{{Type: Duration, Seconds: 12 * 86400, Text: "12 天"}}},
		{"一两天就热了", []Value{{Type: Duration, Seconds: 2 * 86400, Text: "2 天"}}},
		{"仨小时", []Value{{Type: Duration, Seconds: 10800, Text: "3 小时"}}},
		{"半个钟头", []Value{{Type: Duration, Seconds: 1800, Text: "0.5 小时"}}},
		{"十几分钟", []Value{{Type: Duration, Seconds: 19 * 60, Text: "19 分钟"}}},
		{"三个工作日内", []Value{{Type: Duration, Seconds: 3 * 86400, Within: true, Text: "3 个工作日内"}}},
		{"今天下午五点前", []Value{{Type: Time, At: "17:00", DayOffset: day(0), Within: true, Text: "今天 17:00 前"}}},
		{"最迟后天中午", []Value{{Type: Time, At: "12:00", DayOffset: day(2), Within: true, Text: "后天 12:00 前"}}},
		{"明天这个时候", []Value{{Type: Time, Seconds: 86400, DayOffset: day(1), Text: "明天这个时候"}}},
		{"明天上午九点到十二点之间", []Value{{Type: Time, At: "12:00", DayOffset: day(1), Within: true, Text: "明天 12:00 前"}}},
		{"距地面1.5米处", nil},
		{"室温18.5度", []Value{{Type: Amount, Amount: 18.5, Unit: "度", Text: "18.5 度"}}},
		{"预计12:00恢复", []Value{{Type: Time, At: "12:00", DayOffset: day(0), Text: "今天 12:00"}}},
		{"晚上八点半", []Value{{Type: Time, At: "20:30", DayOffset: day(0), Text: "今天 20:30"}}},
		{"周五前", []Value{{Type: Date, Weekday: 5, Within: true, Text: "周五前"}}},
		{"86.4元", []Value{{Type: Amount, Amount: 86.4, Unit: "元", Text: "86.4 元"}}},
		{"三块五", []Value{{Type: Amount, Amount: 3.5, Unit: "元", Text: "3.5 元"}}},
		{"用了21吨水", []Value{{Type: Amount, Amount: 21, Unit: "吨", Text: "21 吨"}}},
		{"幺三八 一二三四 五六七八", []Value{{Type: Phone, Digits: "13812345678", Text: "电话 13812345678"}}},
		{"影响了3户", []Value{{Type: Count, Count: 3, Text: "3 户"}}},
		{"编号50602，5个工作日内答复", []Value{{Type: Duration, Seconds: 5 * 86400, Within: true, Text: "5 个工作日内"}}},
		{"12号楼1单元1103", nil},
		{"我们尽快处理", nil},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			var got []Value
			for _, v := range Values(Normalize(tt.text), tt.text) {
				got = append(got, v.Value)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValueBound(t *testing.T) {
	day := func(d int) *int { return &d }
	tests := []struct {
		name  string
		v     Value
		now   int
		want  int64
		known bool
	}{
		{"a duration is its own bound", Value{Type: Duration, Seconds: 5400}, -1, 5400, true},
		{"a clock time from the call's time", Value{Type: Time, At: "17:00", DayOffset: day(0)}, 13 * 3600, 4 * 3600, true},
		{"a clock time without it: from midnight", Value{Type: Time, At: "17:00", DayOffset: day(0)}, -1, 17 * 3600, true},
		{"tomorrow's noon", Value{Type: Time, At: "12:00", DayOffset: day(1)}, 12 * 3600, 86400, true},
		{"a day ends at midnight", Value{Type: Date, DayOffset: day(1)}, -1, 2 * 86400, true},
		{"a weekday within the week", Value{Type: Date, Weekday: 5}, -1, 7 * 86400, true},
		{"a past time bounds nothing", Value{Type: Time, At: "08:00", DayOffset: day(0)}, 9 * 3600, -3600, false},
		{"an amount is no time", Value{Type: Amount, Amount: 3}, -1, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, known := tt.v.Bound(tt.now)
			assert.Equal(t, tt.known, known)
			if tt.known {
				assert.Equal(t, tt.want, got)
			}
		})
	}
}

func TestParseBound(t *testing.T) {
	for in, want := range map[string]int64{"4h": 14400, "30m": 1800, "2d": 172800, "1h30m": 5400, "1.5h": 5400} {
		got, err := ParseBound(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "4", "h", "4x", "-1h", "0h"} {
		_, err := ParseBound(bad)
		assert.Error(t, err, bad)
	}
}
