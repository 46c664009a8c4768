"""`python bot.py backup FILE`: on SQLite a consistent copy made while the bot writes, readable
by its owner only; on PostgreSQL the pg_dump command to run (the password never printed)."""

from __future__ import annotations

import sqlite3
import stat
import threading

from storage.database import open_database


def test_an_operator_backs_up_the_sqlite_database_while_the_bot_writes(bot_cli, tmp_path):
    live = tmp_path / "assistant.db"
    open_database(f"sqlite:///{live}").engine.dispose()
    stop = threading.Event()
    written = threading.Event()

    def bot_writing() -> None:
        """Rows come in pairs, one transaction each: a consistent copy holds whole pairs."""
        with sqlite3.connect(live, timeout=10) as conn:
            while not stop.is_set():
                with conn:
                    for half in ("上", "下"):
                        conn.execute(
                            "INSERT INTO unanswered_questions (text, asked_at, best_score)"
                            " VALUES (?, CURRENT_TIMESTAMP, 0)",
                            (half,),
                        )
                written.set()

    writer = threading.Thread(target=bot_writing)
    writer.start()
    try:
        assert written.wait(5)
        copy = tmp_path / "backup.db"
        ran = bot_cli("backup", str(copy), env={"DATABASE_URL": f"sqlite:///{live}"})
    finally:
        stop.set()
        writer.join()

    assert ran.returncode == 0, ran.stderr
    assert str(copy) in ran.stdout
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        rows = conn.execute("SELECT count(*) FROM unanswered_questions").fetchone()[0]
    assert rows > 0 and rows % 2 == 0

    again = bot_cli("backup", str(copy), env={"DATABASE_URL": f"sqlite:///{live}"})
    assert again.returncode == 2 and "已存在" in again.stderr


def test_a_postgresql_backup_prints_the_pg_dump_command_without_the_password(bot_cli, tmp_path):
    target = tmp_path / "fanpin.dump"
    url = "postgresql://fanpin:topsecret@db.internal:5433/fanpin"
    ran = bot_cli("backup", str(target), env={"DATABASE_URL": url})
    assert ran.returncode == 0, ran.stderr
    command = ran.stdout.strip().splitlines()[-1]
    assert command.startswith("pg_dump ")
    for part in ("--host=db.internal", "--port=5433", "--username=fanpin", f"--file={target}"):
        assert part in command
    assert command.endswith(" fanpin")
    assert "topsecret" not in ran.stdout and not target.exists()
