package web

// accountText holds the texts of first-run setup, sign-in hardening and
// account details.
func accountText() catalogue {
	return catalogue{
		"setup.title":    {langZH: "初始设置", langEN: "First-run setup"},
		"setup.intro":    {langZH: "欢迎使用热线陪练。请创建第一个管理员账号，之后用它开通其他账号。", langEN: "Welcome to Hotline Coach. Create the first administrator account; with it you then create everyone else's."},
		"setup.name":     {langZH: "真实姓名", langEN: "Real name"},
		"setup.username": {langZH: "用户名（登录用）", langEN: "Username (for signing in)"},
		"setup.password": {langZH: "密码（至少 10 个字符，不要用常见密码）", langEN: "Password (at least 10 characters, not a common one)"},
		"setup.submit":   {langZH: "创建管理员并登录", langEN: "Create the administrator and sign in"},

		"err.account_name":        {langZH: "请填写真实姓名（不超过 100 字节，一行）。", langEN: "Give the person's real name (one line, at most 100 bytes)."},
		"err.account_employee_no": {langZH: "工号只能包含字母、数字和“-”，不超过 40 个字符。", langEN: "An employee number may hold letters, digits and '-' only, at most 40."},
		"err.account_address":     {langZH: "请填写地址。", langEN: "Give an address."},
		"err.too_many_calls":      {langZH: "您已有 3 个尚未接通的通话，请先接听或等待它们超时。", langEN: "You have 3 calls not yet picked up. Take one, or wait for them to time out."},
		"err.overloaded":          {langZH: "系统繁忙，请稍后再试。", langEN: "The server is busy. Please try again shortly."},
		"err.login_csrf":          {langZH: "登录页面已过期，请重新输入。", langEN: "The sign-in page expired. Please try again."},

		"ws.signed_out": {langZH: "您已退出登录或账号已变更，通话已断开。", langEN: "You were signed out or your account changed; the call was disconnected."},
	}
}
