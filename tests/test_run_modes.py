"""How the operator runs the bot: long polling by default, or `run --webhook` behind a public
https URL with a secret that every request from Telegram must carry.

The webhook stories start `python bot.py run --webhook` as a real process on a free loopback
port, its Bot API a recorder on 127.0.0.1 (tests/bot_api_recorder.py), and post updates to it
as Telegram would.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

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
        **settings,
    )
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
    db_file = tmp_path_factory.mktemp("webhook") / "bot.db"
    port = _free_port()
    with BotApiRecorder() as api:
        env = _environment(
            api,
            db_file,
            WEBHOOK_URL=f"https://bot.example.cn/{WEBHOOK_PATH}",
            WEBHOOK_SECRET=SECRET,
            WEBHOOK_PORT=str(port),
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
            yield WebhookBot(port, api, db_file)
        finally:
            _stop(process)


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
