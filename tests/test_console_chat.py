"""The console chat drives the same core: numbered options stand in for buttons."""

from __future__ import annotations

import io

from handlers.console import run_console


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


def test_choosing_the_ask_menu_shows_example_questions(assistant):
    out = io.StringIO()
    run_console(assistant.handle, stdin=io.StringIO("1\n"), stdout=out)
    assert "请直接输入" in out.getvalue()
