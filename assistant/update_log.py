"""One structured log line per update, and nothing personal in it.

    update=123 user=3f9a0c1b2d handler=/report ms=41 outcome=dialog_step

- `user` is the first 10 hex digits of HMAC-SHA256 over the Telegram user id with a fixed
  salt: the lines of one user can be followed through the log, but the id is not written.
  Telegram ids are few enough to be tried one by one, so the hash keeps ids out of sight, not
  out of reach of someone holding the log and this source; the log must be kept as private as
  the database.
- `handler`: the command (`/report`; `/unknown` for a command the bot does not have, since
  the "command" is whatever the user typed after the slash), `button:<prefix>` for a tap,
  `contact` for a shared contact card, the kind of a message without text (`voice`,
  `photo` …), `text` for typed text.
- `outcome`: answered / abstained (policy Q&A), dialog_step, refused (not allowed), error
  (the update raised), ignored (no reply), else replied. A redelivered update is not applied
  again and logs no line.
- Never a name, phone, amount or the text typed.

The core says what happened with `note()` (answered, abstained, dialog_step) where it knows;
refusals are recognised by their wording. `logged` wraps `Assistant._answer`, the step both
the console (`handle`) and Telegram (`process_stored`) take for every update applied.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from typing import Any, TypeVar

from assistant import texts
from common.messages import Incoming, Reply

log = logging.getLogger("assistant.updates")

_SALT = b"fpj-update-log-v1"
_outcome: ContextVar[str | None] = ContextVar("update_outcome", default=None)
_REFUSALS = frozenset({texts.STAFF_ONLY, texts.REVIEWERS_ONLY, texts.ADMIN_ONLY})

ANSWERED = "answered"
ABSTAINED = "abstained"
SMALL_TALK = "small_talk"
DIALOG_STEP = "dialog_step"

Handle = TypeVar("Handle", bound=Callable[..., list[Reply]])


def user_hash(user_id: int) -> str:
    """The user as the log shows them: 10 hex digits, the same for every update."""
    return hmac.new(_SALT, str(user_id).encode(), hashlib.sha256).hexdigest()[:10]


def note(outcome: str) -> None:
    """What the update being handled came to (answered, abstained, dialog_step)."""
    _outcome.set(outcome)


def handler_name(incoming: Incoming, commands: Any) -> str:
    if incoming.callback is not None:
        return "button:" + incoming.callback.partition(":")[0][:12]
    if incoming.command is not None:
        return "/" + incoming.command if incoming.command in commands else "/unknown"
    if incoming.contact_phone is not None:
        return "contact"
    if incoming.media is not None:
        return incoming.media[:12]
    return "text"


def _outcome_of(replies: Sequence[Reply], noted: str | None) -> str:
    if noted is not None:
        return noted
    if not replies:
        return "ignored"
    if any(reply.text in _REFUSALS for reply in replies):
        return "refused"
    return "replied"


def logged(answer: Handle, *, retried: type[Exception] | None = None) -> Handle:
    """The core's answer to one update, logging one line for it (see the module docstring);
    an attempt ending in `retried` is started again by the caller, so it logs nothing."""

    @functools.wraps(answer)
    def wrapper(assistant: Any, incoming: Incoming) -> list[Reply]:
        token = _outcome.set(None)
        started = time.perf_counter()
        outcome = "error"
        try:
            replies = answer(assistant, incoming)
            outcome = _outcome_of(replies, _outcome.get())
            return replies
        except Exception as exc:
            if retried is not None and isinstance(exc, retried):
                outcome = ""
            raise
        finally:
            if outcome:
                log.info(
                    "update=%s user=%s handler=%s ms=%d outcome=%s",
                    "-" if incoming.update_id is None else incoming.update_id,
                    user_hash(incoming.user_id),
                    handler_name(incoming, assistant.commands),
                    (time.perf_counter() - started) * 1000,
                    outcome,
                )
            _outcome.reset(token)

    return wrapper  # type: ignore[return-value]
