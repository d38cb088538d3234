package web

import (
	"strings"
	"time"
)

// The audit log's entries are stored as the store writes them: a dotted
// action, a typed target ("user:alice") and a detail in English. The audit
// page shows each in the page's language; what it cannot rewrite it shows
// as stored, so nothing is hidden.

// auditKinds are the kinds of action the audit page filters by, in the
// order its choice lists them: the part of an action before its dot.
func auditKinds() []string {
	return []string{"user", "setup", "track", "cert", "scenario", "phrases", "content", "dispute", "evalcase"}
}

// auditTargetKinds name a target's type ("user" of "user:alice").
var auditTargetKinds = map[string]string{
	"user": "账号", "team": "班组", "scenario": "场景", "phrases": "话术文件", "call": "通话",
	"intent": "意图", "publication": "发布批次", "track": "认证课程",
}

// auditDetailRules rewrite the details the store writes into Chinese; a
// role, track or verdict inside is named afterwards by auditWords.
func auditDetailRules() []issueRule {
	return compileRules([][2]string{
		{`^(?:(.+), )?role (\w+), team "(.*)", employee number "(.*)"$`, `$1 角色：role.$2，班组：“$3”，工号：$4`},
		{`^(?:(.+), )?role (\w+), team "(.*)"$`, `$1 角色：role.$2，班组：“$3”`},
		{`^password set$`, `已设置密码`},
		{`^temporary password set; to be changed at the next sign-in$`, `已设置临时密码，下次登录时须修改`},
		{`^new password set with a reset link$`, `已通过重置链接设置新密码`},
		{`^changed own password$`, `本人修改了密码`},
		{`^one-time password-reset link made, valid until (\S+)$`, `已生成一次性重置密码链接，有效期至 $1`},
		{`^first admin "(.*)" created with the setup link$`, `通过首次设置链接创建了首个管理员“$1”`},
		{`^revision (\d+): built-in (scenario|phrasebook)$`, `第 $1 版：内置内容`},
		{`^(trainee|trainer|manager|admin) (?:->|→) (trainee|trainer|manager|admin)$`, `role.$1 → role.$2`},
		{`^"(.*)" -> "(.*)"$`, `“$1” → “$2”`},
		{`^track (\S+): (.*) \(valid until (\S+)\)$`, `认证课程 track:$1：$2（有效期至 $3）`},
		{`^track (\S+): (.*)$`, `认证课程 track:$1：$2`},
		{`^track (\S+)$`, `认证课程 track:$1`},
		{`^revision (\d+) published \(publication (\d+)\)$`, `第 $1 版已发布（发布批次 $2）`},
		{`^retired \(publication (\d+)\)$`, `已停用（发布批次 $1）`},
		{`^revision (\d+): (.*) \(from (\S+) revision (\d+)\)$`, `第 $1 版：$2（复制自 $3 第 $4 版）`},
		{`^revision (\d+): (.*) \(from (\S+)\)$`, `第 $1 版：$2（导入自 $3）`},
		{`^revision (\d+) \(from (\S+) revision (\d+)\)$`, `第 $1 版（复制自 $2 第 $3 版）`},
		{`^revision (\d+) \(from (\S+)\)$`, `第 $1 版（导入自 $2）`},
		{`^revision (\d+): (.*)$`, `第 $1 版：$2`},
		{`^revision (\d+)$`, `第 $1 版`},
		{`^(\d+) content units loaded and published$`, `载入并发布了 $1 个内容单元`},
		{`^dispute (\d+) of item (\S+) at turn (\d+): (.*)$`, `申诉 #$1：检查项 $2，第 $3 句；理由：$4`},
		{`^dispute (\d+) of item (\S+) upheld: score (\S+) → (\S+), (passed|failed)$`, `申诉 #$1（检查项 $2）已采纳：得分 $3 → $4，verdict.$5`},
		{`^dispute (\d+) of item (\S+) rejected: (.*)$`, `申诉 #$1（检查项 $2）未采纳：$3`},
		{`^from dispute (\d+): (.*)$`, `来自申诉 #$1：$2`},
	})
}

// auditWords names what the detail rules leave as codes.
var auditWords = strings.NewReplacer(
	"role.trainee", "学员", "role.trainer", "培训师", "role.manager", "主管", "role.admin", "管理员",
	"verdict.passed", "通过", "verdict.failed", "未通过",
)

// auditEntryView is one line of the audit page, in the page's language.
type auditEntryView struct {
	At                                  time.Time
	Actor, Action, Kind, Target, Detail string
}

// auditText puts entries into a language.
type auditText struct {
	rules  []issueRule
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
		if zh, ok := auditTargetKinds[kind]; ok {
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
	if zh, ok := rewrite(a.rules, detail); ok {
		zh = auditWords.Replace(zh)
		// A track named inside the detail: by its title.
		for id, title := range a.tracks {
			zh = strings.ReplaceAll(zh, "track:"+id, title)
		}
		v.Detail = strings.TrimSpace(strings.ReplaceAll(zh, "track:", ""))
	}
	return v
}
