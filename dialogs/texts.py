"""Every piece of wording the dialogs layer shows a user (Simplified Chinese), in one place.

The engine, `dialogs.render`, `dialogs.kinds` and `dialogs.validators` take their wording from
here, so a reviewer of the Chinese reads this file only. The questions themselves, their labels,
choices, examples and help live in `data/*.yaml`. Templates use `str.format` fields; the caller
escapes user-typed values, the tags (<b>, <i>) are Telegram HTML.

Button labels double as accepted typed answers (someone may type 确认取消 instead of tapping it),
so changing a label here changes what is understood too.
"""

from __future__ import annotations

# --- keys under a question ------------------------------------------------------------------

YES, NO = "是", "否"
AGREE, DISAGREE = "同意", "不同意"
CONTACT_BUTTON = "📱 发送我的手机号"
OTHER_CHOICE = "其他"  # the last township key: a place outside the list, typed next
TICKED = "✅ "  # before a ticked multi-choice option
DONE_BUTTON = "完成 ✔"

# --- a question -------------------------------------------------------------------------------

PROBLEM = "⚠️ {problem}"
EXAMPLE = "例如：{example}"
DID_YOU_MEAN = "您是说 {choice} 吗？"
KEEP_TYPED = "不是，就填：{name}"  # a key under 您是说…吗？ keeping the name as typed
STEP_HEADING = "<b>{title} · 第 {number} 步（共 {total} 步）</b>"
ALREADY_FILLED = "（已填：{value}）"
TIP_BACK = "/back 上一步"
TIP_SKIP = "/skip 跳过"
TIP_CANCEL = "/cancel 取消"
TIPS = "<i>{tips}</i>"
TIP_SEPARATOR = " · "

# --- how an answer reads (summary, edit prompt, exports, staff views) -----------------------

UNFILLED = "（未填）"
UNKNOWN = "不清楚"  # a money step answered 不知道
APPROXIMATE = "约 {value}"  # an amount said roughly (八万多)
NOTHING_PICKED = "（无）"
LIST_SEPARATOR = "、"
YUAN = "元"
AMOUNT_IN_YUAN = "{amount} 元"

# --- multi-choice steps ---------------------------------------------------------------------

# Typed instead of tapping 完成 (after ticking, or typing choices).
FINISH_WORDS = frozenset(
    {"完成", "完成了", "好了", "好", "选好了", "就这些", "没有了", "没了", "就这样"}
)
TICKED_SO_FAR = "已选：{choices}。还有就接着点或输入；选好了点“完成”，或回复“好了”。"

# --- notes between questions ------------------------------------------------------------------

UNKNOWN_AMOUNT = (
    "没关系，说个大概数就行，干部核实时会再问。这一项先记为“不清楚”，想起来可以 /back 回去改。"
)
DIALOG_CHANGED = "问卷内容有了调整，您填过的内容都还在。我们从下面这一项接着填："

# --- the summary and its edit menu ----------------------------------------------------------

SUMMARY_HEADING = "<b>{title} · 请核对</b>"
SUMMARY_LINE = "• {label}：{value}"
SUMMARY_HINT = "\n信息无误请点“确认提交”；需要修改请点“修改某项”。"
SUBMIT_BUTTON = "✅ 确认提交"
EDITS_BUTTON = "✏️ 修改某项"
CANCEL_BUTTON = "❌ 取消"
SUBMIT_WORDS = frozenset({"确认", "确认提交", "提交"})  # typed instead of tapping 确认提交
EDIT_MENU_QUESTION = "要修改哪一项？"
BACK_TO_SUMMARY_BUTTON = "↩️ 返回核对"

# --- cancelling -------------------------------------------------------------------------------

CONFIRM_CANCEL_QUESTION = "确定要取消这份《{title}》吗？已填写的内容将被删除。"
CONFIRM_CANCEL_YES = "确认取消"
CONFIRM_CANCEL_NO = "继续填写"

# --- consent ----------------------------------------------------------------------------------

CONSENT_YES_WORDS = frozenset({AGREE, "同意并开始", "开始"})
CONSENT_NO_WORDS = frozenset({DISAGREE, "拒绝"})

# --- why an answer or a tap was not accepted (shown after ⚠️, the step asked again) ---------

MUST_ANSWER = "这一项必须填写，不能跳过"
STALE_BUTTON = "这个按钮已过期，请按当前问题回答"
STALE_CHOICE = "这个按钮已过期，请重新选择"
OLDER_QUESTION_BUTTON = "这个按钮属于之前的问题，请按当前问题回答"
NO_CONTENT = "没有收到内容，请用文字回答"
FIRST_STEP = "已经是第一步了"
NO_SUCH_ITEM = "没有这一项"
USE_SUMMARY_BUTTONS = "请点下面的按钮：确认提交、修改某项或取消"
CANCEL_OR_CONTINUE = "请选择：确认取消，还是继续填写？"
NOTHING_TICKED = "还没有选择任何一项，请点选项勾选后再点“完成”"
TICK_OR_TYPE = "{reason}，可以点下面的选项勾选，或输入如“{example}”"
NONE_CHOICE_ALONE = "“{choice}”不能和其他选项同时选"
TOO_SMALL = "{value}太小了"
TOO_LARGE = "{value}超出了合理范围"
IN_RANGE = "{reason}。{label}应在 {min} 到 {max}{unit}之间"
TEN_THOUSANDS = "{count} 万"  # a bound of 5000000 reads 500 万
CONTACT_NOT_HERE = "这里要填的不是您自己的号码，请直接输入号码"
CONTACT_NOT_A_PHONE_STEP = "现在问的不是电话号码，请按当前问题回答"
FOREIGN_CONTACT = (
    "这是别人的联系人名片，没有当作您的号码。"
    "请点“📱 发送我的手机号”分享您自己的号码，或直接输入号码"
)
NOT_RECORDED_VILLAGE = "这个乡镇还没有人填过“{name}”"

# --- what the validators say about the text itself ------------------------------------------

NOT_A_NUMBER = "没有看懂这个数字"
PER_YEAR = "请说一年的总数（每月的钱乘 12）"
NUMBER_TOO_LONG = "数字太长了"
NEGATIVE_AMOUNT = "金额不能是负数"
MISPLACED_COMMA = "数字里的逗号位置不对"
NO_AMOUNT = "没有看到金额"
NO_NUMBER = "没有看到数字"
WHOLE_NUMBER = "请填写整数"
PHONE_TOO_SHORT = "号码位数不够"
PHONE_UNREADABLE = "没有看懂这个号码"
PHONE_NOT_DOMESTIC = "请填写国内号码"
PHONE_EXTENSION = "请只填一个号码，不带分机号"
PHONE_INVALID = "这不是有效的手机号码或带区号的固定电话"
ANSWER_YES_OR_NO = "请回答“是”或“否”"
PICK_ONE_OF = "请点下面的按钮，或回复“{choices}”"
PICK_FROM_CHOICES = "请从选项中选择"
NO_SUCH_CHOICE = "没有这个选项"
PICK_AT_LEAST_ONE = "请至少选择一项"
TEXT_TOO_SHORT = "内容太短或只有符号"
TEXT_TOO_LONG = "内容太长（{length} 字），请控制在 {limit} 字以内"
