package sim

import (
	"math/rand/v2"
	"strings"

	"github.com/hotlinecoach/coach/scenarios"
)

// persona is the caller of one call: the scenario's base persona (a call
// without a drawn seed) or one drawn from its pools with the call's seed.
type persona struct {
	name, surname, gender string
	opening               string
	facts                 []callFact
	// vars fill the placeholders of the caller's lines.
	vars map[string]string
}

// callFact is one fact as this call's caller has it.
type callFact struct {
	*scenarios.Fact
	// value is the detail itself; display how the caller says it alone
	// (a phone in groups, an address with its estate); say is the line
	// that gives it; forms count as restating it.
	value, display, say string
	forms               []string
}

// drawPersona builds the caller: the base persona when base is set, else
// one drawn from the pools with seed (its own stream, so that drawing
// does not shift the caller's choice of lines).
func drawPersona(sc *scenarios.Scenario, seed uint64, base bool) *persona {
	p := &persona{name: sc.Persona.Name, gender: sc.Persona.Gender, opening: sc.Opening}
	place := sc.Persona.Place
	values := map[string]string{} // pool → drawn value
	pools := &sc.Pools
	if !base {
		rng := rand.New(rand.NewPCG(seed, 0x94d049bb133111eb)) // #nosec G404 -- a replayable caller needs a seeded, deterministic generator
		// Every pool is drawn in a fixed order, whether a fact uses it or
		// not, so that adding a fact never changes the rest of a caller.
		if n := len(pools.Names); n > 0 {
			pn := pools.Names[rng.IntN(n)]
			p.name, p.gender, p.surname = pn.Name, pn.Gender, pn.Surname
		}
		if n := len(pools.Phones); n > 0 {
			values[scenarios.PoolPhones] = pools.Phones[rng.IntN(n)]
		}
		if n := len(pools.Addresses); n > 0 {
			a := pools.Addresses[rng.IntN(n)]
			values[scenarios.PoolAddresses], place = a.Unit, a.Place
		}
		if n := len(pools.Accounts); n > 0 {
			values[scenarios.PoolAccounts] = pools.Accounts[rng.IntN(n)]
		}
		if n := len(pools.Openings); n > 0 {
			if i := rng.IntN(n + 1); i < n {
				p.opening = pools.Openings[i]
			}
		}
		if len(pools.Names) > 0 {
			values[scenarios.PoolNames] = p.name
		}
	}
	if p.surname == "" {
		p.surname = firstRune(p.name)
	}
	title := "先生"
	if p.gender == "female" {
		title = "女士"
	}
	p.vars = map[string]string{"name": p.name, "surname": p.surname, "title": title, "place": place}

	p.facts = make([]callFact, len(sc.Facts))
	for i := range sc.Facts {
		f := &sc.Facts[i]
		pool := f.PoolOf()
		cf := callFact{Fact: f, value: f.Value}
		drawn, ok := values[pool]
		if ok {
			cf.value = drawn
		}
		switch pool {
		case scenarios.PoolPhones, scenarios.PoolAccounts:
			cf.display = groupDigits(cf.value)
		case scenarios.PoolAddresses:
			cf.display = place + cf.value
		default:
			cf.display = cf.value
		}
		if ok {
			cf.forms = drawnForms(pool, cf.value, p)
		} else {
			cf.forms = f.Forms()
		}
		p.facts[i] = cf
		p.vars[f.Key] = cf.display
		switch pool {
		case scenarios.PoolPhones:
			p.vars["phone"] = cf.display
		case scenarios.PoolAddresses:
			p.vars["address"], p.vars["unit"] = cf.display, cf.value
		case scenarios.PoolAccounts:
			p.vars["account"] = cf.display
		}
	}
	// The name is the persona's even when no fact asks for it.
	p.vars["name"] = p.name
	for i := range p.facts {
		p.facts[i].say = p.fill(p.facts[i].Say)
	}
	p.opening = p.fill(p.opening)
	return p
}

// fill fills a line's persona placeholders; one it cannot fill is left out.
func (p *persona) fill(line string) string {
	out, _ := scenarios.Fill(line, p.vars)
	return out
}

// factValues are the call's facts for the scorecard: key → value.
func (p *persona) factValues() map[string]string {
	out := make(map[string]string, len(p.facts))
	for _, f := range p.facts {
		out[f.Key] = f.display
	}
	return out
}

func (p *persona) fact(key string) (*callFact, bool) {
	for i := range p.facts {
		if p.facts[i].Key == key {
			return &p.facts[i], true
		}
	}
	return nil, false
}

func firstRune(s string) string {
	for _, r := range s {
		return string(r)
	}
	return ""
}

// Titles a restated name may carry.
var (
	maleTitles   = []string{"先生", "师傅", "大哥", "大爷", "叔"}
	femaleTitles = []string{"女士", "阿姨", "姐", "奶奶", "大妈", "小姐"}
)

// drawnForms are the wordings that restate a drawn value; the matcher's
// normalisation takes care of digits spoken as numerals and of spacing.
func drawnForms(pool, value string, p *persona) []string {
	switch pool {
	case scenarios.PoolNames:
		forms := []string{value}
		titles := maleTitles
		if p.gender == "female" {
			titles = femaleTitles
		}
		for _, t := range titles {
			forms = append(forms, p.surname+t)
		}
		return forms
	case scenarios.PoolAddresses:
		forms := []string{value}
		for _, pair := range [][2]string{{"号楼", "栋"}, {"栋", "号楼"}, {"号楼", "幢"}, {"栋", "幢"}} {
			if alt := strings.Replace(value, pair[0], pair[1], 1); alt != value {
				forms = append(forms, alt)
			}
		}
		return forms
	}
	return []string{value}
}

// groupDigits writes a number as it is read out: 186 2039 7415, 8523 6047.
func groupDigits(s string) string {
	switch len(s) {
	case 11:
		return s[:3] + " " + s[3:7] + " " + s[7:]
	case 8:
		return s[:4] + " " + s[4:]
	}
	return s
}
