"""The console chat drives the same core: numbered options stand in for buttons."""

from __future__ import annotations

import io
import time
from datetime import datetime
from pathlib import Path

import pytest

from assistant.service import Assistant
from handlers.console import run_console
from storage.database import open_database
from storage.models import LOCAL_TZ
from tests.conftest import store_submission
from tests.dialog_script import REPORT, REPORT_ANSWERS

RESIDENT = 6001


def test_a_scripted_console_session_answers_and_follows_a_numbered_option(assistant):
    script = io.StringIO("监测收入标准是多少？\n1\n")
    out = io.StringIO()
    run_console(assistant.handle, stdin=script, stdout=out)
    printed = out.getvalue()
    assert "防返贫监测帮扶助手" in printed  # the introduction from /start
    assert "9100元" in printed and "来源" in printed
    assert "[1]" in printed
    assert "<b>" not in printed
    assert printed.rstrip().endswith("再见！")


def test_a_foreign_digit_in_the_console_is_text_not_an_option(assistant):
    out = io.StringIO()
    run_console(assistant.handle, stdin=io.StringIO("፩\n"), stdout=out)
    assert out.getvalue().rstrip().endswith("再见！"), "no crash"


def test_choosing_the_ask_menu_shows_example_questions(assistant):
    out = io.StringIO()
    run_console(assistant.handle, stdin=io.StringIO("1\n"), stdout=out)
    assert "请直接输入" in out.getvalue()


def typed(items) -> list[str]:
    """Scripted answers as lines typed in the console (options are typed by their label)."""
    lines = []
    for item in items:
        if isinstance(item, str):
            lines.append(item)
        elif item[0] == "cmd":
            lines.append("/" + item[1])
        elif item[0] == "tap":
            lines.append(item[1])
    return lines


def test_a_resident_reports_in_the_console_typing_both_causes_on_one_line(assistant):
    lines = [
        "/report",
        *typed(REPORT.until("causes")),
        "因病，缺劳动力",  # both causes typed on one line instead of ticked …
        "好了",  # … and the choice finished in words instead of tapping 完成
        *typed(REPORT.from_step("child_out_of_school")),
        "1",  # ✅ 确认提交 is option 1 of the summary
    ]
    out = io.StringIO()
    run_console(
        assistant.handle, stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out, user_id=RESIDENT
    )
    (stored,) = assistant.submissions.of_user(RESIDENT)
    assert stored.reference in out.getvalue()
    assert stored.answers == REPORT_ANSWERS


@pytest.fixture
def server(tmp_path) -> tuple[str, str]:
    """A SQLite database holding one report (its URL and the report's reference)."""
    url = f"sqlite:///{tmp_path / 'console.db'}"
    db = open_database(url)
    reference = store_submission(db)
    db.engine.dispose()
    return url, reference


def test_an_admin_reviews_in_the_console_as_their_telegram_id(server, bot_cli, monkeypatch):
    url, reference = server
    monkeypatch.setattr("sys.stdin", io.StringIO(f"/pending\n/view {reference}\n"))
    result = bot_cli("chat", "--as", "9001", env={"DATABASE_URL": url, "ADMIN_IDS": "9001"})
    assert result.returncode == 0, result.stderr
    assert "待处理申报" in result.stdout and "优先级" in result.stdout
    assert "只对登记的村干部和工作人员开放" not in result.stdout


def test_the_console_operator_is_staff_when_admin_ids_lists_0(server, bot_cli, monkeypatch):
    url, reference = server
    monkeypatch.setattr("sys.stdin", io.StringIO("/pending\n"))
    result = bot_cli("chat", env={"DATABASE_URL": url, "ADMIN_IDS": "0"})
    assert result.returncode == 0, result.stderr
    assert reference in result.stdout


def test_a_chart_saved_in_the_console_is_named_by_scope_and_beijing_time(
    kb, db, make_submission, tmp_path, monkeypatch
):
    make_submission()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TZ", "UTC")  # a server clock in UTC, as most are
    time.tzset()
    try:
        before = datetime.now(LOCAL_TZ)
        out = io.StringIO()
        assistant = Assistant(kb, db, admin_ids=frozenset({0}))
        run_console(assistant.handle, stdin=io.StringIO("/stats 水阳镇\n"), stdout=out)
        after = datetime.now(LOCAL_TZ)
    finally:
        monkeypatch.undo()
        time.tzset()
    (saved,) = (tmp_path / "data" / "exports").iterdir()
    assert saved.name in {
        f"统计图_水阳镇_全部时间_生成于{t:%Y%m%d-%H%M}.png" for t in (before, after)
    }
    assert str(Path("data") / "exports" / saved.name) in out.getvalue()
