package phrasebook_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/hotlinecoach/coach/phrasebook"
)

// Vocabulary for generated entries and replies: what hotline staff in the
// four domains talk about. Generated entries stand in for the phrasebooks
// large centres accumulate; they share the common words (您好, 公司, 请问)
// with the built-ins on purpose, since those are what make queries slow.
var (
	genObjects = []string{"暖气片", "供暖阀门", "入户管道", "热力站", "分水器", "过滤网", "电表箱", "空气开关", "漏电保护器",
		"楼道灯", "变压器", "水表", "总阀", "水龙头", "二次供水泵", "电梯", "门禁", "下水管", "化粪池", "消防栓",
		"燃气表", "供热管网", "换热器", "温控阀", "地暖盘管", "外墙", "屋面", "监控", "停车场道闸", "垃圾房"}
	genActions = []string{"检修", "更换", "调试", "排查", "疏通", "加固", "清洗", "复测", "巡检", "抢修", "校验", "紧固", "登记", "核实"}
	genTimes   = []string{"2小时内", "两到四小时内", "今天下午", "明天上午", "24小时内", "三个工作日内", "半小时内", "十五分钟内", "本周内", "五天内"}
	genLeads   = []string{"您好", "请问", "我们公司", "我们会", "麻烦您", "请您", "这边", "稍后", "马上", "师傅会"}
	genTails   = []string{"给您回电", "上门处理", "通知您", "安排人员", "跟进结果", "短信告知", "电话确认", "再联系您"}
	genIntents = []phrasebook.Intent{"explain", "commit", "follow-up", "ticket", "restate", "hold"}
	// A real centre's phrasebook names many places and estates; these
	// widen the vocabulary the way its key points and local notes do.
	genPlaces = []string{"厨房", "卧室", "客厅", "卫生间", "阳台", "地下室", "车库", "楼顶", "电梯间", "水表井",
		"配电室", "锅炉房", "门岗", "大堂", "花园", "泵房", "设备间", "消防通道", "单元门口", "储藏室"}
	genEstate1 = []string{"幸福", "阳光", "和平", "锦绣", "翠湖", "金桥", "龙湾", "东方", "明珠", "滨江",
		"春晖", "丽景", "枫林", "紫荆", "青松", "银河", "新华", "朝阳", "书香", "星海"}
	genEstate2 = []string{"花园", "家园", "小区", "公寓", "嘉园", "新村", "名苑", "华庭", "雅居", "山庄"}
)

func pick(r *rand.Rand, list []string) string { return list[r.IntN(len(list))] }

// syntheticBook returns the built-in phrasebook padded with generated
// entries to n entries in all. A dense book draws every entry from the same
// few dozen words, far fewer than a real phrasebook uses: the worst case
// for candidate lookup, measured separately.
func syntheticBook(tb testing.TB, n int, dense bool) []phrasebook.Entry {
	tb.Helper()
	entries, err := phrasebook.Builtin()
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for i := 0; len(entries) < n; i++ {
		text := pick(r, genLeads) + pick(r, genTimes) + pick(r, genActions) + pick(r, genObjects)
		if !dense {
			text = pick(r, genLeads) + pick(r, genTimes) + pick(r, genActions) + pick(r, genEstate1) + pick(r, genEstate2) + pick(r, genPlaces) + pick(r, genObjects)
		}
		if r.IntN(3) == 0 {
			text += pick(r, genTails)
		}
		if seen[text] {
			continue
		}
		seen[text] = true
		e := phrasebook.Entry{
			ID:     fmt.Sprintf("gen.%05d", i),
			Intent: genIntents[r.IntN(len(genIntents))],
			Kind:   phrasebook.Required,
			Text:   text,
			Source: "generated",
		}
		if r.IntN(2) == 0 {
			e.Variants = []string{pick(r, genActions) + pick(r, genObjects) + pick(r, genTails)}
		}
		entries = append(entries, e)
	}
	return entries
}

