package sim

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// Text renders the scorecard as a report a trainee reads in a terminal:
// the verdict and why, each checklist item with what happened and its
// norm, the forbidden phrases with what to say instead, and the call.
func (s *Scorecard) Text() string {
	var b strings.Builder
	verdict := "未通过"
	if s.Passed {
		verdict = "通过"
	}
	fmt.Fprintf(&b, "场景：%s（%s）\n", s.Title, s.Scenario)
	fmt.Fprintf(&b, "结果：%s  得分 %d（及格线 %d）  检查项 %d/%d 分，忌语扣 %d 分\n", verdict, s.Score, s.PassMark, s.Points, s.MaxPoints, s.Penalty)
	fmt.Fprintf(&b, "结束：%s %s 通话 %.0f 秒，客户情绪 %d → %d（最高 %d）\n", s.Outcome, s.OutcomeNote, s.Duration, s.Mood.Start, s.Mood.End, s.Mood.Max)
	for _, r := range s.Reasons {
		fmt.Fprintf(&b, "  × %s\n", r)
	}
	if s.Caller != "" || len(s.Facts) > 0 {
		fmt.Fprintf(&b, "来电人：%s", s.Caller)
		keys := slices.Sorted(maps.Keys(s.Facts))
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s：%s", k, s.Facts[k])
		}
		b.WriteString("\n")
	}
	b.WriteString("\n检查项：\n")
	for _, it := range s.Checklist {
		mark := "✗"
		if it.Done {
			mark = "✓"
		}
		crit := ""
		if it.Critical {
			crit = "【关键】"
		}
		fmt.Fprintf(&b, "  %s %s%s  %d/%d  %s\n", mark, crit, it.Title, it.Earned, it.Points, it.Note)
		if !it.Done && it.Model != "" {
			fmt.Fprintf(&b, "      可以这样说：%s\n", it.Model)
		}
		fmt.Fprintf(&b, "      %s（%s）\n", it.Explain, it.Norm)
	}
	if len(s.Forbidden) > 0 {
		b.WriteString("\n忌语：\n")
		for _, f := range s.Forbidden {
			fmt.Fprintf(&b, "  第 %.0f 秒「%s」扣 %d 分 —— %s", f.At, f.Said, f.Penalty, f.Explain)
			if f.Norm != "" {
				fmt.Fprintf(&b, "（%s）", f.Norm)
			}
			b.WriteString("\n")
			if f.Rewrite != "" {
				fmt.Fprintf(&b, "      可以这样说：%s\n", f.Rewrite)
			}
		}
	}
	b.WriteString("\n通话记录：\n")
	for _, t := range s.Turns {
		who := "客户"
		if t.Speaker == Trainee {
			who = "学员"
		}
		fmt.Fprintf(&b, "  %6.1f %s：%s", t.At, who, t.Text)
		if t.Misheard {
			b.WriteString(" 〔客户没听清〕")
		}
		if len(t.Hits) > 0 {
			b.WriteString("  〔")
			for i, h := range t.Hits {
				if i > 0 {
					b.WriteString(" ")
				}
				b.WriteString(intentTitle(h.Intent))
			}
			b.WriteString("〕")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func intentTitle(i phrase.Intent) string {
	if info, ok := phrase.LookupIntent(i); ok {
		return info.Title
	}
	return string(i)
}
