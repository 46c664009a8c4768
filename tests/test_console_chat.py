"""The console chat drives the same core: numbered options stand in for buttons."""

from __future__ import annotations

import io

from handlers.console import run_console
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
