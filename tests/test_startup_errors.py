"""Every start-up failure is one line naming what to fix, exit status 2, and never the token."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

import knowledge.base
from tests.chat import run_bot

TOKEN = "987654321:AAHrejectedTokenThatMustNeverBePrinted"


def one_line(text: str) -> bool:
    return len(text.strip().splitlines()) == 1 and "Traceback" not in text


class _Unauthorized(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.dumps({"ok": False, "error_code": 401, "description": "Unauthorized"})
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body.encode())

    do_GET = do_POST

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture
def telegram_refusing_every_token() -> Iterator[str]:
    """A Bot API on 127.0.0.1 that answers every call 401 Unauthorized; its base URL."""
    server = HTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/bot"
    finally:
        server.shutdown()


def test_a_token_telegram_rejects_gets_one_line_without_the_token(
    tmp_path, telegram_refusing_every_token
):
    env = {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": telegram_refusing_every_token,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}",
    }
    result = run_bot("run", env=env)
    assert result.returncode == 2, result.stderr
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr
    assert one_line(result.stderr), result.stderr
    assert "Telegram 拒绝了 TELEGRAM_TOKEN" in result.stderr and "@BotFather" in result.stderr


def test_an_unknown_postgresql_database_is_named(bot_cli):
    result = bot_cli(
        "db", "upgrade", env={"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/no_such_db"}
    )
    if "无法连接" in result.stderr and "no_such_db" not in result.stderr:
        pytest.skip("no PostgreSQL server on 127.0.0.1:5432")
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert "没有名为“no_such_db”的数据库" in result.stderr


@pytest.mark.parametrize("port", ["abc", "99999", ""])
def test_a_bad_port_in_database_url_is_named(bot_cli, port):
    url = f"postgresql://postgres:secret@127.0.0.1:{port}/test"
    result = bot_cli("db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert "DATABASE_URL" in result.stderr and "端口" in result.stderr
    assert "secret" not in result.stderr


def test_a_sqlite_path_that_is_a_folder_is_named(bot_cli, tmp_path):
    result = bot_cli("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path}"})
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert f"{tmp_path} 是一个文件夹" in result.stderr


def test_a_read_only_sqlite_file_is_named(bot_cli, tmp_path, monkeypatch):
    path = tmp_path / "ro.db"
    path.touch(mode=0o400)
    monkeypatch.setattr("os.access", lambda p, mode, **_: Path(p) != path)  # root may write anyway
    result = bot_cli("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{path}"})
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert f"{path} 不可写" in result.stderr


def _knowledge_copy(tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "knowledge"
    shutil.copytree(knowledge.base.DATA_DIR, folder)
    monkeypatch.setattr(knowledge.base.load_knowledge, "__defaults__", (folder, None))
    return folder


def test_a_missing_knowledge_file_is_named(bot_cli, tmp_path, monkeypatch):
    folder = _knowledge_copy(tmp_path, monkeypatch)
    (folder / "synonyms.yaml").unlink()
    result = bot_cli("chat", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert "synonyms.yaml" in result.stderr and "不存在" in result.stderr


def test_a_knowledge_file_not_in_utf8_is_named_with_its_line(bot_cli, tmp_path, monkeypatch):
    folder = _knowledge_copy(tmp_path, monkeypatch)
    menu = folder / "menu.yaml"
    menu.write_bytes(menu.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    result = bot_cli("chat", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"})
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert "menu.yaml:" in result.stderr and "UTF-8" in result.stderr


def test_a_malformed_env_line_stops_start_up_naming_file_and_line(bot_cli, tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("ADMIN_IDS=1\nDATABASE_URL = 'sqlite:///x.db\nfoo bar\n", encoding="utf-8")
    monkeypatch.setattr("assistant.config.DOTENV_PATH", dotenv)
    result = bot_cli("db", "upgrade")
    assert result.returncode == 2 and one_line(result.stderr), result.stderr
    assert str(dotenv) in result.stderr and "第 2 行" in result.stderr
    assert "sqlite:///x.db" not in result.stderr  # the line may hold a password
