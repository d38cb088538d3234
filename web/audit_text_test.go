package web

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestAuditEntryInChinese(t *testing.T) {
	texts := testTexts(t)
	a := auditText{rules: texts.audit, text: texts.messages, people: map[string]string{"li.na": "李娜 (li.na) #HX-0042"}}
	at := time.Date(2025, 11, 3, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		action, target, detail             string
		wantAction, wantTarget, wantDetail string
	}{
		{"user.create", "user:li.na", `李娜, role trainee, team "东区", employee number "HX-0042"`,
			"创建账号", "账号 李娜 (li.na) #HX-0042", "李娜 角色：学员，班组：“东区”，工号：HX-0042"},
		{"user.create", "user:wang", `role trainer, team ""`, "创建账号", "账号 wang", "角色：培训师，班组：“”"},
		{"user.name", "user:li.na", `"" -> "李娜"`, "修改姓名", "账号 李娜 (li.na) #HX-0042", "“” → “李娜”"},
		{"user.password", "user:li.na", "temporary password set; to be changed at the next sign-in", "设置密码", "账号 李娜 (li.na) #HX-0042", "已设置临时密码，下次登录时须修改"},
		{"setup.admin", "user:boss", `first admin "王建国" created with the setup link`, "创建首个管理员", "账号 boss", "通过首次设置链接创建了首个管理员“王建国”"},
		{"user.reset_link", "user:li.na", "one-time password-reset link made, valid until 2025-11-04T09:00:00Z", "生成重置密码链接", "账号 李娜 (li.na) #HX-0042", "已生成一次性重置密码链接，有效期至 2025-11-04T09:00:00Z"},
		{"scenario.seed", "scenario:leak", "revision 1: built-in scenario", "载入内置场景", "场景 leak", "第 1 版：内置内容"},
	} {
		got := a.entry(langZH, at, "root", tc.action, tc.target, tc.detail)
		assert.Equal(t, tc.wantAction, got.Action, tc.action)
		assert.Equal(t, tc.wantTarget, got.Target, tc.action)
		assert.Equal(t, tc.wantDetail, got.Detail, tc.action)
	}
	en := a.entry(langEN, at, "root", "user.create", "user:li.na", "x")
	assert.Equal(t, "user:李娜 (li.na) #HX-0042", en.Target, "English keeps the stored form, with the real name")
}
