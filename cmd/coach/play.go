package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
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
	call := sim.NewCall(sc, book, sim.Options{Mode: domain.Mode(*mode), Seed: s})

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
	fmt.Fprintf(out, "你是%s的热线员。输入回复后按回车；第一句回复即接起电话。空行或 /hangup 挂断。\n\n", sc.Company)
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
			if !ok || text == "" || text == "/hangup" {
				evs = call.Hangup(clock())
			} else {
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