// syntheticReplies returns replies of 5 to 80 characters in the way
// trainees talk, heavy with the most common words.
func syntheticReplies(n int) []string {
	r := rand.New(rand.NewPCG(3, 4))
	parts := [][]string{
		{"您好", "您好,暖心供热公司", "喂您好", "你好这里是供电公司", "请问", "请问有什么可以帮您"},
		{"请您别着急", "我理解您的心情", "给您添麻烦了", "不好意思让您久等了", "这个不归我管", "我帮您查询一下"},
		genObjects, genActions, genTimes, genTails,
		{"请问还有其他需要帮助的吗", "感谢您的来电", "祝您生活愉快,再见", "您的电话是13812345678对吧", "幸福里小区3号楼2单元501"},
		genPlaces, genEstate1, genEstate2,
	}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		want := 5 + r.IntN(76)
		for len([]rune(b.String())) < want {
			b.WriteString(pick(r, parts[r.IntN(len(parts))]))
			if r.IntN(3) == 0 {
				b.WriteString(",")
			}
		}
		out[i] = string([]rune(b.String())[:want])
	}
	return out
}

// BenchmarkMatch10k matches replies against a 10,000-entry phrasebook and
// reports the latency distribution of single replies (target: p99 < 1 ms).
func BenchmarkMatch10k(b *testing.B) { benchmarkMatch(b, false) }

// BenchmarkMatch10kDense is BenchmarkMatch10k against a phrasebook whose
// entries all share a small vocabulary with the replies.
func BenchmarkMatch10kDense(b *testing.B) { benchmarkMatch(b, true) }

func benchmarkMatch(b *testing.B, dense bool) {
	m, err := phrasebook.New(syntheticBook(b, 10000, dense))
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.ResetTimer()
	measureMatches(b, m, syntheticReplies(2000))
}

// measureMatches matches one reply per iteration and reports the latency
// distribution of single replies, the hits found per reply, and the work
// done per reply: index terms looked up, postings read, wordings offered
// and wordings verified. Unlike the latencies, the work does not depend on
// what else the machine is running, so it is what to compare between
// changes measured at different loads.
func measureMatches(b *testing.B, m *phrasebook.Matcher, replies []string) {
	// The thread's CPU time leaves out the time other processes held the
	// core, which wall time on a shared machine includes: the two together
	// tell a slow reply from a busy machine.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	var st phrasebook.MatchStats
	hits := 0
	i := 0
	for b.Loop() {
		c0 := threadCPU(b)
		start := time.Now()
		hits += len(m.MatchCounting(replies[i%len(replies)], phrasebook.Filter{}, &st))
		lat = append(lat, time.Since(start))
		cpu = append(cpu, threadCPU(b)-c0)
		i++
	}
	b.StopTimer()
	slices.Sort(lat)
	slices.Sort(cpu)
	n := float64(len(lat))
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(cpu[len(cpu)/2].Nanoseconds()), "p50-cpu-ns")
	b.ReportMetric(float64(cpu[len(cpu)*99/100].Nanoseconds()), "p99-cpu-ns")
	b.ReportMetric(float64(hits)/n, "hits/op")
	b.ReportMetric(float64(st.Looked)/n, "lookups/op")
	b.ReportMetric(float64(st.Postings)/n, "postings/op")
	b.ReportMetric(float64(st.Candidates)/n, "cands/op")
	b.ReportMetric(float64(st.Verified)/n, "verified/op")
}

// threadCPU returns the CPU time the calling thread has used.
func threadCPU(tb testing.TB) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		tb.Fatalf("read thread CPU time: %v", err)
	}
	return time.Duration(ts.Nano())
}

// BenchmarkBuild10k measures building the index of a 10,000-entry
// phrasebook (target: under 2 s, the start-up budget) and the heap it keeps.
func BenchmarkBuild10k(b *testing.B) {
	entries := syntheticBook(b, 10000, false)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept, err := phrasebook.New(entries)
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap-MB")
	kept.Close()
	for b.Loop() {
		m, err := phrasebook.New(entries)
		if err != nil {
			b.Fatal(err)
		}
		m.Close()
	}
}
