"""`bot.py` as people and the external evaluation call it (run as real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_bot(
    *args: str, stdin: str = "", env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
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


def test_ask_json_reads_one_question_per_line_and_answers_each_in_order(tmp_path):
    db_file = tmp_path / "never.db"
    questions = ["监测收入标准是多少？", "彩票中奖号码是多少", "", "三保障指什么"]
    result = run_bot(
        "ask",
        "--json",
        "-",
        stdin="\n".join(questions) + "\n",
        env={"DATABASE_URL": f"sqlite:///{db_file}"},
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["question"] for line in lines] == questions
    for line in lines:
        assert set(line) == {"question", "answer", "entry_id", "score", "suggestions", "source"}
    line_answer, out_of_scope, empty, guarantees = lines
    assert "9100" in line_answer["answer"] and line_answer["entry_id"] == "monitoring-line"
    assert "宣州区农业农村局" in line_answer["source"]
    assert out_of_scope["answer"] is None and out_of_scope["entry_id"] is None
    assert out_of_scope["source"] is None
    assert all(set(s) == {"entry_id", "question"} for s in out_of_scope["suggestions"])
    assert empty["answer"] is None
    assert "住房安全" in guarantees["answer"]
    assert not db_file.exists(), "ask must never write to the database"


def test_ask_prints_the_reply_a_user_would_see():
    result = run_bot("ask", "监测收入标准是多少？")
    assert result.returncode == 0, result.stderr
    assert "9100元" in result.stdout
    assert "来源" in result.stdout
    assert "<b>" not in result.stdout


def test_a_malformed_setting_gets_one_line_naming_the_variable(tmp_path):
    result = run_bot("chat", env={"DATABASE_URL": "mysql://nobody@nowhere/db"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_without_a_token_says_how_to_set_it():
    result = run_bot("run", env={"TELEGRAM_TOKEN": ""})
    assert result.returncode == 2
    assert "TELEGRAM_TOKEN" in result.stderr and "Traceback" not in result.stderr


def test_start_without_a_token_opens_the_console_chat_on_sqlite(tmp_path):
    db_file = tmp_path / "chat.db"
    result = run_bot(
        "start", stdin="监测收入标准是多少？\n", env={"DATABASE_URL": f"sqlite:///{db_file}"}
    )
    assert result.returncode == 0, result.stderr
    assert "未设置 TELEGRAM_TOKEN" in result.stdout and "控制台" in result.stdout
    assert "9100元" in result.stdout and "来源" in result.stdout
    assert db_file.exists()


def test_db_upgrade_creates_the_schema(tmp_path):
    db_file = tmp_path / "upgrade.db"
    result = run_bot("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{db_file}"})
    assert result.returncode == 0, result.stderr
    import sqlite3

    tables = {r[0] for r in sqlite3.connect(db_file).execute("select name from sqlite_master")}
    assert {"alembic_version", "unanswered_questions"} <= tables


def test_check_passes_on_the_shipped_data():
    result = run_bot("check")
    assert result.returncode == 0, result.stderr
    assert "检查通过" in result.stdout
