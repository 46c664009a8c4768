"""Every word of the web console that is not in the templates' markup: page titles, messages,
filter labels and errors. Placeholders in braces are filled by the caller; Jinja2 escapes
whatever is filled into a page."""

CONSOLE_TITLE = "防返贫监测帮扶 · 工作台"

# --- pages ----------------------------------------------------------------------------------

PAGE_QUEUE = "待处理"
PAGE_RECORD = "记录 {reference}"
PAGE_STATS = "统计"
PAGE_UNANSWERED = "未答问题"
PAGE_STAFF = "人员"
PAGE_AUDIT = "审计"
PAGE_SIGNIN = "登录工作台"
PAGE_NOT_FOUND = "没有找到"
PAGE_FORBIDDEN = "无权限"

# --- sign-in --------------------------------------------------------------------------------

LINK_INVALID = "这个登录链接无效、已过期或已经用过。请在机器人中重新发送 /web 获取新链接。"
MINIAPP_INVALID = (
    "无法在 Telegram 内验证您的身份（数据无效或已超过 1 小时）。"
    "请关闭后重新打开，或在机器人中发送 /web。"
)
SIGNED_OUT = "您已退出工作台。"
SESSION_ENDED = "登录已过期或已结束，请在机器人中发送 /web 重新登录。"

# --- refusals -------------------------------------------------------------------------------

NOT_FOUND = "没有找到这条记录，或您没有查看权限。"
PAGE_MISSING = "没有这个页面。"
FORBIDDEN = "您的角色不能使用这个功能。"
CSRF_FAILED = "表单已失效（安全校验未通过），没有做任何修改。请返回并刷新页面后重试。"

# --- the queue ------------------------------------------------------------------------------

STATUS_OPEN = "待处理（待核实、核实中）"
STATUS_ALL = "全部状态"
ANY = "全部"
DIALOG_SELF = "自主申报"
DIALOG_VISIT = "入户走访"
SORTS = {"priority": "优先级", "age": "提交时间（最早在前）", "township": "乡镇、村"}
QUEUE_TOTAL = "共 {total} 条，第 {page}/{pages} 页"
QUEUE_TOTAL_MANY = "超过 {total} 条，第 {page} 页"
QUEUE_EMPTY = "没有符合条件的记录。"
BAD_FILTER = "筛选条件有误：{problem}"
BAD_DATE = "日期「{text}」无效，请写成 2024-09-01 这样。"
DATES_REVERSED = "起始日期晚于结束日期，请检查。"
UNKNOWN_CHOICE = "「{value}」不是可选的{what}。"
OUT_OF_SCOPE = "{township}不在您的负责范围内。"
WHAT_TOWNSHIP = "乡镇"
WHAT_STATUS = "状态"
WHAT_PRIORITY = "优先级"
WHAT_DIALOG = "类型"
WHAT_SORT = "排序"
TEXT_TOO_LONG = "搜索文字太长（最多 {limit} 个字）。"

# --- a record -------------------------------------------------------------------------------

STATUS_CHANGED = "{reference} 的状态已从「{before}」改为「{after}」。"
STATUS_CHANGED_MEANWHILE = "{reference} 的状态刚被其他人修改过，请查看最新状态后再操作。"
STATUS_NOT_ALLOWED = "{reference} 当前是「{current}」，不能改为「{status}」。"
NOTE_REQUIRED = "请填写备注（说明变更理由），最多 {limit} 个字。"
NOTE_TOO_LONG = "备注太长（{length} 字），最多 {limit} 个字。"
ASSIGNED = "已指派 {cadre} 核实 {reference}。"
ASSIGN_NOT_CADRE = "请从列表中选择一位村干部。"
ASSIGN_DEFAULT_NOTE = "请尽快入户核实。"
NOTIFIED_LATER = "通知将由机器人发送。"

# --- 未答问题: teaching the bot ---------------------------------------------------------------

TEACH_LINKED = "已教会机器人：所有机器人马上按所选条目回答这个问题。"
TEACH_RESTORED = "已撤回：机器人又可以回答这个问题了；答不上来时它会再列出。"
TEACH_UNTAUGHT = "已撤回这条问法：所有机器人马上照原来的方式理解这个问题；答不上来时它会再列出。"
TEACH_DISMISSED = "已标为不在范围：所有机器人从此不答这个问题（说法几乎相同的也不答），它不再列出。"
TEACH_CHOOSE_ENTRY = "请从列表中选择一个知识条目。"
TEACH_UNKNOWN_ENTRY = "（条目 {entry_id} 已不存在）"
DOUBTFUL_REASONS = {
    "complaint": "说“不对” {n} 次",
    "rephrased": "换说法再问 {n} 次",
    "thumbs_down": "👎 {n} 次",
}

# --- staff ----------------------------------------------------------------------------------

STAFF_ADDED = "已添加 {user}（{role}）。"
STAFF_REMOVED = "已移除 {user}，其网页登录已全部失效。"
STAFF_NOT_MEMBER = "{user} 不在工作人员名单中。"
STAFF_BAD_ID = "用户 ID 应为 1–15 位数字（Telegram 用户 ID）。"
STAFF_BAD_ROLE = "请选择角色。"
STAFF_UNKNOWN_TOWNSHIPS = "没有这些乡镇（街道）：{townships}。"
STAFF_REVIEWER_NEEDS_TOWNSHIP = "审核员至少要负责一个乡镇（街道）。"
STAFF_ADMIN_FROM_SETTINGS = "（ADMIN_IDS 设置的管理员，不能在此移除）"

# --- audit detail of what was done in the console -------------------------------------------

AUDIT_VIA_WEB = "网页工作台"
EXPORT_AUDITED = "{count} 条，{period}，{filters}（网页工作台）"
