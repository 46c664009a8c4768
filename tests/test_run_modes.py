"""How the operator runs the bot: long polling by default, or `run --webhook` behind a public
https URL with a secret that every request from Telegram must carry.

The webhook stories start `python bot.py run --webhook` as a real process on a free loopback
port, its Bot API a recorder on 127.0.0.1 (tests/bot_api_recorder.py), and post updates to it
as Telegram would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool

from tests.bot_api_recorder import BotApiRecorder
from tests.chat import ROOT, TEST_TOKEN

SECRET = "s3cret_for-the-webhook"
WEBHOOK_PATH = "tg-updates"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"bot.py exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"the webhook server did not open port {port} in {timeout} s")


def _environment(api: BotApiRecorder, db_file: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without proxies or bot settings, plus the test's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if "proxy" not in k.lower() and not k.startswith(("WEBHOOK_", "FLOOD_", "TELEGRAM_"))
    }
    env.update(
        TELEGRAM_TOKEN=TEST_TOKEN,
        TELEGRAM_BASE_URL=api.base_url,
        DATABASE_URL=f"sqlite:///{db_file}",
    )
    env.update(settings)  # may name another database
    return env


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        output, _ = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = process.communicate()
    print(output)  # shown when a test fails


def test_by_default_the_bot_polls_telegram_for_updates(tmp_path):
    with BotApiRecorder() as api:
        process = subprocess.Popen(
            [sys.executable, "bot.py", "run"],
            cwd=ROOT,
            env=_environment(api, tmp_path / "bot.db"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            assert api.wait_for("getUpdates", timeout=30), "the bot never polled"
        finally:
            _stop(process)
    assert not api.method("setWebhook")


@dataclass
class WebhookBot:
    port: int
    api: BotApiRecorder
    db_file: Path

    def post(self, update: dict, secret: str | None) -> int:
        """POST `update` as Telegram does; the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/{WEBHOOK_PATH}",
            data=json.dumps(update).encode(),
            headers=headers,
            method="POST",
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        try:
            with opener.open(request, timeout=5) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stored_update_ids(self) -> set[int]:
        with sqlite3.connect(self.db_file) as conn:
            return {row[0] for row in conn.execute("SELECT update_id FROM inbox")}


@pytest.fixture(scope="module")
def webhook_bot(tmp_path_factory) -> Iterator[WebhookBot]:
    """One webhook bot process for the module, with an admin (9001)."""
    db_file = tmp_path_factory.mktemp("webhook") / "bot.db"
    with BotApiRecorder() as api, webhook_process(api, db_file, ADMIN_IDS="9001") as (bot, _):
        yield bot


def start_update(update_id: int, user_id: int) -> dict:
    """A resident's /start, shaped as Telegram posts it."""
    user = {"id": user_id, "is_bot": False, "first_name": "村民", "language_code": "zh-hans"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "村民"},
            "from": user,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


def test_behind_a_webhook_the_bot_registers_its_url_with_the_secret(webhook_bot):
    [registered] = webhook_bot.api.wait_for("setWebhook")
    assert registered["url"] == f"https://bot.example.cn/{WEBHOOK_PATH}"
    assert registered["secret_token"] == SECRET
    assert json.loads(registered["allowed_updates"]) == ["message", "callback_query"]


def test_behind_a_webhook_a_residents_start_is_answered_with_the_introduction(webhook_bot):
    assert webhook_bot.post(start_update(7_000_001, 8101), SECRET) == 200
    [sent] = webhook_bot.api.wait_for("sendMessage")
    assert sent["chat_id"] == "8101"
    assert "防返贫" in sent["text"] or "监测" in sent["text"]
    assert 7_000_001 in webhook_bot.stored_update_ids()


@pytest.mark.parametrize("secret", [None, "wrong-secret"], ids=["no secret", "wrong secret"])
def test_a_forged_webhook_request_is_refused_and_changes_nothing(webhook_bot, secret):
    update_id = 7_100_000 + (secret is None)
    before = len(webhook_bot.api.calls)
    assert webhook_bot.post(start_update(update_id, 8102), secret) == 403
    time.sleep(0.3)  # what it would have caused has had time to happen
    assert len(webhook_bot.api.calls) == before, "the bot called Telegram"
    assert update_id not in webhook_bot.stored_update_ids()


