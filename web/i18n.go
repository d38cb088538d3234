package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// The interface languages. Simplified Chinese comes first: it is the
// language of the people the product trains.
const (
	langZH = "zh"
	langEN = "en"
)

const langCookie = "lang"

// catalogue maps a message key to its text per language.
type catalogue map[string]map[string]string

// get returns the text of key in lang, falling back to Chinese and then to
// the key itself so that a missing entry is visible rather than blank.
func (c catalogue) get(lang, key string) string {
	if t, ok := c[key][lang]; ok {
		return t
	}
	if t, ok := c[key][langZH]; ok {
		return t
	}
	return key
}

// newCatalogue gathers the texts of every part of the site. Each part keeps
// its texts beside its handlers; a key must be defined once.
func newCatalogue() (catalogue, error) {
	out := catalogue{}
	for _, part := range []catalogue{baseText(), practiceText(), certText(), authorText(), reviewText(), disputeText(), accountText(), deskText(), deskCardText()} {
		for k, v := range part {
			if _, dup := out[k]; dup {
				return nil, fmt.Errorf("text %q defined twice", k)
			}
			out[k] = v
		}
	}
	return out, nil
}

// baseText holds the texts of the layout, login, home and errors.
func baseText() catalogue {
	return catalogue{
		"app.name":         {langZH: "热线陪练", langEN: "Hotline Coach"},
		"app.tagline":      {langZH: "供热、供电、供水与物业热线的通话练习", langEN: "Call practice for heating, power, water and property hotlines"},
		"nav.logout":       {langZH: "退出登录", langEN: "Sign out"},
		"nav.switch_lang":  {langZH: "English", langEN: "中文"},
		"nav.switch_to":    {langZH: langEN, langEN: langZH},
		"nav.my_disputes":  {langZH: "我的申诉", langEN: "My disputes"},
		"nav.decided":      {langZH: " 条已有处理结果", langEN: " decided"},
		"nav.author":       {langZH: "内容编辑", langEN: "Authoring"},
		"nav.disputes":     {langZH: "申诉处理", langEN: "Disputes"},
		"nav.audit":        {langZH: "审计日志", langEN: "Audit log"},
		"nav.progress":     {langZH: "认证进度", langEN: "Certification"},
		"nav.manage":       {langZH: "班组看板", langEN: "Team dashboard"},
		"nav.accounts":     {langZH: "账号管理", langEN: "Accounts"},
		"nav.signed_in_as": {langZH: "当前用户", langEN: "Signed in as"},

		"login.title":    {langZH: "登录", langEN: "Sign in"},
		"login.username": {langZH: "用户名", langEN: "Username"},
		"login.password": {langZH: "密码", langEN: "Password"},
		"login.submit":   {langZH: "登录", langEN: "Sign in"},
		"login.show":     {langZH: "显示密码", langEN: "Show password"},
		"login.hint":     {langZH: "账号由管理员开通。忘记密码请联系管理员。", langEN: "Accounts are created by an administrator. Ask them if you forgot your password."},

		"home.title":   {langZH: "首页", langEN: "Home"},
		"home.welcome": {langZH: "您好，", langEN: "Hello, "},
		"home.account": {langZH: "我的账号", langEN: "My account"},
		"home.role":    {langZH: "角色", langEN: "Role"},
		"home.team":    {langZH: "班组", langEN: "Team"},
		"home.no_team": {langZH: "未分组", langEN: "None"},

		"home.next":           {langZH: "下一步", langEN: "Next step"},
		"home.next_exam":      {langZH: "您的练习已达到 {n} 分，可以参加这个场景的认证考试了。", langEN: "Your practice has reached {n}: take this scenario's certification exam."},
		"home.next_practise":  {langZH: "认证课程的下一个场景。考试需要 {n} 分，先练习到这个分数。", langEN: "The next scenario of your track. The exam needs {n}; practise until you reach it."},
		"home.next_easiest":   {langZH: "还没通过的场景里最容易的一个（及格线 {n} 分）。", langEN: "The easiest scenario you have not passed yet (pass mark {n})."},
		"home.start_practice": {langZH: "开始练习", langEN: "Practise it"},
		"home.start_exam":     {langZH: "参加考试", langEN: "Take the exam"},
		"home.all_passed":     {langZH: "所有场景您都通过过了。可以到场景列表里挑一个再练，或参加考试。", langEN: "You have passed every scenario. Pick one to practise again, or take an exam."},
		"home.track":          {langZH: "认证进度", langEN: "Certification"},
		"home.track_done":     {langZH: "考试已达标 {done} / {of} 个场景", langEN: "{done} of {of} exams passed"},
		"home.track_link":     {langZH: "查看认证详情与考试", langEN: "Details and exams"},
		"home.missed":         {langZH: "我最常漏掉的步骤", langEN: "The steps I miss most"},
		"home.missed_n":       {langZH: "{of} 次中漏了 {n} 次", langEN: "missed {n} of {of} times"},
		"home.missed_none":    {langZH: "还没有可统计的通话。练习几次后，这里会列出您最常漏掉的步骤。", langEN: "No calls to count yet. After a few, your most missed steps show here."},
		"home.practise_item":  {langZH: "练习这个场景", langEN: "Practise this scenario"},

		"role.trainee": {langZH: "学员", langEN: "Trainee"},
		"role.trainer": {langZH: "培训师", langEN: "Trainer"},
		"role.manager": {langZH: "主管", langEN: "Manager"},
		"role.admin":   {langZH: "管理员", langEN: "Administrator"},

		"error.title": {langZH: "出错了", langEN: "Something went wrong"},
		"error.home":  {langZH: "返回首页", langEN: "Back to the home page"},

		"err.bad_request":            {langZH: "请求格式不正确。", langEN: "The request is malformed."},
		"err.bad_json":               {langZH: "请求内容不是有效的 JSON。", langEN: "The request body is not valid JSON."},
		"err.missing_credentials":    {langZH: "请输入用户名和密码。", langEN: "Enter your username and password."},
		"err.bad_credentials":        {langZH: "用户名或密码错误。", langEN: "Wrong username or password."},
		"err.rate_limited":           {langZH: "登录尝试过于频繁，请稍后再试。", langEN: "Too many sign-in attempts. Please try again later."},
		"err.unauthorized":           {langZH: "请先登录。", langEN: "Please sign in first."},
		"err.forbidden":              {langZH: "您没有权限进行此操作。", langEN: "You are not allowed to do this."},
		"err.not_found":              {langZH: "找不到您要的内容。", langEN: "Not found."},
		"err.method_not_allowed":     {langZH: "此地址不支持该操作。", langEN: "This address does not support that method."},
		"err.too_large":              {langZH: "提交的内容过大。", langEN: "The request is too large."},
		"err.unsupported_media_type": {langZH: "请以 application/json 格式提交。", langEN: "Send the request as application/json."},
		"err.cross_origin":           {langZH: "已拒绝来自其他网站的请求。", langEN: "Cross-site request refused."},
		"err.csrf":                   {langZH: "页面已过期，请刷新后重试。", langEN: "This page has expired. Reload it and try again."},
		"err.conflict":               {langZH: "数据已被修改，请刷新后重试。", langEN: "The data changed in the meantime. Reload and try again."},
		"err.canceled":               {langZH: "请求已取消。", langEN: "The request was cancelled."},
		"err.unavailable":            {langZH: "服务暂时不可用，请稍后再试。", langEN: "The service is unavailable. Please try again later."},
		"ws.bad_message":             {langZH: "无法识别的消息，连接已关闭。", langEN: "Unrecognised message; the connection is closed."},
		"ws.too_large":               {langZH: "消息过长，连接已关闭。", langEN: "Message too large; the connection is closed."},
		"ws.empty_say":               {langZH: "回复内容不能为空。", langEN: "A reply cannot be empty."},
		"ws.call_over":               {langZH: "通话已结束。", langEN: "The call is over."},
		"ws.unavailable":             {langZH: "通话暂时中断，请重新连接。", langEN: "The call was interrupted. Please reconnect."},

		"err.internal": {langZH: "服务器内部错误，请稍后再试。", langEN: "Internal server error. Please try again later."},
	}
}

// langKey is where the request's language is kept in the gin context.
const langKey = "coach.lang"

// chooseLang picks the interface language: a ?lang= query switches and is
// remembered in a cookie; otherwise the cookie; otherwise Chinese.
func (s *Server) chooseLang(c *gin.Context) {
	lang := ""
	if q := c.Query("lang"); q == langZH || q == langEN {
		lang = q
		http.SetCookie(c.Writer, &http.Cookie{ // #nosec G124 -- Secure follows the connection (TLS or Config.SecureCookies): on plain HTTP at 127.0.0.1 a Secure cookie would never come back
			Name: langCookie, Value: q, Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure(c),
		})
	} else if ck, err := c.Cookie(langCookie); err == nil && (ck == langZH || ck == langEN) {
		lang = ck
	} else {
		lang = langZH
	}
	c.Set(langKey, lang)
	c.Next()
}

// langOf returns the language chooseLang picked, or Chinese before it ran.
func langOf(c *gin.Context) string {
	if l := c.GetString(langKey); l != "" {
		return l
	}
	return langZH
}

// isAPI reports whether path belongs to the JSON API, which answers errors
// in JSON rather than with a page.
func isAPI(path string) bool { return path == "/api" || strings.HasPrefix(path, "/api/") }
