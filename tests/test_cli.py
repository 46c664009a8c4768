"""`bot.py` as operators and the external evaluation call it.

Most stories run `bot.main` in this process (the `bot_cli` fixture); the ones whose point is the
real process — reading stdin, `make run`'s start-up — run `python bot.py` as a subprocess
(`run_bot`; tests/test_export.py has the exit status a shell script sees).
"""

from __future__ import annotations

import json

from sqlalchemy import inspect

from storage.database import make_engine
from storage.models import Base
from tests.chat import run_bot

# --- real processes -----------------------------------------------------------------------------


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
        assert set(line) == {
            "question",
            "answer",
            "entry_id",
            "entry_ids",  # every entry answering (several for a message of several questions)
            "score",
            "suggestions",
            "source",
        }
    line_answer, out_of_scope, empty, guarantees = lines
    assert "9100" in line_answer["answer"] and line_answer["entry_id"] == "monitoring-line"
    assert line_answer["entry_ids"] == ["monitoring-line"] and out_of_scope["entry_ids"] == []
    assert "宣州区农业农村局" in line_answer["source"]
    assert out_of_scope["answer"] is None and out_of_scope["entry_id"] is None
    assert out_of_scope["source"] is None
    assert all(set(s) == {"entry_id", "question"} for s in out_of_scope["suggestions"])
    assert empty["answer"] is None
    assert "住房安全" in guarantees["answer"]
    assert not db_file.exists(), "ask must never write to the database"


def test_make_run_without_a_token_opens_the_console_chat_on_sqlite(tmp_path):
    db_file = tmp_path / "chat.db"
    result = run_bot(
        "start", stdin="监测收入标准是多少？\n", env={"DATABASE_URL": f"sqlite:///{db_file}"}
    )
    assert result.returncode == 0, result.stderr
    assert "未设置 TELEGRAM_TOKEN" in result.stdout and "控制台" in result.stdout
    assert "9100元" in result.stdout and "来源" in result.stdout
    assert db_file.exists()
    assert "alembic" not in result.stderr and "INFO" not in result.stderr, "quiet start-up"


# --- in this process ----------------------------------------------------------------------------


def test_ask_prints_the_reply_a_user_would_see(bot_cli):
    result = bot_cli("ask", "监测收入标准是多少？")
    assert result.returncode == 0, result.stderr
    assert "9100元" in result.stdout
    assert "来源" in result.stdout
    assert "<b>" not in result.stdout


def test_a_malformed_setting_gets_one_line_naming_the_variable(bot_cli):
    result = bot_cli("chat", env={"DATABASE_URL": "mysql://nobody@nowhere/db"})
    assert result.returncode == 2
    assert result.stderr.startswith("配置错误：DATABASE_URL")
    assert result.stderr.strip().count("\n") == 0
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_run_without_a_token_says_how_to_set_it(bot_cli):
    result = bot_cli("run", env={"TELEGRAM_TOKEN": ""})
    assert result.returncode == 2
    assert "TELEGRAM_TOKEN" in result.stderr and "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_a_malformed_token_is_named_before_anything_starts(bot_cli):
    result = bot_cli("run", env={"TELEGRAM_TOKEN": "not-a-token"})
    assert result.returncode == 2
    assert result.stderr.startswith("配置错误：TELEGRAM_TOKEN")
    assert "已启动" not in result.stdout


def test_an_unknown_command_is_refused_with_the_list_of_commands(bot_cli):
    result = bot_cli("serve")
    assert result.returncode == 2
    assert "参数错误：没有“serve”这个命令，可用：start、run、chat" in result.stderr
    assert "invalid choice" not in result.stderr and "usage" not in result.stderr


def test_a_missing_option_and_a_wrong_choice_are_refused_in_chinese(bot_cli):
    missing = bot_cli("export", "--format", "csv")
    assert missing.returncode == 2 and "参数错误：缺少参数：--out" in missing.stderr
    wrong = bot_cli("export", "--format", "pdf", "--out", "x.pdf")
    assert "--format 的值“pdf”无效，可选：xlsx、csv" in wrong.stderr
    assert "required" not in missing.stderr + wrong.stderr
    assert bot_cli("ask").stderr.count("参数错误：缺少参数：question") == 1


def test_an_unreachable_postgresql_gets_one_line_naming_the_host(bot_cli):
    url = "postgresql://postgres@127.0.0.1:1/test"  # nothing listens on port 1
    result = bot_cli("db", "upgrade", env={"DATABASE_URL": url})
    assert result.returncode == 2
    assert "\n" not in result.stderr.strip() and "Traceback" not in result.stderr
    assert result.stderr.startswith("数据库错误：无法连接 127.0.0.1:1 上的 PostgreSQL")
    assert "DATABASE_URL" in result.stderr


def test_db_upgrade_creates_every_table_of_the_models(tmp_path, bot_cli):
    db_file = tmp_path / "upgrade.db"
    result = bot_cli("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{db_file}"})
    assert result.returncode == 0, result.stderr
    assert "数据库已升级到最新版本" in result.stdout and str(db_file) in result.stdout
    engine = make_engine(f"sqlite:///{db_file}")
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables == {"alembic_version", *Base.metadata.tables}


def test_check_passes_on_the_shipped_data(bot_cli):
    result = bot_cli("check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("检查通过：") and "知识条目" in result.stdout
