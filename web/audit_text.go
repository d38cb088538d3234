package web

import (
	"io/fs"
	"strings"
	"time"

	"github.com/hotlinecoach/coach/internal/yamlfile"
)

// The audit log's entries are stored as the store writes them: a dotted
// action, a typed target ("user:alice") and a detail in English. The audit
// page shows each in the page's language; what it cannot rewrite it shows
// as stored, so nothing is hidden. The texts are in text/audit.yaml.

// auditKinds are the kinds of action the audit page filters by, in the
// order its choice lists them: the part of an action before its dot.
func auditKinds() []string {
	return []string{"user", "setup", "track", "cert", "scenario", "phrases", "content", "dispute", "evalcase"}
}

// auditFile is the shape of text/audit.yaml.
type auditFile struct {
	Targets map[string]string `yaml:"targets"`
	Rules   []ruleText        `yaml:"rules"`
	Words   map[string]string `yaml:"words"`
}

// auditRewrites put the audit log's targets and details into Chinese.
type auditRewrites struct {
	// targets name a target's type ("user" of "user:alice").
	targets map[string]string
	// details rewrite the details the store writes; a role, track or
	// verdict inside is named afterwards by words.
	details []issueRule
	words   *strings.Replacer
}

// readAuditRewrites reads the rewrites of file.
func readAuditRewrites(fsys fs.FS, file string, problems *yamlfile.Errors) *auditRewrites {
	var f auditFile
	root := decodeText(fsys, file, &f, problems)
	if root == nil {
		return nil
	}
	return &auditRewrites{
		targets: f.Targets,
		details: compileRules(file, yamlfile.Items(root, "rules"), f.Rules, problems),
		words:   replacer(f.Words),
	}
}

// auditEntryView is one line of the audit page, in the page's language.
type auditEntryView struct {
	At                                  time.Time
	Actor, Action, Kind, Target, Detail string
}

// auditText puts entries into a language.
type auditText struct {
	rules  *auditRewrites
	text   catalogue
	tracks map[string]string
	titles map[string]string
	// people names accounts by their login: real name and employee
	// number where the account has them.
	people map[string]string
}

// entry writes e in lang; actor is the actor as people know them.
func (a auditText) entry(lang string, at time.Time, actor, action, target, detail string) auditEntryView {
	v := auditEntryView{At: at, Actor: actor, Action: action, Target: target, Detail: detail}
	if kind, name, ok := strings.Cut(target, ":"); ok && kind == "user" && a.people[name] != "" {
		v.Target = "user:" + a.people[name]
	}
	if kind, _, ok := strings.Cut(action, "."); ok {
		v.Kind = kind
	}
	if lang == langEN {
		return v
	}
	if _, ok := a.text["audit.action."+action]; ok {
		v.Action = a.text.get(lang, "audit.action."+action)
	}
	if kind, name, ok := strings.Cut(target, ":"); ok {
		if zh, ok := a.rules.targets[kind]; ok {
			switch kind {
			case "scenario":
				if t := a.titles[name]; t != "" {
					name = t + "（" + name + "）"
				}
			case "user":
				if p := a.people[name]; p != "" {
					name = p
				}
			case "track":
				if t := a.tracks[name]; t != "" {
					name = t
				}
			case "intent":
				if _, ok := a.text["practice.intent."+name]; ok {
					name = a.text.get(lang, "practice.intent."+name)
				}
			}
			v.Target = zh + " " + name
		}
	}
	if zh, ok := rewrite(a.rules.details, detail); ok {
		zh = a.rules.words.Replace(zh)
		// A track named inside the detail: by its title.
		for id, title := range a.tracks {
			zh = strings.ReplaceAll(zh, "track:"+id, title)
		}
		v.Detail = strings.TrimSpace(strings.ReplaceAll(zh, "track:", ""))
	}
	return v
}
