"""Fixed user-facing wording (Simplified Chinese), kept together so it reads as one voice."""

BOT_NAME = "防返贫监测帮扶助手"

INTRO = (
    "您好！我是<b>{bot_name}</b>，可以帮您：\n"
    "• <b>政策问答</b>：直接输入问题，如“监测收入标准是多少？”“三保障指什么？”\n"
    "• <b>申报困难</b>：家里遇到因病、因灾、务工不稳等困难，可以向村里反映线索\n"
    "• <b>联系咨询</b>：{office}，电话 {phone}\n\n"
    "我的回答都注明出处；拿不准的问题，我会如实告诉您并给出咨询电话。"
)

HELP = (
    "<b>使用帮助</b>\n"
    "• 直接输入政策问题，我会从知识库中查找答案并注明来源。\n"
    "• /start 主菜单　/help 本帮助\n"
    "• 回答下方的按钮是相关问题，点一下即可查看。\n"
    "政策咨询：{office}，电话 {phone}"
)

ASK_PROMPT = "请直接输入您想问的政策问题，例如：“监测收入标准是多少？”“大排查查哪些内容？”"

EMPTY_INPUT = "没有收到文字内容。请用文字输入您的问题，例如：“监测收入标准是多少？”"
NO_WORDS = "没能看懂这条消息（只有符号或表情）。请用文字描述您的问题，例如：“三保障指什么？”"
TOO_LONG = (
    "您的消息有 {length} 个字，太长了，我没法准确理解。"
    "请用一两句话（{limit} 字以内）说明您想问什么。"
)
THANKS = "不客气！还有其他问题可以随时问我。"

ANSWER_SOURCE = "📄 来源：{source}"
ABSTAIN = "抱歉，这个问题我没有把握回答，暂时无法给您准确答复。"
SUGGEST = "您是不是想问："
CONTACT_LINE = "也可以直接咨询{office}，电话 {phone}。"

UNKNOWN_COMMAND = "没有 /{command} 这个命令。发送 /help 查看可用的功能。"
UNKNOWN_BUTTON = "这个按钮已失效，请重新发送 /start。"
ERROR = "抱歉，处理您的消息时出了点问题，请稍后再试。如急需帮助，请拨打 {phone}。"

MENU_ASK = "❓ 政策问答"
MENU_CONTACT = "📞 联系咨询"

MENU_REPORT = "📝 申报困难"
MENU_STATUS = "🔎 查询进度"

DIALOG_DECLINED = "好的，已结束，没有保存任何信息。如有需要，随时发送 /{command} 重新开始。"
DIALOG_CANCELLED = "已取消，刚才填写的内容已删除。"
RESUME_OFFER = "您有一份未完成的《{title}》，已填写 {count} 项。要继续填写，还是重新开始？"
RESUME_CONTINUE = "▶️ 继续填写"
RESUME_RESTART = "🔄 重新开始"
RESUME_SWITCH = "🗑 放弃它，开始《{title}》"
NO_DRAFT = "当前没有正在填写的内容。发送 /report 开始申报困难。"
CONTACT_WITHOUT_DRAFT = "收到了您的号码，但现在没有需要填写的内容。发送 /report 开始申报困难。"
ALREADY_SUBMITTED = (
    "这份内容已经提交过了，编号 <b>{reference}</b>，不会重复提交。发送 /status 查看进度。"
)
BUSY = "刚才的操作和另一处的修改冲突了，请再发一次。"
STAFF_ONLY = "/{command} 只对登记的村干部和工作人员开放。如需开通，请联系管理员。"
VISIT_NEXT = "➕ 记录本村下一户"
DIALOG_HELP = "正在填写《{title}》。\n{step_help}\n可用命令：/back 上一步 · /skip 跳过（选填项）· /cancel 取消 · /status 查询进度"
MID_DIALOG_ANSWER = "（回答完这个问题，我们接着填写。）"

STATUS_NONE = "您还没有提交过申报。发送 /report 开始申报困难。"
STATUS_HEADER = "<b>您提交的记录</b>"
STATUS_LINE = (
    "• <b>{reference}</b>（{title}）{created} 提交 · 当前状态：<b>{status}</b> · 最后更新 {updated}"
)

STAFF_PROMPT_CANCELLED = "已放弃本次状态变更。"
STAFF_HELP = (
    "<b>工作人员命令</b>\n"
    "/pending 待处理申报（按优先级）　/view 编号 查看详情并变更状态\n"
    "/assign 编号 干部ID [备注] 指派核实　/export [乡镇] [起始日期] [结束日期] 导出 Excel\n"
    "/stats 统计图表　/unanswered 答不上来的问题　/audit 操作记录（管理员）\n"
    "/staff list | add 用户ID 角色 [乡镇…] | remove 用户ID（管理员）"
)
