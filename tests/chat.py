"""Talking to the bot in tests, the way its users do.

- the core `Assistant`: `say(assistant, user, "/pending")`, `tap(assistant, user, "pg:1")`,
  `answer(assistant, user, REPORT.until("phone"))`, and `shown(replies)` for the text seen;
- Telegram (offline): `telegram_for(assistant)` opens a bot on the assistant, and a
  `TelegramUser` types, taps buttons by their label and answers scripted dialogs;
- the command line: `run_bot("ask", "--json", "-", stdin=...)` runs `python bot.py` as a real
  process (the `bot_cli` fixture in conftest.py runs `bot.main` in this process instead).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from assistant.config import FloodSettings, Settings
from assistant.service import Assistant
from common.messages import Incoming, Reply
from dialogs.engine import DialogState
from storage.models import Submission
from storage.repository import StoredDraft
from tests.dialog_script import event_for
from tests.telegram_fake import FakeBotApi, Seen, TelegramHarness

ROOT = Path(__file__).resolve().parent.parent
TEST_TOKEN = "123456:TEST-token-for-offline-tests-only"

# --- the core -------------------------------------------------------------------------------


def say(assistant: Assistant, user: int, text: str, name: str | None = None) -> list[Reply]:
    """The user (whose Telegram name is `name`, if given) types `text` (a command when it
    starts with "/") in their private chat."""
    if text.startswith("/"):
        head, *args = text[1:].split()
        return assistant.handle(
            Incoming(
                user_id=user,
                chat_id=user,
                text=text,
                command=head,
                args=tuple(args),
                display_name=name,
            )
        )
    return assistant.handle(Incoming(user_id=user, chat_id=user, text=text, display_name=name))


def tap(assistant: Assistant, user: int, data: str, name: str | None = None) -> list[Reply]:
    """The user taps an inline button carrying `data`."""
    return assistant.handle(Incoming(user_id=user, chat_id=user, callback=data, display_name=name))


def discard(replies: list[Reply]) -> list[Reply]:
    """Delete the files the replies carry, as the adapter that sends them does (an /export's
    workbook in the temp folder); the replies, for chaining."""
    for reply in replies:
        if reply.document is not None:
            shutil.rmtree(reply.document.parent, ignore_errors=True)
    return replies


def shown(replies: list[Reply]) -> str:
    """All the text the replies show, one reply per line."""
    return "\n".join(r.text for r in replies)


def draft_of(assistant: Assistant, user: int) -> StoredDraft:
    """The user's stored draft, which the test expects to exist."""
    draft = assistant.drafts.load(user)
    assert draft is not None, f"user {user} has no draft"
    return draft


def stored(assistant: Assistant, reference: str) -> Submission:
    """The stored submission with this reference, which the test expects to exist."""
    submission = assistant.submissions.by_reference(reference)
    assert submission is not None, f"{reference} is not stored"
    return submission


def answer(assistant: Assistant, user: int, items) -> list[Reply]:
    """Answer scripted items in the user's current dialog: typing, commands, and taps on the
    buttons the current step shows."""
    replies: list[Reply] = []
    for item in items:
        state = DialogState.from_json(draft_of(assistant, user).state)
        event = event_for(assistant.engine, state, item)
        if event.command:
            replies = say(assistant, user, "/" + event.command)
        elif event.action:
            replies = tap(assistant, user, f"d:{state.draft_id}:{event.action}:{event.arg}")
        else:
            replies = say(assistant, user, event.text or "")
        assert "⚠️" not in shown(replies), f"{item!r} was rejected: {shown(replies)}"
    return replies


# --- Telegram -------------------------------------------------------------------------------


@asynccontextmanager
async def telegram_for(assistant: Assistant) -> AsyncIterator[TelegramHarness]:
    """A bot instance (a PTB Application) serving `assistant`, its Bot API answered offline.

    Two of them on one assistant's database are two bot processes sharing it."""
    from bot import build_application

    api = FakeBotApi()
    # Scripted users type faster than people do: flood control is off here (its own tests
    # turn it on).
    settings = Settings(
        telegram_token=TEST_TOKEN, database_url="sqlite://", flood=FloodSettings(limit=0)
    )
    application = build_application(settings, assistant=assistant, request=api)
    await application.initialize()
    try:
        yield TelegramHarness(application, api)
    finally:
        await application.shutdown()


class TelegramUser:
    """One Telegram user, remembering the buttons last shown so they can tap one by its label.

    Given several bot instances, each message goes to the next one in turn."""

    def __init__(self, telegram: TelegramHarness | list[TelegramHarness], user_id: int):
        self.instances = telegram if isinstance(telegram, list) else [telegram]
        self.user_id = user_id
        self.buttons: list[tuple[str, str]] = []
        self.seen: Seen | None = None
        self.sent = 0

    @property
    def telegram(self) -> TelegramHarness:
        self.sent += 1
        return self.instances[(self.sent - 1) % len(self.instances)]

    def _remember(self, seen: Seen) -> Seen:
        self.seen = seen
        if seen.buttons():
            self.buttons = seen.buttons()
        return seen

    def button(self, label: str) -> str:
        """The callback data of the last shown button labelled `label` (or "✅ label")."""
        return next(d for lbl, d in self.buttons if lbl == label or lbl.endswith(" " + label))

    async def say(self, text: str) -> Seen:
        return self._remember(await self.telegram.send(self.user_id, text))

    async def tap(self, label: str) -> Seen:
        return self._remember(await self.telegram.tap(self.user_id, self.button(label)))

    async def answer(self, items) -> Seen:
        """Answer scripted items: typing, commands, and taps on the buttons shown; what the
        last one made the bot do."""
        for item in items:
            if isinstance(item, str):
                seen = await self.say(item)
            elif item[0] == "cmd":
                seen = await self.say("/" + item[1])
            elif item[0] == "tap":
                seen = await self.tap(item[1])
            elif item[0] == "done":
                seen = await self.tap("完成 ✔")
            else:
                raise ValueError(item)
            assert "⚠️" not in seen.text, f"{item!r} was rejected: {seen.text}"
        assert self.seen is not None, "no items answered"
        return self.seen


# --- the command line -----------------------------------------------------------------------


def run_bot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """`python bot.py ARGS` as a real process, without the caller's token or database."""
    environment = {
        k: v for k, v in os.environ.items() if k not in {"TELEGRAM_TOKEN", "DATABASE_URL"}
    }
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "bot.py", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
    )
