"""/web: a staff member asks the bot for a one-time link that signs them in to the web console.

With an https WEB_BASE_URL the reply also has a `web_app` button that opens the console inside
Telegram (`WEB_BASE_URL/miniapp`, signed in by the Mini App's initData: web.miniapp).

The link is `WEB_BASE_URL/login/<token>`: the token is random, stored hashed, valid
`LINK_LIFETIME` and usable once (`storage.console_store.SignInTokens`). Anyone else gets the
same refusal as for the other staff commands. The web console itself (web/) checks the staff
row again on every request, so a link or session outlives nobody's removal.
"""

from __future__ import annotations

from datetime import timedelta

from assistant import texts
from common.messages import WEB_APP, Button, Incoming, Reply
from review.access import StaffAccess
from storage.console_store import SignInTokens
from storage.database import Database

LINK_LIFETIME = timedelta(minutes=10)

WEB_APP_BUTTON = "📱 在 Telegram 中打开工作台"
WEB_LINK = (
    "🖥 <b>网页工作台</b>登录链接（{minutes} 分钟内有效，只能使用一次，请勿转发）：\n"
    "{url}\n"
    "在电脑或手机浏览器中打开即可登录；用完请点“退出”。"
)


class WebSignIn:
    def __init__(self, db: Database, access: StaffAccess, base_url: str):
        self.tokens = SignInTokens(db)
        self.access = access
        self.base_url = base_url.rstrip("/")

    def cmd_web(self, incoming: Incoming) -> list[Reply]:
        if not self.access.who(incoming.user_id).is_staff:
            return [Reply(texts.STAFF_ONLY)]
        token = self.tokens.issue(incoming.user_id, LINK_LIFETIME)
        url = f"{self.base_url}/login/{token}"
        text = WEB_LINK.format(minutes=LINK_LIFETIME.seconds // 60, url=url)
        if not self.base_url.startswith("https://"):  # Telegram opens Mini Apps over https only
            return [Reply(text)]
        button = Button(WEB_APP_BUTTON, f"{WEB_APP}{self.base_url}/miniapp")
        return [Reply(text, buttons=[[button]])]


def notice_texts(contact_phone: str) -> dict[str, str]:
    """The words of the notifications the chat commands send on a status change and an
    assignment, for the web console to send the same (`web.console.Notices(**…)`)."""
    return {
        "status": texts.NOTIFY_STATUS,
        "status_undelivered": texts.STATUS_NOT_NOTIFIED,
        "assigned": texts.NOTIFY_ASSIGNED,
        "assigned_undelivered": texts.ASSIGN_NOT_NOTIFIED,
        "contact_phone": contact_phone,
    }
