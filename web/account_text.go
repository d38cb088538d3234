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

		"admin.employee_no":        {langZH: "工号", langEN: "Employee no."},
		"admin.must_change":        {langZH: "下次登录须修改密码", langEN: "Must change password at next sign-in"},
		"admin.unlock":             {langZH: "解除登录限制", langEN: "Lift sign-in limit"},
		"admin.unlock_hint":        {langZH: "清除此账号因多次输错密码而受到的登录限制。", langEN: "Clear the sign-in limit this account got from wrong passwords."},
		"admin.throttles":          {langZH: "登录限制", langEN: "Sign-in limits"},
		"admin.address":            {langZH: "地址", langEN: "Address"},
		"admin.failures":           {langZH: "失败次数", langEN: "Failures"},
		"admin.until":              {langZH: "限制至", langEN: "Until"},
		"admin.password_reset":     {langZH: "重置密码", langEN: "Reset password"},
		"admin.reset_link":         {langZH: "生成一次性重置链接", langEN: "Make a one-time reset link"},
		"admin.reset_link_for":     {langZH: "密码重置链接，用户：", langEN: "Password-reset link for"},
		"admin.reset_link_hint":    {langZH: "链接只显示这一次，24 小时内有效，只能使用一次。请通过安全渠道交给本人。", langEN: "Shown this once; it works once, within 24 hours. Hand it over by a safe channel."},
		"admin.temporary_password": {langZH: "临时密码", langEN: "Temporary password"},
		"admin.set_temporary":      {langZH: "设为临时密码", langEN: "Set temporary password"},
		"admin.import":             {langZH: "批量导入账号（CSV）", langEN: "Import accounts (CSV)"},
		"admin.import_format":      {langZH: "首行为列名：username,name,role,team,employee_no（工号可留空）。任何一行有误则全部不导入。", langEN: "First line names the columns: username,name,role,team,employee_no (employee_no may be empty). One bad line and nothing is imported."},
		"admin.import_file":        {langZH: "CSV 文件", langEN: "CSV file"},
		"admin.import_nofile":      {langZH: "请选择要导入的 CSV 文件。", langEN: "Choose a CSV file to import."},
		"admin.import_refused":     {langZH: "以下各行有误，未导入任何账号：", langEN: "These lines were refused; nothing was imported:"},
		"admin.import_done":        {langZH: "导入完成。临时密码只显示这一次，本人首次登录时须修改。", langEN: "Imported. The temporary passwords are shown this once; each must be changed at the first sign-in."},
		"admin.import_hint":        {langZH: "请将临时密码通过安全渠道交给本人。", langEN: "Hand each temporary password over by a safe channel."},

		"password.title":               {langZH: "修改密码", langEN: "Change password"},
		"password.required":            {langZH: "管理员为您设置了临时密码，请先设置新密码。", langEN: "An administrator gave you a temporary password; choose a new one first."},
		"password.current":             {langZH: "当前密码", langEN: "Current password"},
		"password.new":                 {langZH: "新密码（至少 10 个字符，不要用常见密码）", langEN: "New password (at least 10 characters, not a common one)"},
		"password.submit":              {langZH: "保存新密码", langEN: "Save the new password"},
		"password.done":                {langZH: "密码已修改。", langEN: "Your password was changed."},
		"reset.title":                  {langZH: "设置新密码", langEN: "Choose a new password"},
		"reset.done":                   {langZH: "新密码已设置，请用它登录。", langEN: "Your new password is set; sign in with it."},
		"err.account_current_password": {langZH: "当前密码不正确。", langEN: "The current password is wrong."},
		"err.password_change_required": {langZH: "请先修改临时密码。", langEN: "Change your temporary password first."},

		"ws.signed_out": {langZH: "您已退出登录或账号已变更，通话已断开。", langEN: "You were signed out or your account changed; the call was disconnected."},
	}
}
