"""`python bot.py doctor`: one line per check, ✅ or ❌, exit status 1 when something is wrong."""

from __future__ import annotations

import os

from alembic.script import ScriptDirectory

import knowledge.base
from storage.database import MIGRATIONS_DIR, make_engine, upgrade

HEAD = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() or ""


def _good_database(bot_cli, tmp_path) -> dict[str, str]:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'assistant.db'}"}
    assert bot_cli("db", "upgrade", env=env).returncode == 0
    return env


def test_doctor_on_a_good_setup_passes_every_check(bot_cli, tmp_path):
    result = bot_cli("doctor", env=_good_database(bot_cli, tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) >= 6 and all(line.startswith("✅") for line in lines), lines
    assert any("Telegram" in line and "未设置（跳过）" in line for line in lines)
    assert any("数据库结构" in line and HEAD in line for line in lines)


def test_doctor_names_a_world_readable_database_file(bot_cli, tmp_path):
    env = _good_database(bot_cli, tmp_path)
    os.chmod(tmp_path / "data" / "assistant.db", 0o644)
    result = bot_cli("doctor", env=env)
    assert result.returncode == 1
    (bad,) = [line for line in result.stdout.splitlines() if line.startswith("❌")]
    assert "assistant.db" in bad and "0644" in bad and "chmod 600" in bad


def test_doctor_names_migrations_not_at_head(bot_cli, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, "0002")
    engine.dispose()
    result = bot_cli("doctor", env={"DATABASE_URL": url})
    assert result.returncode == 1
    (bad,) = [line for line in result.stdout.splitlines() if line.startswith("❌")]
    assert "0002" in bad and HEAD in bad and "db upgrade" in bad


def test_doctor_names_a_broken_knowledge_folder(bot_cli, tmp_path, monkeypatch):
    env = _good_database(bot_cli, tmp_path)
    empty = tmp_path / "knowledge"
    empty.mkdir()
    monkeypatch.setattr(knowledge.base.load_knowledge, "__defaults__", (empty, None))
    result = bot_cli("doctor", env=env)
    assert result.returncode == 1
    (bad,) = [line for line in result.stdout.splitlines() if line.startswith("❌")]
    assert "知识库" in bad and "parameters.yaml" in bad


def test_doctor_names_a_rejected_token_without_printing_it(bot_cli, tmp_path):
    import threading
    from http.server import HTTPServer

    from tests.test_startup_errors import TOKEN, _Unauthorized

    server = HTTPServer(("127.0.0.1", 0), _Unauthorized)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = _good_database(bot_cli, tmp_path)
    env |= {
        "TELEGRAM_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": f"http://127.0.0.1:{server.server_address[1]}/bot",
    }
    try:
        result = bot_cli("doctor", env=env)
    finally:
        server.shutdown()
    assert result.returncode == 1
    (bad,) = [line for line in result.stdout.splitlines() if line.startswith("❌")]
    assert "Telegram 拒绝了 TELEGRAM_TOKEN" in bad
    assert TOKEN.split(":")[1] not in result.stdout + result.stderr
