"""Every reply the core composes (Simplified Chinese), kept together so it reads as one voice.

Placeholders in braces are filled by the caller; any user-typed value is HTML-escaped before it
is filled in. The wording of the dialogs' questions lives in `dialogs/data/*.yaml`, the
engine's own replies in `dialogs/texts.py`, policy answers in `knowledge/data/`.
"""

BOT_NAME = "防返贫监测帮扶助手"

# --- start, help, questions -----------------------------------------------------------------

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
    "• 回答下方的按钮是相关问题，点一下即可查看。\n"
    "• /start 主菜单　/report 申报困难　/status 查询进度\n"
    "• /mydata 查看我的信息　/delete 删除我的信息　/help 本帮助\n"
    "政策咨询：{office}，电话 {phone}"
)

REPORT_OFFER = (
    "听起来您家里遇到了困难。可以点下面的按钮，把情况向村里反映（申报困难），"
    "大约需要 3 分钟；也可以直接问我政策问题。"
)
REPORT_BUTTON = "📝 开始申报困难"

ASK_PROMPT = "请直接输入您想问的政策问题，例如：“监测收入标准是多少？”“大排查查哪些内容？”"

EMPTY_INPUT = "没有收到文字内容。请用文字输入您的问题，例如：“监测收入标准是多少？”"
NO_WORDS = "没能看懂这条消息（只有符号或表情）。请用文字描述您的问题，例如：“三保障指什么？”"
TOO_LONG = (
    "您的消息有 {length} 个字，太长了，我没法准确理解。"
    "请用一两句话（{limit} 字以内）说明您想问什么。"
)

ANSWER_SOURCE = "📄 来源：{source}"
ABSTAIN = "抱歉，这个问题我没有把握回答，暂时无法给您准确答复。"
# Instead of ABSTAIN when the question asks for something the documents do not state.
UNSTATED = "您问的是{what}，本助手收录的政策文件里没有写明，不能给您准确答复。"
# With suggestions: ABSTAIN, SUGGEST (the buttons follow), ABSTAIN_CONTACT_ELSE;
# without: ABSTAIN, ABSTAIN_CONTACT.
SUGGEST = "您是不是想问下面的问题？点一下即可查看。"
# After the answers to a message of several questions, those no entry answers.
UNANSWERED_PARTS = "您问的{questions}，本助手收录的政策文件里没有找到答案，不能给您准确答复。"
ABSTAIN_CONTACT = "您可以直接咨询{office}，电话 {phone}。"
ABSTAIN_CONTACT_ELSE = "如果都不是，可以直接咨询{office}，电话 {phone}。"
# The 📞 联系咨询 reply, which stands on its own.
CONTACT_LINE = "政策咨询：{office}，电话 {phone}。"

UNKNOWN_COMMAND = "没有 /{command} 这个命令。发送 /help 查看可用的功能。"
BUTTON_EXPIRED = "这个按钮已失效，请重新发送 /start。"
ERROR = "抱歉，处理您的消息时出了点问题，请稍后再试。如急需帮助，请拨打 {phone}。"

# --- messages without text (voice, stickers, photos …) ----------------------------------------

# What the bot cannot do with each kind of message (`common.messages.Media`), said before what
# it can do: outside a dialog with the menu's buttons, inside one before the question again.
MEDIA_CANNOT = {
    "voice": "暂时听不了语音",
    "audio": "暂时听不了音频",
    "video": "暂时看不了视频",
    "video_note": "暂时看不了视频消息",
    "sticker": "收到您的表情了😊 不过我只看得懂文字",
    "photo": "暂时看不懂图片",
    "document": "暂时打不开文件",
    "location": "收到了位置，不过我用不上定位",
    "other": "这种消息我暂时看不懂",
}
MEDIA_REPLY = "{cannot}，请打字，或点下面的按钮。"
MEDIA_IN_DIALOG = "{cannot}，请打字回答下面这一项。"
# After a photo outside the step that takes photos: where it can be sent instead.
PHOTO_WHERE = "（填写《{title}》时，照片可以在“{label}”这一步发给我，最多 {limit} 张。）"
# A photo at the step that takes photos (the report's 情况说明), kept for staff.
PHOTO_KEPT = "📷 收到第 {count} 张照片，会附在{title}里给工作人员看。"
PHOTO_MORE = "还可以接着发照片（最多 {limit} 张）；想说的话请打字。"
PHOTO_MORE_OPTIONAL = (
    "还可以接着发照片（最多 {limit} 张）；想说的话请打字，不想说就发送 /skip 继续。"
)
PHOTO_AGAIN = "这张照片已经收到过了。"
PHOTOS_FULL = "最多只能附 {limit} 张照片，这张没有保存。请用文字说说情况，或发送 /skip 继续。"
PHOTOS_SUBMITTED = "附上的 {count} 张照片已一并交给工作人员。"

