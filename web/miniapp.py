"""Telegram Mini App sign-in: checking `initData` exactly as Telegram specifies.

Telegram opens the console inside the chat (a `web_app` button) and hands the page `initData`,
a URL-encoded query string signed by Telegram (core.telegram.org/bots/webapps, "Validating data
received via the Mini App"):

- data-check-string: every field but `hash`, as `key=value`, sorted by key, joined by "\\n";
- secret key: HMAC-SHA256 of the bot token, keyed with the string "WebAppData";
- `hash` must be the hex HMAC-SHA256 of the data-check-string under that secret key;
- `auth_date` (Unix seconds) must be recent: no older than `MAX_AGE` (1 hour), and not from
  the future beyond a little clock skew.

`verified_user(init_data, bot_token, now)` returns the Telegram user id the data is about, or
None — whatever is wrong, the caller learns nothing more (and shows one refusal).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=1)
SKEW = timedelta(minutes=1)
MAX_INIT_DATA = 4096


def secret_key(bot_token: str) -> bytes:
    return hmac.new(b"WebAppData", bot_token.encode("utf-8"), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The `hash` Telegram gives these fields (tests build initData with it)."""
    message = data_check_string(fields).encode("utf-8")
    return hmac.new(secret_key(bot_token), message, hashlib.sha256).hexdigest()


def verified_user(init_data: str, bot_token: str, now: datetime) -> int | None:
    if not init_data or len(init_data) > MAX_INIT_DATA:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a key twice: which one did Telegram sign?
        return None
    given = fields.get("hash", "")
    if not hmac.compare_digest(given.encode("ascii", "replace"), sign(fields, bot_token).encode()):
        return None
    auth_date = fields.get("auth_date", "")
    if not (auth_date.isascii() and auth_date.isdigit()):
        return None
    signed_at = datetime.fromtimestamp(int(auth_date), tz=now.tzinfo)
    if not now - MAX_AGE <= signed_at <= now + SKEW:
        return None
    try:
        user = json.loads(fields.get("user", ""))
    except ValueError:
        return None
    user_id = user.get("id") if isinstance(user, dict) else None
    return user_id if isinstance(user_id, int) and not isinstance(user_id, bool) else None
