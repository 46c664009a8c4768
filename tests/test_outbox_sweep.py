"""The sweep every bot instance runs every few seconds: a reply whose sender died is sent by
another instance once the sender's claim has lapsed; a notification written by a process that
does not talk to Telegram (the web console) is sent once, however many instances sweep; a
reply that met a network failure is tried again later, and given up after the last attempt
with a log line naming the chat, never the text; an update received but never applied is
applied. Time passing is written into the rows (claims and attempts made earlier), not slept.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assistant.config import FloodSettings, Settings
from assistant.service import Assistant
from common.messages import Incoming, Reply
from handlers import telegram_app
from handlers.telegram_app import sweep_durably
from storage.database import Database
from storage.inbox import RETRY_DELAYS, STUCK_AFTER, Outbox
from storage.models import InboxEntry, OutboxEntry
from tests.chat import TEST_TOKEN
from tests.telegram_fake import FakeBotApi, TelegramHarness

RESIDENT, CADRE = 8401, 8402
BAD_GATEWAY = {"ok": False, "error_code": 502, "description": "Bad Gateway"}


class NetworkApi(FakeBotApi):
    """The offline Bot API with a network that can be down (every send answers 502)."""

    def __init__(self) -> None:
        super().__init__()
        self.down = False
        self.attempted: list[str] = []  # texts of the sends the network lost

    async def do_request(self, url, method, request_data=None, *args, **kwargs):
        if self.down and url.endswith("/sendMessage"):
            params = dict(request_data.parameters) if request_data else {}
            self.attempted.append(str(params.get("text")))
            return 502, json.dumps(BAD_GATEWAY).encode()
        return await super().do_request(url, method, request_data, *args, **kwargs)

    def texts_to(self, chat: int) -> list[str]:
        return [
            p["text"]
            for n, p in self.calls
            if n == "sendMessage" and int(str(p["chat_id"])) == chat
        ]


class Instance(TelegramHarness):
    api: NetworkApi


@asynccontextmanager
async def instance(assistant: Assistant) -> AsyncIterator[Instance]:
    """One bot instance (its own Application and Bot API) on the assistant's database."""
    from bot import build_application

    api = NetworkApi()
    api.open_chat(RESIDENT)
    api.open_chat(CADRE)
    settings = Settings(telegram_token=TEST_TOKEN, flood=FloodSettings(limit=0))
    application = build_application(settings, assistant=assistant, request=api)
    await application.initialize()
    try:
        yield Instance(application, api)
    finally:
        await application.shutdown()


@pytest.fixture(autouse=True)
def no_waiting_between_network_retries(monkeypatch):
    monkeypatch.setattr(telegram_app, "NETWORK_RETRY_DELAYS", (0.0,))


def later(db: Database, by: timedelta) -> None:
    """Time passes: every claim, attempt schedule and receipt is `by` older."""
    with db.session() as session:
        for row in session.scalars(select(OutboxEntry)):
            if row.claimed_at is not None:
                row.claimed_at -= by
            if row.next_attempt_at is not None:
                row.next_attempt_at -= by
        for entry in session.scalars(select(InboxEntry)):
            entry.received_at -= by


def unsent(db: Database) -> int:
    with db.session() as session:
        condition = OutboxEntry.sent_at.is_(None) & OutboxEntry.failed_at.is_(None)
        return session.scalar(select(func.count()).where(condition)) or 0


async def test_a_reply_whose_sender_died_is_sent_by_another_instance_once_its_claim_lapses(kb, db):
    dying = Assistant(kb, db)
    incoming = Incoming(RESIDENT, RESIDENT, text="/start", command="start", update_id=9_100)
    applied = dying.process_received(9_100, incoming)  # committed; the process dies here
    assert applied.items, "its reply is in the outbox, claimed by the process that died"

    async with instance(Assistant(kb, db)) as other:
        await sweep_durably(other.app)
        assert other.api.texts_to(RESIDENT) == [], "the claim still holds: not sent twice"
        later(db, Outbox(db).lease + timedelta(seconds=1))
        await sweep_durably(other.app)
        await sweep_durably(other.app)
    assert other.api.texts_to(RESIDENT) == [applied.items[0].reply.text]
    assert unsent(db) == 0


