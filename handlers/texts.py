"""What the adapters themselves say (everything else comes from the core's replies)."""

# Telegram
PRIVATE_ONLY = "为保护个人信息，请私聊本助手使用（点我的头像 → 发消息）。"
NOT_NOTIFIED = "⚠️ 未能通知对方：对方还没有打开过本助手，或已屏蔽。"
NO_TOKEN = "TELEGRAM_TOKEN 未设置：请在环境变量或 .env 中填写从 @BotFather 获得的令牌"

# Start-up failures (bot.py): one line each, naming what to fix; never the token or a password
TOKEN_REJECTED = "Telegram 拒绝了 TELEGRAM_TOKEN（InvalidToken）：请在 @BotFather 重新获取"
TELEGRAM_UNREACHABLE = "无法连接 Telegram（{error}）：请检查网络，或 TELEGRAM_BASE_URL 是否正确"
SQLITE_IS_FOLDER = "SQLite 数据库路径 {path} 是一个文件夹：请在 DATABASE_URL 中写到文件名，例如 sqlite:///data/assistant.db"
SQLITE_READ_ONLY = "SQLite 数据库文件 {path} 不可写：请检查该文件及其所在目录的权限"
SQLITE_UNUSABLE = "无法创建 SQLite 数据库文件 {path}：请检查该目录是否存在、是否可写"
POSTGRES_NO_DATABASE = (
    "{where} 上的 PostgreSQL 没有名为“{database}”的数据库：请先创建（createdb {database}），"
    "或改正 DATABASE_URL 中的库名"
)

# The console chat
FILE_SAVED = "（文件已保存：{path}）"
CHART_FILE = "统计图_{moment:%Y%m%d-%H%M%S}UTC.png"
CHART_SAVED = "（图表已保存：{path}）"
PHOTO_IN_TELEGRAM = "（一张居民发来的照片，存在 Telegram 上：请在 Telegram 中查看）"
NOTICE = "【通知 → 用户 {chat}】{text}"
TYPE_PHONE = "  （请直接输入手机号码）"
BOT_SAYS = "\n助手：{text}\n"
YOU_SAY = "您："
GOODBYE = "\n再见！"

# Flood control (assistant.flood): the one message a user gets for going over the limit
SLOW_DOWN = "您发得太快了，请稍等几秒再发。"
