package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/domain"
	"github.com/hotlinecoach/coach/scenarios"
	"github.com/hotlinecoach/coach/sim"
)

func runPlay(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("play", stderr)
	mode := fs.String("mode", string(domain.Practice), "practice (hints as you go) or exam")
	seed := fs.Uint64("seed", 0, "seed for the caller's choice of lines (default: from the clock)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: coach play [--mode practice|exam] [--seed N] ID|FILE")
		fmt.Fprintln(stderr, "Plays a call in the terminal. Type a reply and press Enter; the first reply answers")
		fmt.Fprintln(stderr, "the ringing phone. An empty line or /hangup hangs up. The scorecard follows the call.")
		fmt.Fprintln(stderr, "At the desk: /查 [phone|account|address|name] VALUE looks the caller up; /单 field=value …")
		fmt.Fprintln(stderr, "fills in and submits the work order (fields: "+strings.Join(scenarios.TicketFields(), ", ")+"); after the caller")
		fmt.Fprintln(stderr, "hangs up there is wrap-up time to submit it, and /hangup ends the wrap-up.")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError{"name one scenario: coach play ID (coach list shows them)"}
	}
	if !domain.Mode(*mode).Valid() {
		return usageError{fmt.Sprintf("--mode %q: want practice or exam", *mode)}
	}
	sc, book, err := openScenario(fs.Arg(0))
	if err != nil {
		return err
	}
	defer book.Close()
	s := *seed
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	call := sim.NewCall(sc, book, sim.Options{Mode: domain.Mode(*mode), Seed: s, Desk: true})

	lines := make(chan string)
	go readLines(ctx, stdin, lines)
	start := time.Now()
	clock := func() float64 { return time.Since(start).Seconds() }
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	return play(ctx, sc, call, lines, clock, tick.C, stdout)
}

// readLines sends each line of r until it ends, then closes out.
func readLines(ctx context.Context, r io.Reader, out chan<- string) {
	defer close(out)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxUtterance)
	for sc.Scan() {
		select {
		case out <- sc.Text():
		case <-ctx.Done():
			return
		}
	}
}

// play runs the call: time passes on each tick, each line is a reply, an
// empty line, /hangup, the end of input or cancelling ctx hangs up. The
// clock gives seconds since ringing began.
func play(ctx context.Context, sc *scenarios.Scenario, call *sim.Call, lines <-chan string, clock func() float64, tick <-chan time.Time, out io.Writer) error {
	fmt.Fprintf(out, "【%s】%s\n", sc.Title, sc.Summary)
	fmt.Fprintf(out, "你是%s的热线员。输入回复后按回车；第一句回复即接起电话。空行或 /hangup 挂断。\n", sc.Company)
	if sc.Desk != nil {
		fmt.Fprintln(out, "查询系统：/查 电话|户号|地址|姓名 内容；建单：/单 字段=内容 …（姓名 电话 地址 户号 类型 紧急 等级 班组 承诺 描述），再次 /单 修改并重新提交。")
	}
	fmt.Fprintln(out)
	var draft scenarios.Ticket
	show := func(evs []sim.Event) error {
		for _, e := range evs {
			var err error
			switch e.Type {
			case sim.EventRing:
				_, err = fmt.Fprintf(out, "  ☎ 叮铃铃……（第 %d 声）\n", e.N)
			case sim.EventCustomer:
				_, err = fmt.Fprintf(out, "%s：%s\n", sc.Persona.Name, e.Text)
			case sim.EventHint:
				_, err = fmt.Fprintf(out, "  💡 提示：%s\n", e.Text)
			case sim.EventMood:
				_, err = fmt.Fprintf(out, "  （客户情绪 %s %d）\n", moodBar(e.Value), e.Value)
			case sim.EventEnd:
				_, err = fmt.Fprintf(out, "\n—— 通话结束 ——\n\n%s", e.Scorecard.Text())
			case sim.EventWrapUp:
				_, err = fmt.Fprintf(out, "\n—— 对方已挂机 —— 话后处理：请在第 %.0f 秒前完成工单（/单 …），/hangup 结束。\n", e.Until)
			case sim.EventRecord:
				_, err = io.WriteString(out, recordText(e))
			case sim.EventTicket:
				_, err = fmt.Fprintf(out, "  🧾 工单已提交：编号 %s，状态 %s\n", e.Number, scenarios.LabelOf(sim.TicketStates(), e.State))
			}
			if err != nil {
				return err
			}
		}
		return nil
	}
	if err := show(call.Advance(0)); err != nil {
		return err
	}
	for !call.Ended() {
		var evs []sim.Event
		select {
		case <-ctx.Done():
			evs = call.Hangup(clock())
		case <-tick:
			evs = call.Advance(clock())
		case line, ok := <-lines:
			text := strings.TrimSpace(line)
			switch {
			case !ok || text == "" || text == "/hangup":
				evs = call.Hangup(clock())
			case strings.HasPrefix(text, "/查"):
				l, err := parseLookup(strings.TrimPrefix(text, "/查"))
				if err != nil {
					fmt.Fprintf(out, "  ⚠ %v\n", err)
					continue
				}
				evs = call.Lookup(clock(), l.By, l.Value)
			case strings.HasPrefix(text, "/单"):
				if err := fillTicket(&draft, strings.TrimPrefix(text, "/单")); err != nil {
					fmt.Fprintf(out, "  ⚠ %v\n", err)
					continue
				}
				evs = call.Ticket(clock(), draft)
			case call.Over():
				fmt.Fprintln(out, "  （对方已挂机：现在只能查询、建单，或 /hangup 结束话后处理）")
				continue
			default:
				evs = call.Say(clock(), text)
			}
		}
		if err := show(evs); err != nil {
			return err
		}
	}
	return nil
}