def test_run_webhook_without_a_secret_stops_with_one_line_naming_it(bot_cli, monkeypatch):
    for variable in ("WEBHOOK_SECRET", "WEBHOOK_LISTEN", "WEBHOOK_PORT"):
        monkeypatch.delenv(variable, raising=False)
    ran = bot_cli(
        "run",
        "--webhook",
        env={"TELEGRAM_TOKEN": TEST_TOKEN, "WEBHOOK_URL": "https://bot.example.cn/tg"},
    )
    assert ran.returncode == 2
    assert ran.stderr.count("\n") == 1 and "WEBHOOK_SECRET" in ran.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WEBHOOK_URL", "http://bot.example.cn/tg"),
        ("WEBHOOK_SECRET", "has spaces"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_PORT", "70000"),
        ("FLOOD_LIMIT", "many"),
        ("FLOOD_WINDOW", "0"),
    ],
)
def test_a_malformed_webhook_or_flood_setting_is_named_in_one_chinese_line(variable, value):
    from assistant.config import ConfigError, load_settings

    with pytest.raises(ConfigError) as error:
        load_settings({variable: value})
    message = str(error.value)
    assert message.startswith(variable) and "\n" not in message
    assert value not in message or variable != "WEBHOOK_SECRET"  # a secret is never echoed


# --- a whole self-report through the webhook, as Telegram would post it ------------------------


def _user(user_id: int) -> dict:
    return {"id": user_id, "is_bot": False, "first_name": "村民", "language_code": "zh-hans"}


def message_update(update_id: int, user_id: int, text: str) -> dict:
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "村民"},
        "from": _user(user_id),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"update_id": update_id, "message": message}


def tap_update(update_id: int, user_id: int, data: str) -> dict:
    shown = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private"},
        "from": {"id": 4242, "is_bot": True, "first_name": "助手"},
        "text": "…",
    }
    query = {"id": str(update_id), "from": _user(user_id), "chat_instance": "ci", "data": data}
    return {"update_id": update_id, "callback_query": {**query, "message": shown}}


ANSWERED = text(
    "SELECT"
    " (SELECT COUNT(*) FROM inbox WHERE update_id = :id AND done_at IS NOT NULL),"
    " (SELECT COUNT(*) FROM outbox"
    "  WHERE update_id = :id AND sent_at IS NULL AND failed_at IS NULL)"
)


@cache
def _sqlite_engine(path: Path) -> Engine:
    return create_engine(f"sqlite:///{path}", poolclass=NullPool)


def _answered(
    bot: WebhookBot, update_id: int, timeout: float = 30, engine: Engine | None = None
) -> None:
    """Until the update is applied and every reply it produced has been sent (in the bot's
    SQLite file, or through `engine` for another database)."""
    engine = engine or _sqlite_engine(bot.db_file)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            done, unsent = conn.execute(ANSWERED, {"id": update_id}).one()
        if done and not unsent:
            return
        time.sleep(0.05)
    raise AssertionError(f"update {update_id} was not answered in {timeout} s")


def _buttons_sent_to(bot: WebhookBot, chat: int) -> list[tuple[str, str]]:
    """The inline buttons of the last message sent to `chat` that had any."""
    for method, params in reversed(bot.api.calls):
        if method in {"sendMessage", "editMessageText"} and params.get("chat_id") == str(chat):
            markup = json.loads(params.get("reply_markup") or "{}")
            rows = markup.get("inline_keyboard") or []
            if rows:
                return [(b["text"], b["callback_data"]) for row in rows for b in row]
    return []


def report_through(post, bot: WebhookBot, resident: int, ids) -> None:
    """The resident files the whole self-report: each update is handed to `post`, which
    delivers it (to one bot or several) and waits until it is answered."""
    from tests.dialog_script import REPORT

    def tap(label: str) -> None:
        buttons = _buttons_sent_to(bot, resident)  # one recorder serves every bot process
        data = next(d for text, d in buttons if text == label or text.endswith(" " + label))
        post(tap_update(next(ids), resident, data))

    post(message_update(next(ids), resident, "/report"))
    for item in REPORT:
        if isinstance(item, str):
            post(message_update(next(ids), resident, item))
        elif item[0] == "cmd":
            post(message_update(next(ids), resident, "/" + item[1]))
        else:
            tap(item[1] if item[0] == "tap" else "完成 ✔")
    tap("✅ 确认提交")


def test_a_resident_completes_the_self_report_through_the_webhook(webhook_bot):
    resident = 8_150

    def post(update: dict) -> None:
        assert webhook_bot.post(update, SECRET) == 200
        _answered(webhook_bot, update["update_id"])

    report_through(post, webhook_bot, resident, iter(range(7_200_000, 7_300_000)))
    with sqlite3.connect(webhook_bot.db_file) as conn:
        (reference,) = conn.execute(
            "SELECT reference FROM submissions WHERE submitted_by = ?", (resident,)
        ).fetchone()
    texts_sent = [
        p["text"] for m, p in webhook_bot.api.calls if m == "sendMessage" and p["chat_id"] == "8150"
    ]
    assert any(reference in text for text in texts_sent), "the resident got the reference"


# --- killed in the middle of an update, restarted: nothing lost, nothing doubled ---------------


