package phrasebook

// NewWithAnalyzer exposes newMatcher to the external test package, so that
// the analyzer comparison can build matchers on other analyzers.
func NewWithAnalyzer(entries []Entry, analyzer string) (*Matcher, error) {
	return newMatcher(entries, analyzer)
}

// AlwaysChecked returns how many wordings are too short for a signature
// and are verified against every reply, the cost a tokenizer whose terms a
// slip breaks many of at once drives up.
func (m *Matcher) AlwaysChecked() int { return len(m.always) }

// Wordings returns how many wordings the matcher verifies.
func (m *Matcher) Wordings() int { return len(m.forms) }

// MatchStats is the work of matching replies: see matchStats.
type MatchStats = matchStats

// MatchCounting is Match that also adds the work it took to st.
func (m *Matcher) MatchCounting(text string, f Filter, st *MatchStats) []Hit {
	return m.match(text, f, st)
}

// SetScreensOff sends every candidate to verification, and makes every
// form of always a candidate, when off is true.
func (m *Matcher) SetScreensOff(off bool) { m.screensOff = off }

// SetKeysOff makes every form of always a candidate when off is true.
func (m *Matcher) SetKeysOff(off bool) { m.keysOff = off }
