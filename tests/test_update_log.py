"""One structured log line per update, and no personal data anywhere in the log."""

from __future__ import annotations

import logging
import re

import pytest

from assistant.update_log import user_hash
from common.messages import Incoming
from tests.chat import answer, say
from tests.dialog_script import REPORT

RESIDENT = 4242
LINE = re.compile(
    r"update=(?P<update>\d+|-) user=(?P<user>[0-9a-f]{10}) handler=(?P<handler>\S+) "
    r"ms=(?P<ms>\d+) outcome=(?P<outcome>[a-z_]+)$"
)


def _everything_at_debug(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)


def test_a_resident_reporting_leaves_no_name_phone_income_or_question_in_the_log(assistant, caplog):
    _everything_at_debug(caplog)
    updates = 0

    def send(text: str) -> None:
        nonlocal updates
        updates += 1
        assistant.handle(Incoming(RESIDENT, RESIDENT, text=text, update_id=updates))

    send("邻居家的狗也生病了，补贴什么时候发")
    say(assistant, RESIDENT, "/report", name="王秀兰")
    answer(assistant, RESIDENT, REPORT)
    say(assistant, RESIDENT, "/status")
    text = caplog.text
    for secret in ("张三", "13812345678", "1381234", "王秀兰", "三万二", "32000", "狗也生病"):
        assert secret not in text, secret
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.updates"]
    assert len(lines) == 1 + 1 + len(REPORT) + 1, lines
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert {m["user"] for m in parsed if m} == {user_hash(RESIDENT)}
    assert str(RESIDENT) not in "\n".join(lines)
    handlers = [m["handler"] for m in parsed if m]
    outcomes = [m["outcome"] for m in parsed if m]
    assert handlers[:2] == ["text", "/report"] and handlers[-1] == "/status"
    assert "button:d" in handlers and "/skip" in handlers
    assert parsed[0] and parsed[0]["update"] == "1" and outcomes[0] in {"answered", "abstained"}
    assert outcomes[2] == "dialog_step" and outcomes[-1] == "replied"


def test_refusals_and_errors_are_logged_as_such(assistant, caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="assistant.updates")
    say(assistant, RESIDENT, "/pending")
    monkeypatch.setattr(assistant, "_route", lambda _incoming: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        say(assistant, RESIDENT, "/status")
    monkeypatch.undo()
    say(assistant, RESIDENT, "/我叫张三")
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.updates"]
    assert "handler=/pending" in lines[0] and lines[0].endswith("outcome=refused")
    assert lines[1].endswith("outcome=error")
    assert "张三" not in lines[2] and "handler=/unknown" in lines[2]


def test_the_user_hash_is_stable_short_and_not_the_id():
    assert user_hash(6012345678) == user_hash(6012345678) != user_hash(6012345679)
    assert len(user_hash(1)) == 10 and "6012345678" not in user_hash(6012345678)


async def test_updates_through_telegram_log_one_line_each(telegram, caplog):
    caplog.set_level(logging.INFO, logger="assistant.updates")
    await telegram.send(8201, "/start")
    await telegram.send(8201, "监测收入标准是多少")
    lines = [r.getMessage() for r in caplog.records if r.name == "assistant.updates"]
    assert len(lines) == 2
    assert "handler=/start" in lines[0] and "outcome=answered" in lines[1]
    assert "8201" not in "".join(lines) and "监测" not in "".join(lines)
