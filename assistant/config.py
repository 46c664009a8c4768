"""Settings read from the environment (and a `.env` file in the project root, when present).

Every setting is validated here, once, so a wrong value stops start-up with a one-line message
naming the variable instead of a traceback later.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import load_dotenv
from dotenv.parser import parse_stream
from sqlalchemy.engine import make_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DOTENV_PATH = PROJECT_ROOT / ".env"
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'data' / 'assistant.db'}"
# Where the built knowledge-base index is kept between starts (KNOWLEDGE_CACHE_DIR; "off": none).
DEFAULT_KNOWLEDGE_CACHE = PROJECT_ROOT / "data" / "cache"

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]{20,}$")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""


@dataclass(frozen=True)
class WebhookSettings:
    """`bot.py run --webhook`: Telegram posts updates to `url`, which nginx (or Telegram
    directly) forwards to `listen:port`; every request must carry `secret`."""

    url: str | None = None
    secret: str | None = None
    listen: str = "127.0.0.1"
    port: int = 8443


@dataclass(frozen=True)
class FloodSettings:
    """More than `limit` updates from one user within `window` seconds get one slow-down
    message and are not processed (limit 0: no flood control)."""

    limit: int = 20
    window: int = 10


@dataclass(frozen=True)
class WebSettings:
    """`bot.py web`: the staff web console listens on `host:port`; `base_url` is the address
    staff open (the sign-in links of /web start with it), usually https behind nginx."""

    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = "http://127.0.0.1:8080"

    @property
    def secure(self) -> bool:
        """Cookies only over https when the console is reached over https."""
        return self.base_url.startswith("https://")


@dataclass(frozen=True)
class Settings:
    telegram_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    telegram_base_url: str | None = None
    admin_ids: frozenset[int] = field(default_factory=frozenset)
    webhook: WebhookSettings = field(default_factory=WebhookSettings)
    flood: FloodSettings = field(default_factory=FloodSettings)
    knowledge_cache: Path | None = DEFAULT_KNOWLEDGE_CACHE
    web: WebSettings = field(default_factory=WebSettings)


def check_dotenv(path: Path) -> None:
    """A line python-dotenv cannot parse would be skipped with a warning, silently leaving its
    setting at the default (another database!): stop instead, naming the file and the line —
    never its text, which may hold a password."""
    if not path.is_file():
        return
    try:
        with path.open(encoding="utf-8") as stream:
            bad = next((b.original.line for b in parse_stream(stream) if b.error), None)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} 不是 UTF-8 编码：请另存为 UTF-8") from exc
    if bad is not None:
        raise ConfigError(
            f"{path} 第 {bad} 行无法解析：每行应为 变量名=值（值含空格或引号时整体用引号括起）"
        )


def _check_port(database_url: str) -> None:
    try:
        port = make_url(database_url).port
    except ValueError:
        port = 0
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError("DATABASE_URL 中的端口无效：应为 1–65535 之间的数字，例如 主机:5432")


def load_settings(environ: dict[str, str] | None = None, *, read_dotenv: bool = True) -> Settings:
    """Build `Settings` from `environ` (default: `os.environ`, after reading `.env`)."""
    if environ is None:
        if read_dotenv:
            check_dotenv(DOTENV_PATH)
            load_dotenv(DOTENV_PATH, override=False)
        environ = dict(os.environ)

    token = (environ.get("TELEGRAM_TOKEN") or "").strip() or None
    if token is not None and not _TOKEN_RE.match(token):
        raise ConfigError("TELEGRAM_TOKEN 格式不对：应形如 123456789:AAH…（从 @BotFather 获得）")

    database_url = (environ.get("DATABASE_URL") or "").strip() or DEFAULT_DATABASE_URL
    if not re.match(r"^(sqlite|postgresql)(\+\w+)?://", database_url):
        raise ConfigError(
            "DATABASE_URL 不受支持：请使用 sqlite:///路径 或 postgresql+psycopg://用户@主机/库"
        )
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    _check_port(database_url)

    base_url = (environ.get("TELEGRAM_BASE_URL") or "").strip() or None
    if base_url is not None and not re.match(r"^https?://[^\s/]+", base_url):
        raise ConfigError(
            "TELEGRAM_BASE_URL 应以 http:// 或 https:// 开头，例如 http://127.0.0.1:8081/bot"
        )

    admin_ids: set[int] = set()
    for part in (environ.get("ADMIN_IDS") or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit()):
            raise ConfigError(f"ADMIN_IDS 含有无效的用户 id「{part}」：应为逗号分隔的数字")
        admin_ids.add(int(part))

    return Settings(
        telegram_token=token,
        database_url=database_url,
        telegram_base_url=base_url,
        admin_ids=frozenset(admin_ids),
        webhook=_webhook_settings(environ),
        flood=_flood_settings(environ),
        knowledge_cache=_knowledge_cache(environ),
        web=_web_settings(environ),
    )


def _knowledge_cache(environ: dict[str, str]) -> Path | None:
    value = (environ.get("KNOWLEDGE_CACHE_DIR") or "").strip()
    if value.lower() == "off":
        return None
    return Path(value).expanduser() if value else DEFAULT_KNOWLEDGE_CACHE


# Telegram's rule for setWebhook's secret_token.
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def _webhook_settings(environ: dict[str, str]) -> WebhookSettings:
    url = (environ.get("WEBHOOK_URL") or "").strip() or None
    if url is not None and not re.match(r"^https://[^\s/]+(/\S*)?$", url):
        raise ConfigError(
            "WEBHOOK_URL 应为 https:// 开头的公网地址，例如 https://bot.example.cn/tg"
        )
    secret = (environ.get("WEBHOOK_SECRET") or "").strip() or None
    if secret is not None and not _SECRET_RE.match(secret):
        raise ConfigError("WEBHOOK_SECRET 只能由 1–256 个字母、数字、_ 和 - 组成")
    listen = (environ.get("WEBHOOK_LISTEN") or "").strip() or "127.0.0.1"
    if not re.match(r"^[A-Za-z0-9.:-]+$", listen):
        raise ConfigError("WEBHOOK_LISTEN 应为监听地址，例如 127.0.0.1 或 0.0.0.0")
    port = _positive(environ, "WEBHOOK_PORT", 8443, "端口号（1–65535）", maximum=65535)
    return WebhookSettings(url=url, secret=secret, listen=listen, port=port)


def require_webhook(settings: Settings) -> WebhookSettings:
    """The webhook settings `run --webhook` cannot do without, or ConfigError naming one."""
    if settings.webhook.url is None:
        raise ConfigError("使用 --webhook 时必须设置 WEBHOOK_URL（Telegram 推送更新的 https 地址）")
    if settings.webhook.secret is None:
        raise ConfigError("使用 --webhook 时必须设置 WEBHOOK_SECRET（1–256 个字母、数字、_ 或 -）")
    return settings.webhook


def _web_settings(environ: dict[str, str]) -> WebSettings:
    host = (environ.get("WEB_HOST") or "").strip() or "127.0.0.1"
    if not re.match(r"^[A-Za-z0-9.:-]+$", host):
        raise ConfigError("WEB_HOST 应为监听地址，例如 127.0.0.1 或 0.0.0.0")
    port = _positive(environ, "WEB_PORT", 8080, "端口号（1–65535）", maximum=65535)
    base_url = (environ.get("WEB_BASE_URL") or "").strip().rstrip("/")
    if base_url and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", base_url):
        raise ConfigError(
            "WEB_BASE_URL 应为工作台的访问地址，以 http:// 或 https:// 开头，"
            "例如 https://fp.example.cn/console"
        )
    return WebSettings(host=host, port=port, base_url=base_url or f"http://{host}:{port}")


def _flood_settings(environ: dict[str, str]) -> FloodSettings:
    limit = _positive(environ, "FLOOD_LIMIT", 20, "每个时段允许的消息数（0 表示不限制）", minimum=0)
    window = _positive(environ, "FLOOD_WINDOW", 10, "秒数（1–3600）", maximum=3600)
    return FloodSettings(limit=limit, window=window)


def _positive(
    environ: dict[str, str],
    variable: str,
    default: int,
    meaning: str,
    *,
    minimum: int = 1,
    maximum: int = 1_000_000,
) -> int:
    text = (environ.get(variable) or "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
        raise ConfigError(f"{variable} 应为{meaning}，现在是「{text[:20]}」")
    return int(text)
