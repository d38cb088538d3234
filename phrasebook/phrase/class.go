package phrase

import (
	"slices"
	"sort"
)

// wordClasses are the named word lists a pattern refers to as <name>:
// the parties a caller can be sent to, the ways of saying "you", "we", a
// neighbour, a family member. A family of forbidden patterns is a small
// grammar over them (<you> 去 找 <party>: 您自己去找物业), and one list
// serves every pattern that needs it, so that a party added here is
// recognised by every deflection at once. A member is written like a
// pattern (groups, ? and {number} are allowed, … only with its window,
// as …4; <classes> are not).
var wordClasses = map[string][]string{
	// party: whom a caller can be sent to instead of being helped: other
	// companies and offices, the people of the building, other teams of
	// the company, whoever took an earlier call.
	"party": {
		"物业", "物业公司", "物业管家", "管家", "供暖管家", "街道", "街道办", "居委会", "社区", "社区居委会", "村委会", "业委会",
		"营业厅", "开发商", "建商", "房东", "房管局", "房管所", "区公所", "里长", "乡公所", "镇政府", "政府", "市政府",
		"119", "110", "120", "12345", "114", "12319", "市长热线", "热线", "消协", "物价局", "工商", "城管", "派出所", "警察",
		"燃气公司", "燃气", "供电局", "电力公司", "电业局", "供电公司", "自来水公司", "自来水厂", "水务", "水务集团", "热力公司", "热力站", "换热站",
		"施工队", "施工单位", "施工方", "维修班", "维修队", "维修部", "抢修队", "测温组", "外网", "外面 (的)? 师傅", "装修公司", "保险公司",
		"厂家", "售后", "电工", "水暖工", "物业电工", "锁匠",
		"别的部门", "其他部门", "有关部门", "相关部门", "别的单位", "其他单位", "上级", "上面", "领导", "经理", "主管",
		"楼上", "楼下", "邻居", "对门", "隔壁", "业主", "楼上业主", "楼下业主", "肇事方", "对方",
		"(当时|之前|上次|那天) …4 (接|接电话|接线) (的)? (那个)? (人|同事|小姑娘|姑娘)",
		"别人", "别家", "人家",
	},
	// you: the caller, one or the household.
	"you": {"您", "你", "你们", "您们", "您家", "你家", "你们家", "您们家"},
	// we: the company, its team and the trainee.
	"we": {"我", "我们", "咱", "咱们", "俺", "俺们", "我这边", "我们这边", "我们这儿", "我这儿", "公司", "我们公司", "我们客服", "我们热线", "客服", "热线"},
	// neighbour: another household, named by place, number or person.
	"neighbour": {
		"楼上", "楼下", "隔壁", "对门", "对面", "邻居", "那户", "那家", "别人家", "别家", "他家", "她家", "他们家", "人家", "那家人",
		"{number} (那户|那家|的业主|业主|的住户|住户|那位|家)", "另1户", "另外1户", "其他住户", "其他用户", "别的用户",
	},
	// kin: a caller's family members, whom a hotline has no reason to ask about.
	"kin": {
		"老伴", "老伴儿", "老公", "老婆", "爱人", "丈夫", "媳妇", "太太", "先生", "对象", "孩子", "孩子们", "小孩", "儿子", "女儿", "闺女", "儿女", "子女",
		"亲戚", "公婆", "婆婆", "岳父", "岳母", "父母", "爸妈", "老人",
	},
	// blame-verb: what a caller is accused of having done to the
	// installation (您是不是自己拧过阀门, 暖气片是自己换的吧).
	"blame-verb": {
		"动", "动过", "动了", "拧", "拧过", "拧错", "拧死", "拧坏", "拧小", "换", "换过", "换了", "装", "装过", "改", "改过", "改了",
		"弄", "弄过", "弄坏", "拆", "拆过", "碰", "碰过", "关小", "关死", "关了", "堵", "接", "私接", "乱接",
	},
	// surname: the common family names by which another household or a
	// member of staff is named (302的王家, 那个老陈, 三号楼李奶奶).
	"surname": {
		"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林", "何", "郭", "马", "罗",
		"梁", "宋", "郑", "谢", "韩", "唐", "冯", "于", "董", "萧", "程", "曹", "袁", "邓", "许", "傅", "沈", "曾", "彭", "吕",
		"苏", "卢", "蒋", "蔡", "贾", "丁", "魏", "薛", "叶", "阎", "余", "潘", "杜", "戴", "夏", "钟", "汪", "田", "任", "姜",
		"范", "方", "石", "姚", "谭", "廖", "邹", "熊", "金", "陆", "郝", "孔", "白", "崔", "康", "毛", "邱", "秦", "江", "史",
		"顾", "侯", "邵", "孟", "龙", "段", "雷", "钱", "汤", "尹", "黎", "常", "武", "乔", "贺", "赖", "龚", "文",
	},
	// staff: the company's people whose affairs are internal (主任,
	// 站长, the colleague who did not come).
	"staff": {
		"主任", "领导", "站长", "经理", "主管", "科长", "班长", "队长", "组长", "同事", "师傅", "师父", "维修工", "抢修工", "上面", "公司",
	},
	// outcome: what no one on the line can make sure of: that it will be
	// warm, mended, enough, clean, stopped, never again.
	"outcome": {
		"热", "热起来", "热乎", "热乎乎", "暖和", "暖暖和和", "烫手", "修好", "修复", "修完", "弄好", "装好", "搞定", "解决", "恢复", "好了",
		"来水", "来电", "来暖", "通了", "够用", "是清的", "清", "不会黄", "不黄", "停", "降回", "降下来", "正常", "满意", "不会再", "不再",
		"再也不会", "到 {number} 度", "冲回来", "退回来", "换新", "换好", "换上",
	},
}

// Classes lists the names of the word classes a pattern may refer to as
// <name>, sorted.
func Classes() []string {
	names := make([]string, 0, len(wordClasses))
	for name := range wordClasses {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ClassWords returns the members of the word class name as written, and
// whether it exists.
func ClassWords(name string) ([]string, bool) {
	w, ok := wordClasses[name]
	return slices.Clone(w), ok
}
