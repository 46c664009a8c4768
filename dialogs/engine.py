"""The dialog engine: (state, user input) → (new state, replies). No storage, no Telegram.

A `DialogState` says which dialog, which step, the answers so far and the steps behind (for
/back). `DialogEngine.handle(state, event)` validates the input for the current step and moves
on to the next step whose `when` holds, or to the summary, where the user confirms, edits one
answer (and comes back) or cancels. The caller stores the returned state after every accepted
step, so the dialog survives restarts and can be continued by another bot instance.

Inline buttons carry `d:<draft id>:<action>[:<arg>]`; the caller only applies them to the
tapping user's own draft with that id.
"""

from __future__ import annotations

import copy
import html
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from common.messages import Button, Reply
from dialogs import validators
from dialogs.spec import OTHER_CHOICE, Catalog, Dialog, Step
from dialogs.validators import Invalid

CONTACT_BUTTON = "📱 发送我的手机号"
YES, NO = "是", "否"
AGREE, DISAGREE = "同意", "不同意"


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
    history: list[str] = field(default_factory=list)
    phase: str = "asking"  # asking | summary | confirm_cancel
    before_cancel: str = "asking"
    editing: bool = False  # jumped here from the summary: return to it when done
    selection: list[str] = field(default_factory=list)  # multi-choice ticks so far
    prefilled: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DialogState:
        return cls(**copy.deepcopy(data))


@dataclass(frozen=True)
class Event:
    """One user input inside a dialog."""

    text: str | None = None
    command: str | None = None  # back | skip | cancel
    action: str | None = (
        None  # from a button: t (toggle) | done | submit | edits | e | sum | cy | cn
    )
    arg: str | None = None
    phone: str | None = None  # from Telegram's shared contact


@dataclass
class Turn:
    state: DialogState
    replies: list[Reply]
    result: Result


def applicable(step: Step, answers: dict[str, Any]) -> bool:
    """Whether the step's `when` holds for the answers so far."""
    for key, condition in step.when.items():
        ((operator, expected),) = condition.items()
        value = answers.get(key)
        if operator == "equals" and value != expected:
            return False
        if operator == "in" and value not in expected:
            return False
        if operator == "contains" and (not isinstance(value, list) or expected not in value):
            return False
        if operator == "is" and value is not expected:
            return False
    return True


def format_value(step: Step, value: Any) -> str:
    if value is None:
        return "（未填）"
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        return "、".join(value) or "（无）"
    if step.kind == "money":
        return f"{value:,}" if "元" in step.label else f"{value:,} 元"
    if step.kind == "integer":
        return f"{value}"
    return str(value)


