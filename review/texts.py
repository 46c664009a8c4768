"""Every word staff see from the review layer: the record and queue lines, the export's sheet
names and column headers, the charts and their caption, and export argument errors.

Placeholders in braces are filled by the caller; user text is HTML-escaped before it is filled
into the record (Telegram HTML). Workbook and chart text is plain.
"""

# --- the record and the queue ---------------------------------------------------------------

NO_PHONE = "无电话"
DAYS_AGO = "{days}天前"
HOURS_AGO = "{hours}小时前"
JUST_NOW = "刚刚"
NO_TOWNSHIP = "未填乡镇"
RECORD_TITLE = "<b>{reference}</b> · {title}"
RECORD_SUBMITTED = "提交：{created:%Y-%m-%d %H:%M} · 状态：<b>{status}</b>"
RECORD_PRIORITY = "优先级：<b>{priority}</b>"
RECORD_REASON = "  - {reason}"
RECORD_ASSIGNED = "指派干部：{cadre}"
RECORD_DELETION_REQUESTED = "⚠️ 申报人已申请删除此记录，请按规定处理。"
RECORD_PHOTOS = "📷 附有照片 {count} 张"
RECORD_ANSWERS = "\n<b>填报内容</b>"
RECORD_ANSWER = "• {label}：{value}"
RECORD_GROUP = "【{heading}】"
RECORD_HISTORY = "\n<b>办理记录</b>"
RECORD_CHANGE = "• {at:%Y-%m-%d %H:%M} {change}（{actor}）：{note}"
STATUS_MOVE = "{before} → {after}"
ASSIGNMENT_NOTE = "指派给 {cadre}：{note}"  # stored in the history and the audit log

# --- people ---------------------------------------------------------------------------------

# Someone known by name, where the id matters too (to /assign or /staff them, or to tell two
# 王芳 apart); without a known name, the id alone.
PERSON_WITH_ID = "{name}（{user_id}）"

# --- the audit log --------------------------------------------------------------------------

AUDIT_LINE = "• {at:%m-%d %H:%M} {actor} {action} {target} {detail}"
AUDIT_ACTIONS = {
    "view": "查看",
    "status": "变更状态",
    "assign": "指派",
    "export": "导出",
    "staff_add": "添加工作人员",
    "staff_remove": "移除工作人员",
    "delete_request": "申请删除",
    "photos": "查看照片",
    "teach_link": "教会问法",
    "teach_dismiss": "标为不在范围",
    "teach_restore": "撤回不在范围",
    "teach_unlink": "撤回问法",
    "teach_export": "写入知识库",
}

# --- what an export or a chart covers (titles and file names) -------------------------------

SCOPE_ALL = "全区"
SCOPE_OWN = "本人记录"  # a cadre: the households they recorded or were assigned
SCOPE_NONE = "无权限"
SCOPE_SEPARATOR = "、"
SCOPE_MANY = "{first}等{count}个乡镇"
MAX_SCOPE_NAMES = 3
PERIOD_ALL = "全部时间"
PERIOD_RANGE = "{since:%Y-%m-%d} 至 {until:%Y-%m-%d}"
PERIOD_SINCE = "{since:%Y-%m-%d} 起"
PERIOD_UNTIL = "至 {until:%Y-%m-%d}"
PERIOD_RANGE_STAMP = "{since:%Y%m%d}-{until:%Y%m%d}"
PERIOD_SINCE_STAMP = "{since:%Y%m%d}起"
PERIOD_UNTIL_STAMP = "至{until:%Y%m%d}"
CHART_HEADING = "{scope} · {period}"
# File names (Beijing time): 防返贫申报_水阳镇_20240901-20240930_导出于20241005-1432.xlsx
EXPORT_FILE_STEM = "防返贫申报_{scope}_{period}_导出于{moment:%Y%m%d-%H%M}"
CHART_FILE_STEM = "统计图_{scope}_{period}_生成于{moment:%Y%m%d-%H%M}"

# --- the export -----------------------------------------------------------------------------

# One sheet per dialog, named by the dialog's title (困难申报, 入户走访记录), then the history.
HISTORY_SHEET = "状态记录"
OTHER_SHEET = "其他记录"  # submissions of a dialog no longer in the catalog
SUBMISSION_HEADERS = (
    "编号",
    "提交时间",
    "乡镇（街道）",
    "村（社区）",
    "联系人",
    "联系电话",
    "家庭人口",
    "家庭年纯收入（元）",
    "人均纯收入（元）",
    "优先级",
    "优先级理由",
    "状态",
    "最后更新",
    "指派干部",
)
HISTORY_HEADERS = ("编号", "时间", "操作人", "原状态", "新状态", "备注")
ESTIMATED_HEADER = "按估计填写的金额"
DUPLICATE_HEADER = "{label}（{key}）"
BAD_DATE = "日期「{text}」无效，请写成 2024-09-01 这样。"
UNKNOWN_TOWNSHIP = "没有「{township}」这个乡镇（街道），请使用全称，如“水阳镇”。"
DATES_REVERSED = "起始日期晚于结束日期，请检查。"

# --- charts ---------------------------------------------------------------------------------

CHART_TITLE = "防返贫监测申报统计 · {heading}\n共 {total} 份，近 {days} 天 {recent} 份"
PANEL_TOWNSHIPS = "按乡镇"
PANEL_CAUSES = "按困难原因（可多选）"
PANEL_STATUSES = "按办理状态"
REST_CAUSES = "其余原因"
REST_STATUSES = "其余状态"
REST_BAR = "{label}（{count} 项）"
AXIS_COUNT = "份数"
NO_DATA = "暂无数据"
UNKNOWN_VALUE = "未知"
NO_TOWNSHIP_BAR = "未填写乡镇"
FONT_NOT_INSTALLED = (
    "找不到中文字体：未安装 {package} 包（pip install mplfonts），统计图无法显示中文"
)
FONT_FILE_MISSING = (
    "找不到中文字体文件 {path}：{package} 包不完整，请重新安装（pip install --force-reinstall "
    "mplfonts）"
)
SUMMARY_EMPTY = "暂无申报数据。"
SUMMARY_TOTAL = "共 {total} 份申报，近 {days} 天 {recent} 份。"
SUMMARY_STATUSES = "状态：{counts}。"
SUMMARY_TOWNSHIPS = "申报较多的乡镇：{counts}。"
SUMMARY_CAUSES = "主要困难原因：{counts}。"
SUMMARY_PRIORITIES = "{counts}。"
COUNT_REPORTS = "{label} {count} 份"
COUNT_HOUSEHOLDS = "{label} {count} 户"
COUNT_SEPARATOR = "、"