MENU_ASK = "❓ 政策问答"
MENU_CONTACT = "📞 联系咨询"
MENU_REPORT = "📝 申报困难"
MENU_STATUS = "🔎 查询进度"

# The command menu Telegram shows (the dialogs' own commands come from their YAML `menu:`).
COMMAND_MENU = {
    "start": "主菜单",
    "status": "查询申报进度",
    "help": "使用帮助",
    "back": "填写中：返回上一步",
    "skip": "填写中：跳过选填项",
    "cancel": "填写中：取消",
    "mydata": "查看我的信息",
    "delete": "删除我的信息",
    "pending": "工作人员：待处理申报",
    "web": "工作人员：打开网页工作台",
}

# --- dialogs --------------------------------------------------------------------------------

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
DIALOG_HELP = (
    "正在填写《{title}》。\n{step_help}\n"
    "可用命令：/back 上一步 · /skip 跳过（选填项）· /cancel 取消 · /status 查询进度"
)
STEP_EXAMPLE = "例如：{example}"
MID_DIALOG_ANSWER = "好，我们接着填："

STATUS_NONE = "您还没有提交过申报。发送 /report 开始申报困难。"
STATUS_HEADER = "<b>您提交的记录</b>"
STATUS_LINE = (
    "• <b>{reference}</b>（{title}）{created} 提交 · 当前状态：<b>{status}</b> · 最后更新 {updated}"
)

# --- access ---------------------------------------------------------------------------------

STAFF_ONLY = "抱歉，这个功能只对登记的村干部和工作人员开放。如需开通，请联系管理员。"
REVIEWERS_ONLY = "抱歉，只有管理员和审核员可以这样操作。"
ADMIN_ONLY = "抱歉，这个命令仅限管理员使用。"
NOT_FOUND = "没有找到这条记录，或您没有查看权限。"

# --- staff ----------------------------------------------------------------------------------

# /help for staff: each role sees only the commands it may use.
STAFF_HELP_HEADER = "<b>工作人员命令</b>"
STAFF_HELP_CADRE = (
    "/visit 记录入户走访　/pending 我负责的待处理申报　/view 编号 查看详情\n"
    "/stats [乡镇] [起始日期] [结束日期] 统计图表　/web 登录网页工作台"
)
STAFF_HELP_REVIEWER = (
    "/view 编号 查看详情并变更状态　/assign 编号 干部ID [备注] 指派核实\n"
    "/export [乡镇] [起始日期] [结束日期] 导出 Excel\n"
    "/unanswered 答不上来和可能答错的问题（一点教会机器人）　/learned 教过的问法　"
    "/feedback 回答反馈"
)
STAFF_HELP_ADMIN = (
    "/audit 操作记录　/staff list | add 用户ID 角色 [乡镇…] | remove 用户ID 管理工作人员"
)
STAFF_USAGE = (
    "用法：\n/staff list\n"
    "/staff add 用户ID 角色 [乡镇…]（角色：admin 管理员 / reviewer 审核员 / cadre 村干部；"
    "审核员需指定乡镇）\n"
    "/staff remove 用户ID"
)
STAFF_REMOVED = "已移除 {user_id} 的工作人员身份。"
STAFF_NOT_MEMBER = "{user_id} 不是登记的工作人员。"
STAFF_BAD_ROLE = "角色「{role}」无效，应为 admin、reviewer 或 cadre。"
STAFF_UNKNOWN_TOWNSHIPS = "没有这些乡镇（街道）：{townships}。请使用全称，如“水阳镇”。"
STAFF_REVIEWER_NEEDS_TOWNSHIP = (
    "审核员需要指定负责的乡镇（街道），例如：/staff add 123456 reviewer 水阳镇 狸桥镇"
)
STAFF_ADDED = "已将 {user_id} 设为{role}{scope}。"
STAFF_SCOPE = "，负责：{townships}"
STAFF_LIST_HEADER = "<b>工作人员</b>"
STAFF_LIST_ADMIN_ID = "• {user_id}：管理员（ADMIN_IDS）"
STAFF_LIST_LINE = "• {user_id}：{role}{townships}"
STAFF_LIST_EMPTY = "还没有登记的工作人员。"

