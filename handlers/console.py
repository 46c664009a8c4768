"""The console chat: the same core as Telegram, in a terminal.

Each line typed is a message (a leading / makes it a command). Buttons and keyboard choices are
printed as numbered options; typing the number picks one. Ctrl-D (or /quit) leaves.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from common.messages import Incoming, Reply
from handlers import texts

CONSOLE_USER_ID = 0  # the local operator; Telegram ids are positive
_TAG = re.compile(r"</?(b|i|u|s|code|pre)>")


def plain(text: str) -> str:
    """Reply HTML as terminal text."""
    return html.unescape(_TAG.sub("", text))


def _private_folder(folder: Path) -> Path:
    """`folder` and its parent, created so that only their owner may enter them."""
    for part in (folder.parent, folder):
        if not part.exists():
            part.mkdir(mode=0o700)
    return folder


def _keep(reply: Reply) -> str:
    """Files the core sends are saved under data/exports/ for the console user, readable by
    that user only (the core writes exports 0600; moving keeps that)."""
    folder = _private_folder(Path("data") / "exports")
    if reply.document is not None:
        target = folder / (reply.filename or reply.document.name)
        shutil.move(str(reply.document), target)
        shutil.rmtree(reply.document.parent, ignore_errors=True)
        return texts.FILE_SAVED.format(path=target)
    # The core names its charts (scope, dates, Beijing time); this is only a fallback.
    target = folder / (reply.filename or texts.CHART_FILE.format(moment=datetime.now(UTC)))
    with open(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(reply.photo or b"")
    return texts.CHART_SAVED.format(path=target)


def render(replies: list[Reply]) -> tuple[str, list[tuple[str, str | None]]]:
    """The text to print and the numbered options it offers."""
    lines: list[str] = []
    options: list[tuple[str, str | None]] = []
    for reply in replies:
        if reply.to_chat is not None:
            lines.append(texts.NOTICE.format(chat=reply.to_chat, text=plain(reply.text)))
            continue
        lines.append(plain(reply.text))
        if reply.document is not None or reply.photo is not None:
            lines.append(_keep(reply))
        if reply.photo_id is not None:
            lines.append(texts.PHOTO_IN_TELEGRAM)
        for label, data in reply.options():
            options.append((label, data))
            lines.append(f"  [{len(options)}] {label}")
        if reply.request_contact:
            lines.append(texts.TYPE_PHONE)
    return "\n".join(lines), options


def parse_line(line: str, options: list[tuple[str, str | None]], user_id: int) -> Incoming:
    """A typed line as the core sees it: a numbered option, a command or text."""
    text = line.strip()
    if text.isascii() and text.isdigit() and 1 <= int(text) <= len(options):
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
        print(texts.BOT_SAYS.format(text=text), file=stdout, flush=True)
        return options

    options = show(handle(Incoming(user_id=user_id, chat_id=user_id, command="start")))
    while True:
        print(texts.YOU_SAY, end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line or line.strip() in {"/quit", "/exit"}:
            print(texts.GOODBYE, file=stdout)
            return
        options = show(handle(parse_line(line, options, user_id)))
