"""Running the web console: `python bot.py web` serves it with uvicorn on WEB_HOST:WEB_PORT,
its links start with WEB_BASE_URL, and a wrong setting is named in one Chinese line."""

from __future__ import annotations

import json
import threading
import time

import httpx
import pytest

from assistant.config import ConfigError, load_settings
from tests.web_console.support import ADMIN, add_cast, link_for, make_console


def test_the_console_listens_on_localhost_8080_unless_told_otherwise():
    web = load_settings({}).web
    assert (web.host, web.port, web.base_url, web.secure) == (
        "127.0.0.1",
        8080,
        "http://127.0.0.1:8080",
        False,
    )
    web = load_settings(
        {"WEB_HOST": "0.0.0.0", "WEB_PORT": "9000", "WEB_BASE_URL": "https://fp.example.cn/gzt/"}
    ).web
    assert (web.host, web.port, web.base_url, web.secure) == (
        "0.0.0.0",
        9000,
        "https://fp.example.cn/gzt",
        True,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [("WEB_PORT", "99999"), ("WEB_HOST", "a b"), ("WEB_BASE_URL", "fp.example.cn")],
)
def test_a_malformed_web_setting_is_named(variable, value):
    with pytest.raises(ConfigError, match=variable):
        load_settings({variable: value})


def test_bot_py_web_serves_the_app_with_uvicorn_on_the_configured_address(
    bot_cli, monkeypatch, tmp_path
):
    import uvicorn
    from fastapi import FastAPI

    served: dict[str, object] = {}

    def run(app, **options):
        served.update(options, app=app)

    monkeypatch.setattr(uvicorn, "run", run)
    ran = bot_cli(
        "web",
        env={
            "DATABASE_URL": f"sqlite:///{tmp_path / 'web.db'}",
            "WEB_PORT": "8099",
            "WEB_BASE_URL": "https://fp.example.cn/console",
        },
    )
    assert ran.returncode == 0, ran.stderr
    assert (served["host"], served["port"]) == ("127.0.0.1", 8099)
    assert "https://fp.example.cn/console" in ran.stdout
    app = served["app"]
    assert isinstance(app, FastAPI)
    assert app.state.console.settings.base_url == "https://fp.example.cn/console"


def test_the_bot_tells_staff_links_on_the_configured_base_url(kb, db):
    from assistant.service import Assistant
    from tests.chat import say

    add_cast(db)
    bot = Assistant(kb, db, admin_ids=frozenset({ADMIN}), web_base_url="https://fp.example.cn/c")
    [reply] = say(bot, ADMIN, "/web")
    assert "https://fp.example.cn/c/login/" in reply.text


def test_two_console_processes_share_sessions_through_the_database(db, unused_port):
    """A session started by one server is good on another (nothing is kept in memory)."""
    import uvicorn

    from web.app import create_app

    add_cast(db)
    servers = []
    for port in (unused_port(), unused_port()):
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(make_console(db)), host="127.0.0.1", port=port, log_level="error"
            )
        )
        threading.Thread(target=server.run, daemon=True).start()
        servers.append((server, port))
    try:
        for server, _port in servers:
            deadline = time.monotonic() + 10
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
        (_, first), (_, second) = servers
        link = link_for(make_console(db), ADMIN)
        signed = httpx.post(f"http://127.0.0.1:{first}{link}")
        assert signed.status_code == 303
        cookies = signed.cookies
        page = httpx.get(f"http://127.0.0.1:{second}/queue", cookies=cookies)
        assert page.status_code == 200 and "待处理" in page.text
    finally:
        for server, _port in servers:
            server.should_exit = True


@pytest.fixture
def unused_port():
    import socket

    def pick() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    return pick


async def test_over_telegram_web_also_offers_the_console_as_a_mini_app(kb, db):
    from assistant.service import Assistant
    from tests.chat import telegram_for

    add_cast(db)
    bot = Assistant(kb, db, admin_ids=frozenset({ADMIN}), web_base_url="https://fp.example.cn/c")
    async with telegram_for(bot) as telegram:
        sent = await telegram.send(ADMIN, "/web")
    [message] = sent.method("sendMessage")
    markup = message["reply_markup"]
    markup = json.loads(markup) if isinstance(markup, str) else markup
    [[button]] = markup["inline_keyboard"]
    assert button["web_app"] == {"url": "https://fp.example.cn/c/miniapp"}
    assert "https://fp.example.cn/c/login/" in message["text"]