PENDING_EMPTY = "您负责的范围内没有待处理的申报。"
PENDING_HEADER = "<b>待处理申报</b>（共 {total} 份，第 {page}/{pages} 页）"
# Beyond the count cap (storage.repository.QUEUE_COUNT_CAP) the queue is not counted in full.
PENDING_HEADER_MANY = (
    "<b>待处理申报</b>（超过 {total} 份，第 {page}/{pages} 页；只列出最紧急、最早的 {total} 份）"
)
PENDING_VIEW = "查看 {reference}"
PAGE_PREVIOUS = "⬅️ 上一页"
PAGE_NEXT = "下一页 ➡️"
VIEW_USAGE = "用法：/view 编号，例如 /view FP000123"
VIEW_PHOTOS = "📷 查看照片（{count} 张）"
PHOTO_CAPTION = "<b>{reference}</b> · 照片 {number}/{total}"
PHOTOS_NONE = "这条记录没有照片。"
PHOTOS_AUDITED = "{count} 张"
STATUS_BUTTON = "→ {status}"

NOTE_PROMPT = (
    "请输入把 <b>{reference}</b> 改为「{status}」的备注（必填，{limit} 字以内），"
    "或发送 /cancel 放弃："
)
NOTE_PROMPT_CANCELLED = "已放弃本次状态变更。"
NOTE_PROMPT_EXPIRED = (
    "刚才选择的状态变更已等待超过 {minutes} 分钟，没有生效。需要时请重新 /view 选择状态并填写备注。"
)
NOTE_PROMPT_DROPPED = "（刚才选择的状态变更没有填写备注，已放弃；需要时请重新 /view 选择。）"
NOTE_EMPTY = "备注不能为空，请说明本次变更的情况，或发送 /cancel 放弃。"
NOTE_TOO_LONG = "备注太长（{length} 字），请控制在 {limit} 字以内。"
STATUS_NOT_ALLOWED = "{reference} 当前是「{current}」，不能改为「{status}」。"
STATUS_CHANGED_MEANWHILE = "{reference} 的状态刚被他人修改，请重新 /view 查看。"
STATUS_CHANGED = "已更新 <b>{reference}</b>：{before} → {after}。"
STATUS_NOT_NOTIFIED = (
    "⚠️ 未能通知申报人（对方可能已屏蔽或删除了与本助手的对话）。状态已更新，如需告知请电话联系。"
)
NOTIFY_STATUS = (
    "您提交的申报（编号 {reference}）有新进展，当前状态：「{status}」。\n"
    "如有疑问，可联系村（社区）干部或拨打 {phone}。发送 /status 查看全部记录。"
)

ASSIGN_USAGE = "用法：/assign 编号 干部用户ID [备注]，例如 /assign FP000123 123456 请本周入户核实"
ASSIGN_NOT_CADRE = "{user_id} 不是登记的村干部，请先用 /staff add 登记。"
ASSIGN_DEFAULT_NOTE = "指派入户核实"
ASSIGNED = "已将 <b>{reference}</b> 指派给 {cadre}。"
NOTIFY_ASSIGNED = "您被指派核实申报 <b>{reference}</b>：{note}"
ASSIGN_NOT_NOTIFIED = (
    "⚠️ 未能通知 {cadre}：对方还没有打开过本助手（或已屏蔽）。指派已记录，请对方先在 Telegram "
    "中打开本助手，或通过电话告知。"
)

# --- teaching the bot: /unanswered (one question at a time), /learned, /feedback ------------

UNANSWERED_EMPTY = "没有待处理的问题：答不上来的和可能答错的都处理完了。"
UNANSWERED_SUMMARY = "待处理：答不上来的 {unanswered} 个，可能答错的 {doubtful} 个。"
UNANSWERED_CARD = "<b>{title}</b>（第 {position}/{total} 个，{counted}）\n「{text}」"
UNANSWERED_TITLE = "答不上来的问题"
UNANSWERED_COUNTED = "被问了 {count} 次"
DOUBTFUL_TITLE = "可能答错的问题"
DOUBTFUL_REASONS = {
    "complaint": "说“不对” {n} 次",
    "rephrased": "换说法再问 {n} 次",
    "thumbs_down": "👎 {n} 次",
}
DOUBTFUL_REASON_SEPARATOR = "，"
DOUBTFUL_GIVEN = "当时的回答：{title}"
TEACH_HOW = (
    "点一个条目，把这句话教给机器人（所有机器人马上按它回答）；"
    "文件里没有答案的，点“不在范围”（所有机器人从此不答它，答错了的也不再这样答）。"
)
TEACH_NO_NEAREST = (
    "机器人没找到相近的条目。要教给某个条目，请在网页工作台（/web）的“未答问题”页选择。"
)
TEACH_LINK = "➕ {title}"
TEACH_CONFIRM = "✅ 没答错：{title}"
TEACH_DISMISS = "🚫 不在范围"
TEACH_PREVIOUS = "⬅️ 上一个"
TEACH_NEXT = "下一个 ➡️"
TEACH_LINKED = "✅ 已教会：「{text}」→ {title}。"
TEACH_DISMISSED = (
    "🚫 已标为不在范围：「{text}」。所有机器人从此不答它（说法几乎相同的也不答），它也不再列出。"
)
TEACH_GONE = "这个问题刚被处理过了（或不在您负责的范围）。"
LEARNED_EMPTY = "还没有教过机器人新的问法。"
LEARNED_HEADER = "<b>教给机器人的问法</b>（最新在前）"
LEARNED_LINE = "{number}. 「{text}」→ {title}（{who}，{at:%m-%d %H:%M}{exported}）"
LEARNED_EXPORTED = "，已写入知识库"
DISMISSED_HEADER = "<b>标为不在范围的问题</b>"
DISMISSED_LINE = "{number}. 「{text}」（{who}，{at:%m-%d %H:%M}）"
LEARNED_UNDO = "↩️ 撤回 {number}"
LEARNED_UNDO_HOW = "点“↩️ 撤回”加编号，撤回教错的问法（写入知识库以前）或不在范围的标记。"
LEARNED_UNTAUGHT = "↩️ 已撤回问法：「{text}」→ {title}。所有机器人马上照原来的方式理解这个问题。"
LEARNED_RESTORED = "↩️ 已撤回不在范围：「{text}」。机器人又可以回答它了，答不上来时会再列出。"
LEARNED_GONE = "这一条刚被撤回过了（或不是您可以撤回的）。"
FEEDBACK_EMPTY = "还没有居民对回答点过 👍 / 👎 或说过“不对”。"
FEEDBACK_HEADER = "<b>回答反馈</b>（最需要改进的条目在前）"
FEEDBACK_LINE = "• {title}：👎 {down} · 不对/换说法 {doubted} · 👍 {up}"
UNKNOWN_ENTRY = "（条目 {entry_id} 已不存在）"