class DialogEngine:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    # --- starting -------------------------------------------------------------------------

    def start(self, dialog_name: str, prefill: dict[str, Any] | None = None) -> Turn:
        dialog = self.catalog.dialogs[dialog_name]
        state = DialogState(
            dialog=dialog.name,
            draft_id=secrets.token_hex(4),
            step=None,
            answers=dict(prefill or {}),
            prefilled=list(prefill or {}),
        )
        state.step = self._next_key(dialog, state, None)
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    def dialog_of(self, state: DialogState) -> Dialog:
        return self.catalog.dialogs[state.dialog]

    # --- moving between steps -------------------------------------------------------------

    def _next_key(self, dialog: Dialog, state: DialogState, after: str | None) -> str | None:
        start = 0 if after is None else dialog.index(after) + 1
        for step in dialog.steps[start:]:
            if step.key in state.prefilled or not applicable(step, state.answers):
                continue
            if state.editing and step.key in state.answers:
                continue
            return step.key
        return None

    def final_answers(self, state: DialogState) -> dict[str, Any]:
        """The answers of the steps that apply, in dialog order (what gets submitted)."""
        dialog = self.dialog_of(state)
        return {
            s.key: state.answers[s.key]
            for s in dialog.steps
            if s.key in state.answers and applicable(s, state.answers)
        }

    def _advance(self, state: DialogState, dialog: Dialog, done_key: str) -> Turn:
        if not state.history or state.history[-1] != done_key:
            state.history.append(done_key)
        state.selection = []
        state.step = self._next_key(dialog, state, done_key)
        if state.step is None:
            state.editing = False
            state.phase = "summary"
            return Turn(state, [self.summary(state)], Result.CONTINUE)
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    # --- what the user sees ---------------------------------------------------------------

    def _cb(self, state: DialogState, action: str, arg: str | int | None = None) -> str:
        return f"d:{state.draft_id}:{action}" + ("" if arg is None else f":{arg}")

    def prompt(self, state: DialogState, problem: str | None = None) -> Reply:
        """The current step's question, with its keyboard; `problem` explains a rejected answer."""
        dialog = self.dialog_of(state)
        if state.phase == "summary":
            return self.summary(state, problem)
        if state.phase == "confirm_cancel":
            return self.confirm_cancel(state, problem)
        step = dialog.step(state.step)
        lines = []
        if problem:
            lines.append(f"⚠️ {html.escape(problem)}")
            if step.example:
                lines.append(f"例如：{html.escape(step.example)}")
            lines.append("")
        lines.append(f"<b>{html.escape(dialog.title)} · 第 {len(state.history) + 1} 步</b>")
        lines.append(html.escape(step.prompt))
        if step.key in state.answers and state.answers[step.key] is not None:
            lines.append(f"（已填：{html.escape(format_value(step, state.answers[step.key]))}）")
        tips = ["/back 上一步"] if state.history else []
        if step.optional:
            tips.append("/skip 跳过")
        tips.append("/cancel 取消")
        lines.append("<i>" + " · ".join(tips) + "</i>")
        reply = Reply("\n".join(lines))
        self._attach_keyboard(reply, state, step)
        return reply

    def _attach_keyboard(self, reply: Reply, state: DialogState, step: Step) -> None:
        if step.kind == "multi":
            reply.buttons = self._toggle_buttons(state, step)
        elif step.kind == "consent":
            reply.keyboard = [[AGREE, DISAGREE]]
        elif step.kind == "yesno":
            reply.keyboard = [[YES, NO]]
        elif step.kind == "single":
            reply.keyboard = _rows(list(step.choices), 2)
        elif step.kind == "township":
            reply.keyboard = _rows([*self.catalog.township_names(), OTHER_CHOICE], 3)
        elif step.kind == "village":
            villages = self.catalog.villages_of(state.answers.get("township"))
            if villages:
                reply.keyboard = _rows(list(villages), 3)
            else:
                reply.remove_keyboard = True
        elif step.kind == "phone":
            reply.request_contact = CONTACT_BUTTON
        else:
            reply.remove_keyboard = True

    def _toggle_buttons(self, state: DialogState, step: Step) -> list[list[Button]]:
        buttons = [
            Button(
                ("✅ " if choice in state.selection else "") + choice,
                self._cb(state, "t", f"{step.key}:{i}"),
            )
            for i, choice in enumerate(step.choices)
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append([Button("完成 ✔", self._cb(state, "done", step.key))])
        return rows

    def confirm_cancel(self, state: DialogState, problem: str | None = None) -> Reply:
        title = html.escape(self.dialog_of(state).title)
        question = f"确定要取消这份《{title}》吗？已填写的内容将被删除。"
        return Reply(
            f"{html.escape(problem)}\n{question}" if problem else question,
            buttons=[
                [
                    Button("确认取消", self._cb(state, "cy")),
                    Button("继续填写", self._cb(state, "cn")),
                ]
            ],
        )

    def summary(self, state: DialogState, problem: str | None = None) -> Reply:
        dialog = self.dialog_of(state)
        lines = [f"⚠️ {html.escape(problem)}", ""] if problem else []
        lines.append(f"<b>{html.escape(dialog.title)} · 请核对</b>")
        for step in dialog.steps:
            if step.kind == "consent" or step.key not in state.answers:
                continue
            if not applicable(step, state.answers):
                continue
            value = format_value(step, state.answers[step.key])
            lines.append(f"• {html.escape(step.label)}：{html.escape(value)}")
        lines.append("\n信息无误请点“确认提交”；需要修改请点“修改某项”。")
        return Reply(
            "\n".join(lines),
            buttons=[
                [Button("✅ 确认提交", self._cb(state, "submit"))],
                [Button("✏️ 修改某项", self._cb(state, "edits"))],
                [Button("❌ 取消", self._cb(state, "cancel"))],
            ],
        )

    def edit_menu(self, state: DialogState) -> Reply:
        dialog = self.dialog_of(state)
        rows = [
            [Button(step.label, self._cb(state, "e", step.key))]
            for step in dialog.steps
            if step.kind != "consent"
            and step.key in state.answers
            and applicable(step, state.answers)
        ]
        rows.append([Button("↩️ 返回核对", self._cb(state, "sum"))])
        return Reply("要修改哪一项？", buttons=rows, edit=True)

    # --- handling input -------------------------------------------------------------------

    def handle(self, state: DialogState, event: Event) -> Turn:
        dialog = self.dialog_of(state)
        if state.phase == "confirm_cancel":
            return self._on_confirm_cancel(state, event)
        if event.command == "cancel" or event.action == "cancel":
            state.before_cancel = state.phase
            state.phase = "confirm_cancel"
            return Turn(state, [self.confirm_cancel(state)], Result.CONTINUE)
        if event.command == "back":
            return self._back(state, dialog)
        if state.phase == "summary":
            return self._on_summary(state, dialog, event)
        step = dialog.step(state.step)
        if event.command == "skip":
            if not step.optional:
                return self._invalid(state, "这一项必须填写，不能跳过")
            state.answers[step.key] = None
            return self._advance(state, dialog, step.key)
        if step.kind == "multi":
            return self._on_multi(state, dialog, step, event)
        if event.action is not None:
            return self._invalid(state, "这个按钮已过期，请按当前问题回答")
        raw = event.phone if (event.phone and step.kind == "phone") else event.text
        if raw is None or not validators.clean_text(raw):
            return self._invalid(state, "没有收到内容，请用文字回答")
        try:
            value = self._parse(step, state, raw)
        except Invalid as exc:
            return self._invalid(state, self._explain(step, str(exc)))
        if step.kind == "consent" and value is False:
            return Turn(state, [], Result.DECLINED)
        self._store(state, dialog, step, value)
        return self._advance(state, dialog, step.key)

    def _store(self, state: DialogState, dialog: Dialog, step: Step, value: Any) -> None:
        """Keep an answer; a changed answer clears the answers declared to depend on it."""
        if step.key in state.answers and state.answers[step.key] != value:
            for key in step.resets:
                self._drop(state, key)
        state.answers[step.key] = value
        if step.key in state.prefilled:
            state.prefilled.remove(step.key)
        self._forget_inapplicable(state, dialog)

    @staticmethod
    def _drop(state: DialogState, key: str) -> None:
        state.answers.pop(key, None)
        if key in state.history:
            state.history.remove(key)
        if key in state.prefilled:
            state.prefilled.remove(key)

    def _invalid(self, state: DialogState, problem: str) -> Turn:
        return Turn(state, [self.prompt(state, problem)], Result.INVALID)

    def _explain(self, step: Step, reason: str) -> str:
        if step.kind in {"integer", "money"} and step.min is not None and step.max is not None:
            unit = "元" if step.kind == "money" else ""
            return f"{reason}。{step.label}应在 {step.min:g} 到 {step.max:g}{unit} 之间"
        return reason

    def _parse(self, step: Step, state: DialogState, raw: str) -> Any:
        parsers: dict[str, Callable[[str], Any]] = {
            "consent": _parse_consent,
            "yesno": validators.parse_yes_no,
            "integer": validators.parse_integer,
            "money": validators.parse_money,
            "phone": validators.parse_phone,
            "single": lambda text: validators.match_choice(text, step.choices),
            "township": lambda text: validators.match_choice(
                text, [*self.catalog.township_names(), OTHER_CHOICE]
            ),
            "village": lambda text: self._village(state, text, step),
            "text": lambda text: validators.parse_text(text, max_length=step.max_length),
            "longtext": lambda text: validators.parse_text(text, max_length=step.max_length),
        }
        value = parsers[step.kind](raw)
        if step.kind in {"integer", "money"}:
            if step.min is not None and value < step.min:
                raise Invalid(f"{format_value(step, value)}太小了")
            if step.max is not None and value > step.max:
                raise Invalid(f"{format_value(step, value)}超出了合理范围")
        return value

    def _village(self, state: DialogState, text: str, step: Step) -> str:
        villages = self.catalog.villages_of(state.answers.get("township"))
        if villages:
            try:
                return validators.match_choice(text, villages)
            except Invalid:
                pass  # not in the list: take the name as typed
        return validators.parse_text(text, min_length=2, max_length=step.max_length)

    def _forget_inapplicable(self, state: DialogState, dialog: Dialog) -> None:
        """Drop answers whose `when` no longer holds after an edit (e.g. 其他 unticked)."""
        for step in dialog.steps:
            if step.key in state.answers and not applicable(step, state.answers):
                self._drop(state, step.key)

    def _on_multi(self, state: DialogState, dialog: Dialog, step: Step, event: Event) -> Turn:
        if event.action in {"t", "done"}:
            # Buttons name their step: a tap on an older question's message must not tick here.
            key, _, index = (event.arg or "").partition(":")
            if key != step.key:
                return self._invalid(state, "这个按钮属于之前的问题，请按当前问题回答")
        if event.action == "t":
            try:
                choice = step.choices[int(index)]
            except (ValueError, IndexError):
                return self._invalid(state, "这个按钮已过期，请重新选择")
            if choice in state.selection:
                state.selection.remove(choice)
            elif choice == step.none_choice:
                state.selection = [choice]
            else:
                state.selection = [c for c in state.selection if c != step.none_choice] + [choice]
            reply = self.prompt(state)
            reply.edit = True
            return Turn(state, [reply], Result.CONTINUE)
        if event.action == "done":
            if not state.selection:
                return self._invalid(state, "还没有选择任何一项，请点选项勾选后再点“完成”")
            picked = [c for c in step.choices if c in state.selection]
        elif event.text is not None and event.action is None:
            try:
                picked = validators.match_choices(event.text, step.choices)
            except Invalid as exc:
                return self._invalid(
                    state,
                    f"{exc}，可以点下面的选项勾选，或输入如“{step.example or step.choices[0]}”",
                )
            if step.none_choice in picked and len(picked) > 1:
                return self._invalid(state, f"“{step.none_choice}”不能和其他选项同时选")
        else:
            return self._invalid(state, "这个按钮已过期，请按当前问题回答")
        self._store(state, dialog, step, picked)
        return self._advance(state, dialog, step.key)

    def _back(self, state: DialogState, dialog: Dialog) -> Turn:
        if not state.history:
            return self._invalid(state, "已经是第一步了")
        state.step = state.history.pop()
        state.phase = "asking"
        state.editing = False
        step = dialog.step(state.step)
        previous = state.answers.get(step.key)
        state.selection = (
            list(previous) if step.kind == "multi" and isinstance(previous, list) else []
        )
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    def _on_summary(self, state: DialogState, dialog: Dialog, event: Event) -> Turn:
        if event.action == "submit":
            return Turn(state, [], Result.SUBMIT)
        if event.action == "edits":
            return Turn(state, [self.edit_menu(state)], Result.CONTINUE)
        if event.action == "sum":
            reply = self.summary(state)
            reply.edit = True
            return Turn(state, [reply], Result.CONTINUE)
        if event.action == "e" and event.arg:
            try:
                step = dialog.step(event.arg)
            except KeyError:
                return self._invalid(state, "没有这一项")
            state.phase = "asking"
            state.editing = True
            state.step = step.key
            if step.key in state.history:
                state.history.remove(step.key)
            if step.key in state.prefilled:
                state.prefilled.remove(step.key)
            state.selection = (
                list(state.answers.get(step.key) or []) if step.kind == "multi" else []
            )
            return Turn(state, [self.prompt(state)], Result.CONTINUE)
        if event.text is not None and validators.clean_text(event.text) in {
            "确认",
            "确认提交",
            "提交",
        }:
            return Turn(state, [], Result.SUBMIT)
        return self._invalid(state, "请点下面的按钮：确认提交、修改某项或取消")

    def _on_confirm_cancel(self, state: DialogState, event: Event) -> Turn:
        yes = event.action == "cy"
        no = event.action == "cn"
        if event.text is not None and event.action is None:
            try:
                yes = (
                    validators.parse_yes_no(event.text)
                    or validators.clean_text(event.text) == "确认取消"
                )
                no = not yes
            except Invalid:
                yes = validators.clean_text(event.text) == "确认取消"
                no = validators.clean_text(event.text) == "继续填写"
        if event.command == "cancel":
            yes = True
        if yes:
            return Turn(state, [], Result.CANCELLED)
        if no:
            state.phase = state.before_cancel
            return Turn(state, [self.prompt(state)], Result.CONTINUE)
        return Turn(
            state, [self.confirm_cancel(state, "请选择：确认取消，还是继续填写？")], Result.INVALID
        )


def _parse_consent(text: str) -> bool:
    cleaned = validators.clean_text(text)
    if cleaned in {AGREE, "同意并开始", "开始"}:
        return True
    if cleaned in {DISAGREE, "拒绝"}:
        return False
    return validators.parse_yes_no(text)


def _rows(labels: list[str], per_row: int) -> list[list[str]]:
    return [labels[i : i + per_row] for i in range(0, len(labels), per_row)]
