"""The console chat: the same core as Telegram, in a terminal.

Each line typed is a message (a leading / makes it a command). Buttons and keyboard choices are
printed as numbered options; typing the number picks one. Ctrl-D (or /quit) leaves.
"""

from __future__ import annotations

import html
import re
import sys
from collections.abc import Callable
from typing import TextIO

from assistant.messages import Incoming, Reply

CONSOLE_USER_ID = 0  # the local operator; Telegram ids are positive
_TAG = re.compile(r"</?(b|i|u|s|code|pre)>")


def plain(text: str) -> str:
    """Reply HTML as terminal text."""
    return html.unescape(_TAG.sub("", text))


def render(replies: list[Reply]) -> tuple[str, list[tuple[str, str | None]]]:
    """The text to print and the numbered options it offers."""
    lines: list[str] = []
    options: list[tuple[str, str | None]] = []
    for reply in replies:
        lines.append(plain(reply.text))
        for label, data in reply.options():
            options.append((label, data))
            lines.append(f"  [{len(options)}] {label}")
        if reply.request_contact:
            lines.append("  （请直接输入手机号码）")
    return "\n".join(lines), options


def parse_line(line: str, options: list[tuple[str, str | None]], user_id: int) -> Incoming:
    """A typed line as the core sees it: a numbered option, a command or text."""
    text = line.strip()
    if text.isdigit() and 1 <= int(text) <= len(options):
        label, data = options[int(text) - 1]
        if data is not None:
            return Incoming(user_id=user_id, chat_id=user_id, callback=data)
        text = label
    if text.startswith("/") and len(text) > 1:
        head, *args = text[1:].split()
        return Incoming(
            user_id=user_id, chat_id=user_id, text=text, command=head.lower(), args=tuple(args)
        )
    return Incoming(user_id=user_id, chat_id=user_id, text=text)


def run_console(
    handle: Callable[[Incoming], list[Reply]],
    *,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    user_id: int = CONSOLE_USER_ID,
) -> None:
    """Read lines until end of input, printing the core's replies to each."""
    def show(replies: list[Reply]) -> list[tuple[str, str | None]]:
        text, options = render(replies)
        print(f"\n助手：{text}\n", file=stdout, flush=True)
        return options

    options = show(handle(Incoming(user_id=user_id, chat_id=user_id, command="start")))
    while True:
        print("您：", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() in {"/quit", "/exit"}:
            print("\n再见！", file=stdout)
            return
        options = show(handle(parse_line(line, options, user_id)))
