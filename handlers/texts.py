"""What the adapters themselves say (everything else comes from the core's replies)."""

# Telegram
PRIVATE_ONLY = "为保护个人信息，请私聊本助手使用（点我的头像 → 发消息）。"
NOT_NOTIFIED = "⚠️ 未能通知对方：对方还没有打开过本助手，或已屏蔽。"
NO_TOKEN = "TELEGRAM_TOKEN 未设置：请在环境变量或 .env 中填写从 @BotFather 获得的令牌"

# The console chat
FILE_SAVED = "（文件已保存：{path}）"
CHART_FILE = "统计图_{moment:%Y%m%d-%H%M%S}UTC.png"
CHART_SAVED = "（图表已保存：{path}）"
NOTICE = "【通知 → 用户 {chat}】{text}"
TYPE_PHONE = "  （请直接输入手机号码）"
BOT_SAYS = "\n助手：{text}\n"
YOU_SAY = "您："
GOODBYE = "\n再见！"

# Flood control (assistant.flood): the one message a user gets for going over the limit
SLOW_DOWN = "您发得太快了，请稍等几秒再发。"
