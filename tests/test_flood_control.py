"""Flood control: a user who sends more than FLOOD_LIMIT messages within FLOOD_WINDOW seconds
is asked once to slow down; the excess is neither processed nor stored; once the window has
passed the user is served again. Time is moved by the test's clock, not by sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from assistant.config import FloodSettings, Settings
from handlers import texts
from storage.models import InboxEntry, UnansweredQuestion
from tests.chat import TEST_TOKEN
from tests.telegram_fake import FakeBotApi, TelegramHarness

FAST_TYPIST = 8301


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 9, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def _count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


async def test_a_user_sending_25_messages_in_a_burst_is_served_20_and_asked_once_to_slow_down(
    assistant, db
):
    from bot import build_application

    api = FakeBotApi()
    settings = Settings(telegram_token=TEST_TOKEN, flood=FloodSettings(limit=20, window=10))
    application = build_application(settings, assistant=assistant, request=api)
    clock = Clock()
    application.bot_data["flood"].clock = clock
    await application.initialize()
    telegram = TelegramHarness(application, api)
    try:
        served = [await telegram.send(FAST_TYPIST, "监测线是多少") for _ in range(20)]
        # What the excess would do if it were processed: open a draft, log an unanswered one.
        excess = [
            await telegram.send(FAST_TYPIST, text)
            for text in (
                "/report",
                "彩票中奖号码是多少",
                "/report",
                "彩票中奖号码是多少",
                "/report",
            )
        ]
        assert all(seen.texts and texts.SLOW_DOWN not in seen.texts for seen in served)
        assert excess[0].texts == [texts.SLOW_DOWN]
        assert [seen.calls for seen in excess[1:]] == [[], [], [], []]
        assert assistant.drafts.load(FAST_TYPIST) is None
        assert _count(db, UnansweredQuestion) == 0
        assert _count(db, InboxEntry) == 20  # the excess is never stored

        clock.now += timedelta(seconds=10)
        again = await telegram.send(FAST_TYPIST, "/report")
        assert texts.SLOW_DOWN not in again.texts and again.texts
        assert assistant.drafts.load(FAST_TYPIST) is not None
    finally:
        await application.shutdown()


async def test_flood_control_counts_each_user_apart(assistant, db):
    """One user's burst does not slow down anybody else."""
    from assistant.flood import SERVE, WARN, FloodControl

    clock = Clock()
    flood = FloodControl(db, FloodSettings(limit=2, window=10), clock=clock)
    assert [flood.admit(1) for _ in range(3)] == [SERVE, SERVE, WARN]
    assert flood.admit(2) == SERVE


async def test_a_redelivered_update_of_a_user_over_the_limit_sends_its_replies_not_a_warning(
    assistant, db
):
    """Telegram redelivers an update the bot applied but had not sent the replies of; by then
    the user is over the limit. The redelivery is no new message: its replies, no warning."""
    from assistant.flood import SERVE, FloodControl
    from common.messages import Incoming

    flood = FloodControl(db, FloodSettings(limit=1, window=10), clock=Clock())
    first = Incoming(user_id=FAST_TYPIST, chat_id=FAST_TYPIST, text="监测线是多少", update_id=501)
    applied = assistant.process_received(501, first, {}, flood)
    assert applied.verdict == SERVE and applied.items
    later = Incoming(user_id=FAST_TYPIST, chat_id=FAST_TYPIST, text="你好", update_id=502)
    assert assistant.process_received(502, later, {}, flood).verdict != SERVE  # over the limit
    again = assistant.process_received(501, first, {}, flood)
    assert again.verdict == SERVE
    assert [i.reply.text for i in again.items] == [i.reply.text for i in applied.items]
    assert _count(db, InboxEntry) == 1  # the over-limit message is not stored
