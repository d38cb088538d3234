package scenarios

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/phrasebook/phrase"
)

// Lines of the caller may name the call's facts and what the trainee said
// in braces: {name}, {surname}, {title} (先生 or 女士), {phone}, {address}
// (place and unit), {place}, {unit}, {account}, any fact key, and {time}
// and {amount}, the time or amount the trainee gave in the turn answered.
var placeholder = regexp.MustCompile(`\{([a-z]+(?:-[a-z]+)*)\}`)

// PersonaVars are the placeholders every call can fill from its persona.
func PersonaVars() []string {
	return []string{"name", "surname", "title", "phone", "address", "place", "unit", "account"}
}

// Promised is what a step's unless names to wait on any promise with a
// time the trainee made, whatever words it came in.
const Promised = "promised"

// Heard are the placeholders filled from what the trainee said.
const (
	VarTime   = "time"
	VarAmount = "amount"
)

// Placeholders returns the names in braces in line, in order.
func Placeholders(line string) []string {
	var out []string
	for _, m := range placeholder.FindAllStringSubmatch(line, -1) {
		out = append(out, m[1])
	}
	return out
}

// Fill replaces each {name} of line by vars[name]; it reports false when a
// placeholder has no value, so that the caller can choose another line.
func Fill(line string, vars map[string]string) (string, bool) {
	ok := true
	out := placeholder.ReplaceAllStringFunc(line, func(m string) string {
		v, found := vars[m[1:len(m)-1]]
		if !found || v == "" {
			ok = false
		}
		return v
	})
	return out, ok
}

// IsQuestion reports whether a line asks something: a caller never hangs
// up in the same breath.
func IsQuestion(line string) bool {
	return strings.ContainsAny(line, "？?") || strings.HasSuffix(strings.TrimRight(line, "。！!… "), "吗")
}

// ParseSpan reads a promise bound as value rules write theirs (4h, 30m,
// 2d, 1h30m).
func ParseSpan(s string) (time.Duration, error) {
	sec, err := phrase.ParseBound(s)
	if err != nil || sec <= 0 {
		return 0, fmt.Errorf("%q: write a duration such as 30m, 2h or 1d", s)
	}
	return time.Duration(sec) * time.Second, nil
}

// checkLines reports placeholders a line cannot fill: unknown names, and
// {time} or {amount} where nothing the trainee said is being answered.
func (s *Scenario) checkLines(c *errs, path string, ls []string, heard bool) {
	for i, l := range ls {
		s.checkLine(c, pathIndex(path, i), l, heard)
	}
}

func (s *Scenario) checkLine(c *errs, path, l string, heard bool) {
	for _, p := range Placeholders(l) {
		switch {
		case slices.Contains(PersonaVars(), p):
		case p == VarTime || p == VarAmount:
			if !heard {
				c.at(path, "{%s} is what the trainee said; this line answers nothing said", p)
			}
		default:
			if _, ok := s.FactByKey(p); !ok {
				c.at(path, "unknown placeholder {%s}: use a fact key or one of %s, time, amount", p, strings.Join(PersonaVars(), ", "))
			}
		}
	}
}

// Echoes reports a line that repeats what the trainee said: {time} or
// {amount}.
func Echoes(line string) bool {
	ps := Placeholders(line)
	return slices.Contains(ps, VarTime) || slices.Contains(ps, VarAmount)
}

// plainLine reports whether one of ls needs nothing the trainee said, so a
// turn without a typed value still gets a line.
func plainLine(ls []string) bool {
	return slices.ContainsFunc(ls, func(l string) bool { return !Echoes(l) })
}

// validatePools checks the pools' entries and that a fact drawn from a pool
// says its value through a placeholder, so a drawn caller says its own.
func validatePools(c *errs, s *Scenario) {
	p := &s.Pools
	for i, n := range p.Names {
		path := pathIndex("pools.names", i)
		if strings.TrimSpace(n.Name) == "" {
			c.at(path+".name", "required")
		}
		if n.Gender != "male" && n.Gender != "female" {
			c.at(path+".gender", "%q: must be male or female", n.Gender)
		}
		if n.Surname != "" && !strings.HasPrefix(n.Name, n.Surname) {
			c.at(path+".surname", "%q does not begin the name %q", n.Surname, n.Name)
		}
	}
	for i, a := range p.Addresses {
		path := pathIndex("pools.addresses", i)
		if strings.TrimSpace(a.Unit) == "" {
			c.at(path+".unit", "required: the part of the address that is restated")
		}
	}
	digits := func(list string, vs []string) {
		for i, v := range vs {
			if strings.TrimSpace(v) == "" || strings.Trim(v, "0123456789") != "" {
				c.at(pathIndex(list, i), "%q: digits only", v)
			}
		}
	}
	digits("pools.phones", p.Phones)
	digits("pools.accounts", p.Accounts)
	for i, f := range s.Facts {
		if drawsFrom(p, f.PoolOf()) && !strings.Contains(f.Say, "{") {
			c.at(pathIndex("facts", i)+".say", "the fact is drawn from pools.%s: say it with a placeholder such as {%s} so each caller says their own", f.PoolOf(), f.Key)
		}
	}
}

// drawsFrom reports whether the named pool has alternatives.
func drawsFrom(p *Pools, pool string) bool {
	switch pool {
	case PoolNames:
		return len(p.Names) > 0
	case PoolPhones:
		return len(p.Phones) > 0
	case PoolAddresses:
		return len(p.Addresses) > 0
	case PoolAccounts:
		return len(p.Accounts) > 0
	}
	return false
}

func validatePromise(c *errs, s *Scenario) {
	pr := s.Promise
	if pr == nil {
		return
	}
	validatePromiseLines(c, s, pr)
	if pr.Item != "" {
		i := slices.IndexFunc(s.Checklist, func(it Item) bool { return it.ID == pr.Item })
		switch {
		case pr.Min != "" || pr.Max != "":
			c.at("promise.item", "the item's value rule is the norm: leave min and max out")
		case i < 0:
			c.at("promise.item", "unknown checklist item %q", pr.Item)
		case s.Checklist[i].Value == nil || s.Checklist[i].Value.Type != "":
			c.at("promise.item", "checklist item %q has no value rule for a time", pr.Item)
		}
		return
	}
	var lo, hi time.Duration
	var err error
	if pr.Min != "" {
		if lo, err = ParseSpan(pr.Min); err != nil {
			c.at("promise.min", "%v", err)
		}
	}
	if pr.Max != "" {
		if hi, err = ParseSpan(pr.Max); err != nil {
			c.at("promise.max", "%v", err)
		}
	}
	if lo > 0 && hi > 0 && lo > hi {
		c.at("promise.min", "%s is longer than max %s", pr.Min, pr.Max)
	}
}

func validatePromiseLines(c *errs, s *Scenario, pr *Promise) {
	lines := func(path string, ls []string) {
		for i, l := range ls {
			if strings.TrimSpace(l) == "" {
				c.at(pathIndex(path, i), "empty line")
			}
		}
		s.checkLines(c, path, ls, true)
	}
	lines("promise.early", pr.Early)
	lines("promise.late", pr.Late)
	lines("promise.kept", pr.Kept)
	s.checkLine(c, "promise.remind", pr.Remind, true)
	if IsQuestion(pr.Remind) {
		c.at("promise.remind", "said with the goodbye: a question here would go unanswered")
	}
}
