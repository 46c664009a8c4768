"""What goes in and out of the dialog engine: the stored state, one user input, one turn.

`DialogState` is stored as JSON after every accepted step (`to_json` / `from_json`), so every
field is a plain JSON value; `Phase`, `Action` and `Command` are `StrEnum`s whose values are the
strings already in stored drafts and on buttons already sent, and compare equal to them.

Inline buttons carry `d:<draft id>:<action>[:<arg>]` (built by `dialogs.render.callback`), the
caller turns a tap back into `Event(action=..., arg=...)`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

from common.messages import Reply


class Phase(StrEnum):
    """Where in the dialog the user is."""

    ASKING = "asking"  # answering `DialogState.step`
    SUMMARY = "summary"  # checking every answer before submitting
    CONFIRM_CANCEL = "confirm_cancel"  # asked whether to discard the draft


class Action(StrEnum):
    """The code of a tapped inline button, the `<action>` in `d:<draft id>:<action>[:<arg>]`."""

    TOGGLE = "t"  # tick or untick a multi-choice option; arg `<step key>:<choice index>`
    DONE = "done"  # finish a multi-choice step; arg `<step key>`
    SUBMIT = "submit"  # summary: 确认提交
    EDITS = "edits"  # summary: 修改某项, open the edit menu
    EDIT = "e"  # edit menu: change one answer; arg `<step key>`
    SUMMARY = "sum"  # edit menu: 返回核对
    CANCEL = "cancel"  # summary: 取消 (asks first)
    CANCEL_YES = "cy"  # 确认取消
    CANCEL_NO = "cn"  # 继续填写


class Command(StrEnum):
    """Slash commands that act on the dialog in progress."""

    BACK = "back"
    SKIP = "skip"
    CANCEL = "cancel"


class Result(StrEnum):
    CONTINUE = "continue"  # accepted; state changed
    INVALID = "invalid"  # not accepted; state unchanged
    SUBMIT = "submit"  # the user confirmed the summary
    CANCELLED = "cancelled"  # the user discarded the draft
    DECLINED = "declined"  # consent refused: nothing may be stored


@dataclass
class DialogState:
    dialog: str
    draft_id: str
    step: str | None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)  # steps answered, for /back
    phase: str = Phase.ASKING
    before_cancel: str = Phase.ASKING  # the phase to return to when the user keeps the draft
    editing: bool = False  # jumped here from the summary: return to it when done
    selection: list[str] = field(default_factory=list)  # multi-choice ticks so far
    prefilled: list[str] = field(default_factory=list)
    approximate: list[str] = field(default_factory=list)  # amounts said roughly (八万多)

    def to_json(self) -> dict[str, Any]:
        return {f.name: _copy_json(getattr(self, f.name)) for f in _FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DialogState:
        """The stored state; drafts stored before a field existed get its default."""
        return cls(**_copy_json(data))

    def copy(self) -> DialogState:
        """An independent copy: changing it leaves this state as it was."""
        return DialogState(**self.to_json())


def _copy_json(value: Any) -> Any:
    """A copy of a JSON value sharing nothing mutable with it: what `copy.deepcopy` does for
    these, at a tenth of its cost (a dialog step copies its state three times)."""
    if isinstance(value, dict):
        return {key: _copy_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy_json(item) for item in value]
    return value


_FIELDS = fields(DialogState)


@dataclass(frozen=True)
class Event:
    """One user input inside a dialog."""

    text: str | None = None
    command: str | None = None  # a `Command`: back | skip | cancel
    action: str | None = None  # from a button: an `Action` code (t, done, submit, e …)
    arg: str | None = None
    phone: str | None = None  # from a shared contact card
    phone_is_own: bool = True  # the card is the sender's own ("share my phone number")


@dataclass
class Turn:
    """What `DialogEngine.handle` decided: the new state (store it), replies, and the outcome."""

    state: DialogState
    replies: list[Reply]
    result: Result