func moodBar(v int) string {
	n := min(max(v/10, 0), 10)
	return strings.Repeat("■", n) + strings.Repeat("□", 10-n)
}

// fieldNames are the Chinese names a terminal user may give ticket fields.
var fieldNames = map[string]string{
	"姓名": scenarios.FieldName, "来电人": scenarios.FieldName, "电话": scenarios.FieldPhone, "地址": scenarios.FieldAddress,
	"户号": scenarios.FieldAccount, "类型": scenarios.FieldType, "紧急": scenarios.FieldUrgency, "紧急程度": scenarios.FieldUrgency,
	"等级": scenarios.FieldGrade, "班组": scenarios.FieldTeam, "承诺": scenarios.FieldPromise, "描述": scenarios.FieldNote,
}

// lookupNames are the Chinese names of the lookup keys.
var lookupNames = map[string]string{"电话": "phone", "户号": "account", "地址": "address", "姓名": "name"}

// parseLookup reads "/查 [by] value": without by, digits are a phone (7 or
// more) or an account, an address names a building or unit, else a name.
func parseLookup(arg string) (scenarios.Lookup, error) {
	fields := strings.Fields(arg)
	if len(fields) == 0 {
		return scenarios.Lookup{}, fmt.Errorf("用法：/查 [电话|户号|地址|姓名] 内容")
	}
	by := fields[0]
	if zh, ok := lookupNames[by]; ok {
		by = zh
	}
	var l scenarios.Lookup
	if len(fields) > 1 && slices.ContainsFunc(scenarios.LookupKeys(), func(k scenarios.Label) bool { return k.ID == by }) {
		l = scenarios.Lookup{By: by, Value: strings.Join(fields[1:], " ")}
	} else {
		v := strings.Join(fields, " ")
		l = scenarios.Lookup{By: guessLookup(v), Value: v}
	}
	var err error
	l.Validate(func(field, format string, args ...any) {
		if err == nil {
			err = fmt.Errorf("/查 %s: %s", field, fmt.Sprintf(format, args...))
		}
	})
	return l, err
}

func guessLookup(v string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		if r == ' ' || r == '-' {
			return -1
		}
		return 'x'
	}, v)
	switch {
	case !strings.Contains(digits, "x") && len(digits) >= 7:
		return "phone"
	case !strings.Contains(digits, "x"):
		return "account"
	case strings.ContainsAny(v, "楼栋幢单元室号"):
		return "address"
	}
	return "name"
}

// fillTicket sets the fields of "/单 field=value …" on the draft, which
// keeps what earlier /单 lines filled in. A word without = continues the
// value before it, so values may hold spaces.
func fillTicket(t *scenarios.Ticket, arg string) error {
	next := *t
	field := ""
	for _, w := range strings.Fields(arg) {
		k, v, ok := strings.Cut(w, "=")
		if !ok {
			if field == "" {
				return fmt.Errorf("用法：/单 字段=内容 …（%q 前面缺少字段名）", w)
			}
			next.Set(field, next.Get(field)+" "+w)
			continue
		}
		if zh, ok := fieldNames[k]; ok {
			k = zh
		}
		if !next.Set(k, v) {
			return fmt.Errorf("/单：没有字段 %q，可填 %s", k, strings.Join(scenarios.TicketFields(), " "))
		}
		field = k
	}
	var err error
	next.Validate(func(f, format string, args ...any) {
		if err == nil {
			err = fmt.Errorf("/单 %s: %s", f, fmt.Sprintf(format, args...))
		}
	})
	if err != nil {
		return err
	}
	*t = next
	return nil
}

// recordText shows what a lookup found, as the desk would.
func recordText(e sim.Event) string {
	if e.Found == nil || !*e.Found || e.Record == nil {
		return "  🔎 系统里没有查到。\n"
	}
	r := e.Record
	var b strings.Builder
	fmt.Fprintf(&b, "  🔎 用户档案：户号 %s  户名 %s  电话 %s  地址 %s\n", r.Account, r.Name, r.Phone, r.Address)
	if len(r.Arrears) > 0 {
		for _, a := range r.Arrears {
			fmt.Fprintf(&b, "     欠费：%s %.2f 元，%s 到期\n", a.Period, a.Amount, a.Due)
		}
	}
	for _, bl := range r.Bills {
		fmt.Fprintf(&b, "     账单：%s %.2f 元，用量 %g %s\n", bl.Period, bl.Amount, bl.Usage, bl.Unit)
	}
	for _, p := range r.Payments {
		fmt.Fprintf(&b, "     缴费：%s %.2f 元（%s）\n", p.Date, p.Amount, p.Channel)
	}
	for _, t := range r.Tickets {
		fmt.Fprintf(&b, "     工单：%s %s %s %s（%s）\n", t.Number, t.Date, scenarios.LabelOf(scenarios.TicketTypes(), t.Type), t.Summary, t.State)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "     备注：%s\n", n)
	}
	for _, o := range r.Area.Outages {
		fmt.Fprintf(&b, "     停电停水：%s %s–%s %s（%s）\n", o.Scope, o.From, o.Until, o.Reason, o.Kind)
	}
	for _, n := range r.Area.Notices {
		fmt.Fprintf(&b, "     通知：%s\n", n)
	}
	if h := r.Area.Heating; h != nil {
		fmt.Fprintf(&b, "     供热：%s 供水 %g℃ 回水 %g℃，周边住户平均室温 %g℃\n", h.Station, h.Supply, h.Return, h.Neighbours)
	}
	return b.String()
}