async def test_a_notification_written_without_telegram_is_sent_once_by_two_sweeping_instances(
    kb, db
):
    # The web console records a decision and writes the resident's notification, no update.
    Outbox(db).add(None, CADRE, [Reply("您的申报已受理。", to_chat=RESIDENT)])

    async with instance(Assistant(kb, db)) as first, instance(Assistant(kb, db)) as second:
        await asyncio.gather(sweep_durably(first.app), sweep_durably(second.app))
        await asyncio.gather(sweep_durably(first.app), sweep_durably(second.app))
    received = first.api.texts_to(RESIDENT) + second.api.texts_to(RESIDENT)
    assert received == ["您的申报已受理。"]
    assert first.api.texts_to(CADRE) + second.api.texts_to(CADRE) == [], "delivered: no notice"


async def test_a_reply_that_met_a_network_failure_is_sent_after_the_backoff(kb, db, caplog):
    async with instance(Assistant(kb, db)) as bot:
        bot.api.down = True
        with caplog.at_level(logging.WARNING):
            await bot.send(RESIDENT, "/start")
        assert "not sent" in caplog.text and str(RESIDENT) in caplog.text
        bot.api.down = False
        await sweep_durably(bot.app)
        assert bot.api.texts_to(RESIDENT) == [], "not before its next attempt is due"
        later(db, RETRY_DELAYS[0])
        await sweep_durably(bot.app)
        await sweep_durably(bot.app)
    (intro,) = bot.api.texts_to(RESIDENT)
    assert "/report" in intro or "申报" in intro
    assert unsent(db) == 0


async def test_a_reply_that_never_gets_through_is_given_up_and_logged_without_its_text(
    kb, db, caplog
):
    async with instance(Assistant(kb, db)) as bot:
        bot.api.down = True
        await bot.send(RESIDENT, "/start")
        attempted = set(bot.api.attempted)
        with caplog.at_level(logging.INFO):
            for delay in RETRY_DELAYS:
                later(db, delay)
                await sweep_durably(bot.app)
    assert unsent(db) == 0, "given up: failed, not pending"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any("given up" in line and str(RESIDENT) in line for line in errors), errors
    assert attempted and not any(text in caplog.text for text in attempted)
    with db.session() as session:
        row = session.scalars(select(OutboxEntry)).one()
        assert row.failed_at is not None and row.reply is None, "its text is dropped"
        assert row.attempts == len(RETRY_DELAYS)


async def test_an_update_stored_but_never_applied_is_applied_by_the_sweep(kb, db):
    # Stored by the update queue of an instance that died before applying it.
    incoming = Incoming(RESIDENT, RESIDENT, text="/start", command="start", update_id=9_200)
    Assistant(kb, db).inbox.receive(9_200, incoming)

    async with instance(Assistant(kb, db)) as other:
        await sweep_durably(other.app)
        assert other.api.texts_to(RESIDENT) == [], "not yet: its own instance may be on it"
        later(db, STUCK_AFTER)
        await sweep_durably(other.app)
        await sweep_durably(other.app)
    assert len(other.api.texts_to(RESIDENT)) == 1
    with db.session() as session:
        assert session.get(InboxEntry, 9_200).done_at is not None


def test_a_reply_still_being_sent_keeps_its_claim_past_the_lease(db):
    """A slow send (Telegram's 429 waits, network retries) outlives the lease: the sender's
    sweep renews its claim, so another instance does not send the reply too."""
    sender, other = Outbox(db), Outbox(db)
    (item,) = sender.add(None, CADRE, [Reply("通知", to_chat=RESIDENT)])
    assert sender.claim_all([item.id]) == {item.id}
    later(db, sender.lease / 2)
    assert sender.renew() == 1
    later(db, sender.lease / 2 + timedelta(seconds=1))
    assert other.due() == [], "renewed: not lapsed yet"
    later(db, sender.lease)
    assert [i.id for i in other.due()] == [item.id], "a sender that stops renewing lapses"


async def test_a_question_whose_answer_failed_is_answered_by_a_later_sweep(kb, db, monkeypatch):
    assistant = Assistant(kb, db)
    answer = assistant.answer_question

    def database_hiccup(incoming):
        raise RuntimeError("the database went away for a moment")

    async with instance(assistant) as bot:
        monkeypatch.setattr(assistant, "answer_question", database_hiccup)
        failed = await bot.send(RESIDENT, "监测收入标准是多少")
        assert failed.texts == [assistant.qa.error_text()], "told something went wrong"
        monkeypatch.setattr(assistant, "answer_question", answer)
        later(db, STUCK_AFTER)
        await sweep_durably(bot.app)
    (answered,) = bot.api.texts_to(RESIDENT)[1:]
    assert "9100" in answered or "监测" in answered