# Under every answer a resident is shown, and what a tap on them says (on the button).
FEEDBACK_UP = "👍 有用"
FEEDBACK_DOWN = "👎 没用"
FEEDBACK_UP_THANKS = "谢谢您的反馈！"
FEEDBACK_DOWN_THANKS = "谢谢，已记下，工作人员会改进这个回答。"
FEEDBACK_CHANGED = "已改好。{thanks}"
FEEDBACK_EXPIRED = "这个评价按钮已失效。"

AUDIT_EMPTY = "审计日志为空。"
AUDIT_HEADER = "<b>最近的操作记录</b>"

EXPORT_USAGE = (
    "用法：/export [乡镇] [起始日期] [结束日期]，例如 /export 水阳镇 2024-09-01 2024-09-30"
)
OUT_OF_SCOPE = "您不负责「{township}」，无法查看它的数据。"
STATS_USAGE = "用法：/stats [乡镇] [起始日期] [结束日期]，例如 /stats 水阳镇 2024-09-01 2024-09-30"
STATS_CAPTION = "{heading}\n{summary}"
EXPORTED = "已导出 {count} 条记录。"
EXPORT_AUDITED = "{count} 条，{period}"

# --- a resident's data ----------------------------------------------------------------------

DELETE_RULE = (
    "<b>删除规则</b>\n"
    "• 未提交的草稿、还在「待核实」的申报（连同附上的照片）、您问过的问题（包括没能回答的问题）、"
    "记下的 Telegram 名字："
    "立即删除。\n"
    "• 已进入核实（核实中或已有结论）的申报：先保留，记录您的删除申请，由工作人员按规定处理，"
    "因为干部可能已在跟进。"
)
DELETE_CONFIRM = "确定要删除吗？"
DELETE_YES = "确认删除"
DELETE_NO = "不删除"
DELETE_KEPT = "好的，没有删除任何信息。"
DELETED_DRAFT = "已删除未提交的草稿。"
DELETED_REPORTS = "已删除申报：{references}。"
DELETION_REQUESTED = (
    "申报 {references} 已在核实中或已有结论，已记录您的删除申请，工作人员会按规定处理。"
)
NOTHING_TO_DELETE = "没有需要删除的信息。"

MYDATA_HEADER = "<b>我们保存的您的信息</b>"
MYDATA_USER_ID = "Telegram 用户 ID：{user_id}"
MYDATA_NAME = "Telegram 上的名字（工作人员看到的称呼）：{name}"
MYDATA_DRAFT = "\n<b>未提交的草稿</b>（{title}）"
MYDATA_REPORT = "\n<b>{reference}</b>（{created:%Y-%m-%d} 提交，状态：{status}）"
MYDATA_ANSWER = "  {label}：{value}"
MYDATA_PHOTOS = "  附照片：{count} 张"
MYDATA_QUESTIONS = "\n<b>您问过的问题</b>（没能回答的，和近 3 天回答过的；用于改进知识库）"
MYDATA_NOTHING = "目前没有保存您的任何申报或草稿。"
MYDATA_DELETE_HINT = "\n发送 /delete 可删除这些信息。"