@contextmanager
def webhook_process(
    api: BotApiRecorder, db_file: Path, **settings: str
) -> Iterator[tuple[WebhookBot, subprocess.Popen]]:
    """One `bot.py run --webhook` process on a free port, stopped (if still alive) at the end."""
    port = _free_port()
    env = _environment(
        api,
        db_file,
        WEBHOOK_URL=f"https://bot.example.cn/{WEBHOOK_PATH}",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_PORT=str(port),
        FLOOD_LIMIT="200",  # a scripted resident types faster than the default allows
        **settings,
    )
    process = subprocess.Popen(
        [sys.executable, "bot.py", "run", "--webhook"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_port(port, process)
        yield WebhookBot(port, api, db_file), process
    finally:
        if process.poll() is None:
            _stop(process)


def _prompts_to(api: BotApiRecorder, chat: int, needle: str) -> int:
    return sum(
        1
        for method, params in api.calls
        if method == "sendMessage"
        and params.get("chat_id") == str(chat)
        and needle in params["text"]
    )


@pytest.mark.parametrize("point", ["received", "before_commit", "committed"])
def test_a_bot_killed_while_handling_an_answer_applies_it_once_after_a_restart(tmp_path, point):
    resident, db_file = 8_160, tmp_path / "bot.db"
    with BotApiRecorder() as api:
        with webhook_process(api, db_file) as (bot, _):
            for update_id, text in ((1, "/report"), (2, "同意"), (3, "水阳镇")):
                assert bot.post(message_update(update_id, resident, text), SECRET) == 200
                _answered(bot, update_id)
        with webhook_process(api, db_file, FANPIN_CRASH_AT=point) as (dying, process):
            with suppress(urllib.error.URLError, ConnectionError):  # killed before the 200
                dying.post(message_update(4, resident, "红星村"), SECRET)
            process.wait(timeout=30)  # SIGKILLed at the point
        assert process.returncode == -signal.SIGKILL
        assert _prompts_to(api, resident, "家里一共有几口人") == 0, (
            "killed before the reply was sent"
        )
        with webhook_process(api, db_file) as (restarted, _):
            _answered(restarted, 4)
    with sqlite3.connect(db_file) as conn:
        (state, version) = conn.execute(
            "SELECT state, version FROM drafts WHERE user_id = ?", (resident,)
        ).fetchone()
    assert json.loads(state)["answers"]["village"] == "红星村", "the answer is stored"
    assert version == 4, "once: /report made version 1, then 同意, 水阳镇 and 红星村 one each"
    assert _prompts_to(api, resident, "家里一共有几口人") == 1, "the next question is sent once"


def test_an_admin_exports_through_the_webhook_and_gets_a_workbook_that_opens(webhook_bot):
    from io import BytesIO

    from openpyxl import load_workbook

    admin, update_id = 9_001, 7_400_000  # ADMIN_IDS of the webhook bot
    assert webhook_bot.post(message_update(update_id, admin, "/export"), SECRET) == 200
    _answered(webhook_bot, update_id)
    [sent] = [p for m, p in webhook_bot.api.calls if m == "sendDocument"]
    assert sent["chat_id"] == str(admin) and "已导出" in sent["caption"]
    [(_, _, data)] = [f for f in webhook_bot.api.files if f[0] == "sendDocument"]
    book = load_workbook(BytesIO(data), read_only=True)
    assert "状态记录" in book.sheetnames and "困难申报" in book.sheetnames


def test_two_webhook_processes_on_postgresql_complete_one_residents_dialog(tmp_path):
    """Behind nginx, one resident's updates land on either process in turn."""
    from tests.conftest import PG_URL

    schema = f"e2e_{os.getpid()}_{int(time.time())}"
    admin = create_engine(PG_URL, connect_args={"connect_timeout": 3})
    try:
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({type(exc).__name__})")
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    resident, ids = 8_170, iter(range(1, 1_000))
    try:
        with (
            BotApiRecorder() as api,
            webhook_process(api, tmp_path / "unused.db", DATABASE_URL=url) as (first, _),
            webhook_process(api, tmp_path / "unused.db", DATABASE_URL=url) as (second, _),
        ):
            bots = [first, second]

            def post(update: dict) -> None:
                bot = bots[update["update_id"] % 2]  # alternate, as a load balancer would
                assert bot.post(update, SECRET) == 200
                _answered(bot, update["update_id"], engine=engine)

            report_through(post, first, resident, ids)
        with engine.connect() as conn:
            answers = conn.execute(
                text("SELECT answers FROM submissions WHERE submitted_by = :u"), {"u": resident}
            ).scalar_one()
        assert answers["village"] == "红星村" and answers["phone"] == "13812345678"
        assert answers["causes"] == ["因病", "缺劳动力"], "every answer, whichever process"
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
