"""The dialog engine: (state, user input) → (new state, replies). No storage, no Telegram.

A `DialogState` says which dialog, which step, the answers so far and the steps behind (for
/back). `DialogEngine.handle(state, event)` never changes the state it is given: it works on a
copy and returns it in the `Turn`, which the caller stores after every accepted step, so the
dialog survives restarts and can be continued by another bot instance.

The flow, as `handle` dispatches it:

1. asking a step (`Phase.ASKING`): the input is parsed by the step's kind (`dialogs.kinds`);
   an accepted answer moves on to the next step whose `when` holds, a rejected one asks again
   with the reason; /skip skips an optional step; a multi-choice step is ticked with buttons;
2. after the last step, the summary (`Phase.SUMMARY`): 确认提交 submits, 修改某项 opens the edit
   menu, and an edited answer returns to the summary (asking first any step it made apply);
3. /back returns to the previous step from anywhere; /cancel (or 取消) asks first
   (`Phase.CONFIRM_CANCEL`), and 继续填写 returns to where the user was.

What the user sees is built by `dialogs.render`, its wording is in `dialogs.texts`. Inline
buttons carry `d:<draft id>:<action>[:<arg>]` with an `Action` code; the caller only applies
them to the tapping user's own draft with that id.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from typing import Any

from common.messages import Reply
from common.text import clean_text
from dialogs import render, texts, validators
from dialogs.kinds import (
    APPROXIMATE_KEY,
    Context,
    explain,
    format_answer,
    format_value,
    kind_of,
    parse_answer,
)
from dialogs.spec import Catalog, Dialog, Step, applicable
from dialogs.state import Action, Command, DialogState, Event, Phase, Result, Turn
from dialogs.texts import AGREE, CONTACT_BUTTON, DISAGREE, NO, YES
from dialogs.validators import Estimate, Invalid

__all__ = [
    "AGREE",
    "CONTACT_BUTTON",
    "DISAGREE",
    "NO",
    "YES",
    "Action",
    "Command",
    "DialogEngine",
    "DialogState",
    "Event",
    "Phase",
    "Result",
    "Turn",
    "applicable",
    "format_answer",
    "format_value",
]

# The villages already recorded in a township (the caller's named query; the engine has no
# storage of its own).
VillagesOf = Callable[[str], Sequence[str]]


class DialogEngine:
    def __init__(self, catalog: Catalog, villages_of: VillagesOf | None = None):
        self.catalog = catalog
        self.villages_of = villages_of

    # --- starting -----------------------------------------------------------------------------

    def start(self, dialog_name: str, prefill: dict[str, Any] | None = None) -> Turn:
        """A new draft at its first step; `prefill`ed answers are kept and their steps skipped."""
        dialog = self.catalog.dialogs[dialog_name]
        state = DialogState(
            dialog=dialog.name,
            draft_id=secrets.token_hex(4),
            step=None,
            answers=dict(prefill or {}),
            prefilled=list(prefill or {}),
        )
        state.step = _next_key(dialog, state, None)
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    def dialog_of(self, state: DialogState) -> Dialog:
        return self.catalog.dialogs[state.dialog]

    def final_answers(self, state: DialogState) -> dict[str, Any]:
        """The answers of the steps that apply, in dialog order (what gets submitted); under
        `_approximate` the keys of amounts said roughly (八万多), when there are any."""
        dialog = self.dialog_of(state)
        answers = {
            s.key: state.answers[s.key]
            for s in dialog.steps
            if s.key in state.answers and applicable(s, state.answers)
        }
        rough = [k for k in state.approximate if answers.get(k) is not None]
        if rough:
            answers[APPROXIMATE_KEY] = rough
        return answers

    def current_step(self, state: DialogState) -> Step | None:
        """The step being asked, once the state fits the dialog as it is now."""
        state = self.repaired(state)[0]
        if state.phase != Phase.ASKING or state.step is None:
            return None
        return self.dialog_of(state).step(state.step)

    def repaired(self, state: DialogState) -> tuple[DialogState, bool]:
        """The state fitted to the dialog as declared now, and whether it had to change: a
        draft stored before a YAML change may name steps that are gone. Answers to steps that
        still exist are kept; it continues at the first step that applies and is unanswered."""
        dialog = self.dialog_of(state)
        keys = {s.key for s in dialog.steps}
        known = [*state.history, *state.answers, *state.prefilled, *state.approximate]
        if (state.step is None or state.step in keys) and all(k in keys for k in known):
            return state, False
        state = state.copy()
        state.answers = {k: v for k, v in state.answers.items() if k in keys}
        state.history = [k for k in state.history if k in keys]
        state.prefilled = [k for k in state.prefilled if k in keys]
        state.approximate = [k for k in state.approximate if k in keys]
        if state.step is not None and state.step not in keys:
            state.selection = []
            state.editing = False
            state.step = _first_unanswered(dialog, state)
            if state.step is None:
                state.phase = Phase.SUMMARY
            elif state.phase == Phase.SUMMARY:
                state.phase = Phase.ASKING
        return state, True

    # --- what the user sees (built by dialogs.render) -----------------------------------------

    def prompt(
        self, state: DialogState, problem: str | None = None, suggestion: Invalid | None = None
    ) -> Reply:
        """What the state waits for, with its keys; `problem` explains a rejected answer."""
        state = self.repaired(state)[0]
        context = self._context(state)
        return render.prompt(self.dialog_of(state), state, context, problem, suggestion)

    def summary(self, state: DialogState, problem: str | None = None) -> Reply:
        return render.summary(self.dialog_of(state), state, problem)

    def edit_menu(self, state: DialogState) -> Reply:
        return render.edit_menu(self.dialog_of(state), state)

    def confirm_cancel(self, state: DialogState, problem: str | None = None) -> Reply:
        return render.confirm_cancel(self.dialog_of(state), state, problem)

    def _context(self, state: DialogState) -> Context:
        """What parsers and keys may look at; the recorded villages only at a village step."""
        dialog = self.dialog_of(state)
        asking = state.phase != Phase.SUMMARY and state.step is not None
        if not asking or self.villages_of is None or dialog.step(str(state.step)).kind != "village":
            return Context(self.catalog, state.answers)
        township = dialog.columns(state.answers)["township"]
        recorded = tuple(self.villages_of(township)) if township else ()
        return Context(self.catalog, state.answers, recorded)

    # --- handling input -----------------------------------------------------------------------

    def handle(self, state: DialogState, event: Event) -> Turn:
        """The turn `event` makes from `state`; `state` itself is left as it was. A draft
        whose step the YAML no longer has is first fitted to it, and told so."""
        fitted, changed = self.repaired(state)
        if changed:
            return Turn(fitted, [Reply(texts.DIALOG_CHANGED), self.prompt(fitted)], Result.CONTINUE)
        return self._dispatch(state.copy(), event)

    def _dispatch(self, state: DialogState, event: Event) -> Turn:
        """Route the input on the caller's copy, which the handlers below may change."""
        if state.phase == Phase.CONFIRM_CANCEL:
            return self._on_confirm_cancel(state, event)
        if event.command == Command.CANCEL or event.action == Action.CANCEL:
            return self._ask_cancel(state)
        if event.command == Command.BACK:
            return self._back(state)
        if state.phase == Phase.SUMMARY:
            return self._on_summary(state, event)
        return self._on_step(state, render.current_step(self.dialog_of(state), state), event)

    def _on_step(self, state: DialogState, step: Step, event: Event) -> Turn:
        """Input while a step is asked: /skip, ticks, or a typed (or shared) answer."""
        kind = kind_of(step)
        if event.command == Command.SKIP:
            return self._skip(state, step)
        if kind.ticked:
            return self._on_ticks(state, step, event)
        if event.action is not None:
            return self._invalid(state, texts.STALE_BUTTON)
        if event.phone:
            problem = _contact_problem(kind.shared_contact, step.own_phone, event.phone_is_own)
            if problem is not None:
                return self._invalid(state, problem)
        raw = event.phone if event.phone else event.text
        if raw is None or not clean_text(raw):
            return self._invalid(state, texts.NO_CONTENT)
        return self._answer(state, step, raw)

    def _skip(self, state: DialogState, step: Step) -> Turn:
        if not step.optional:
            return self._invalid(state, texts.MUST_ANSWER)
        state.answers[step.key] = None
        return self._advance(state, step.key)

    def _answer(self, state: DialogState, step: Step, raw: str) -> Turn:
        """Parse, keep and move on; or ask again with the reason."""
        try:
            value = parse_answer(step, raw, self._context(state))
        except Invalid as exc:
            return self._invalid(state, explain(step, str(exc)), exc)
        kind = kind_of(step)
        if kind.refusal_ends_dialog and value is False:
            return Turn(state, [], Result.DECLINED)
        if value is None and kind.unknown_allowed:  # 不知道: fine, the cadre will ask
            turn = self._accept(state, step, None)
            return Turn(turn.state, [Reply(texts.UNKNOWN_AMOUNT), *turn.replies], turn.result)
        return self._accept(state, step, value)

    def _accept(self, state: DialogState, step: Step, value: Any) -> Turn:
        rough = isinstance(value, Estimate)
        _store(state, self.dialog_of(state), step, value.amount if rough else value)
        if step.key in state.approximate:
            state.approximate.remove(step.key)
        if rough:
            state.approximate.append(step.key)
        return self._advance(state, step.key)

    def _invalid(self, state: DialogState, problem: str, cause: Invalid | None = None) -> Turn:
        return Turn(state, [self.prompt(state, problem, cause)], Result.INVALID)

    def _advance(self, state: DialogState, done_key: str) -> Turn:
        """After an answer: the next step that applies, or the summary."""
        if not state.history or state.history[-1] != done_key:
            state.history.append(done_key)
        state.selection = []
        state.step = _next_key(self.dialog_of(state), state, done_key)
        if state.step is None:
            state.editing = False
            state.phase = Phase.SUMMARY
            return Turn(state, [self.summary(state)], Result.CONTINUE)
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    # --- multi-choice steps ------------------------------------------------------------------

    def _on_ticks(self, state: DialogState, step: Step, event: Event) -> Turn:
        """A tick, 完成 (tapped or typed: 好了, 就这些 …), or choices typed, which are
        ticked too."""
        if event.action in {Action.TOGGLE, Action.DONE}:
            # Buttons name their step: a tap on an older question's message must not tick here.
            key, _, index = (event.arg or "").partition(":")
            if key != step.key:
                return self._invalid(state, texts.OLDER_QUESTION_BUTTON)
            if event.action == Action.TOGGLE:
                return self._toggle(state, step, index)
            return self._done(state, step)
        if event.text is not None and event.action is None:
            if clean_text(event.text).rstrip("。.!！") in texts.FINISH_WORDS:
                return self._done(state, step)
            return self._tick_typed(state, step, event.text)
        return self._invalid(state, texts.STALE_BUTTON)

    def _tick_typed(self, state: DialogState, step: Step, raw: str) -> Turn:
        """Choices typed are added to those ticked (the none-choice replaces them), and the
        ticks shown again: 完成 still finishes."""
        try:
            picked = parse_answer(step, raw, self._context(state))
        except Invalid as exc:
            return self._invalid(state, explain(step, str(exc)), exc)
        if step.none_choice in picked:
            state.selection = [str(step.none_choice)]
        else:
            kept = [c for c in state.selection if c != step.none_choice]
            state.selection = kept + [c for c in picked if c not in kept]
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    def _toggle(self, state: DialogState, step: Step, index: str) -> Turn:
        """Tick or untick one choice; the none-choice and the others exclude each other."""
        try:
            choice = step.choices[int(index)]
        except (ValueError, IndexError):
            return self._invalid(state, texts.STALE_CHOICE)
        if choice in state.selection:
            state.selection.remove(choice)
        elif choice == step.none_choice:
            state.selection = [choice]
        else:
            state.selection = [c for c in state.selection if c != step.none_choice] + [choice]
        reply = self.prompt(state)
        reply.edit = True
        return Turn(state, [reply], Result.CONTINUE)

    def _done(self, state: DialogState, step: Step) -> Turn:
        if not state.selection:
            return self._invalid(state, texts.NOTHING_TICKED)
        return self._accept(state, step, [c for c in step.choices if c in state.selection])

    # --- back, the summary, cancelling --------------------------------------------------------

    def _back(self, state: DialogState) -> Turn:
        """The previous step again, its answer shown (and its ticks restored)."""
        if not state.history:
            return self._invalid(state, texts.FIRST_STEP)
        state.step = state.history.pop()
        state.phase = Phase.ASKING
        state.editing = False
        step = self.dialog_of(state).step(state.step)
        state.selection = _ticks_of(step, state.answers.get(step.key))
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    def _on_summary(self, state: DialogState, event: Event) -> Turn:
        if event.action == Action.SUBMIT:
            return Turn(state, [], Result.SUBMIT)
        if event.action == Action.EDITS:
            return Turn(state, [self.edit_menu(state)], Result.CONTINUE)
        if event.action == Action.SUMMARY:
            reply = self.summary(state)
            reply.edit = True
            return Turn(state, [reply], Result.CONTINUE)
        if event.action == Action.EDIT and event.arg:
            return self._edit(state, event.arg)
        if event.text is not None and clean_text(event.text) in texts.SUBMIT_WORDS:
            return Turn(state, [], Result.SUBMIT)
        return self._invalid(state, texts.USE_SUMMARY_BUTTONS)

    def _edit(self, state: DialogState, key: str) -> Turn:
        """Ask one step again from the summary; once answered, the summary comes back."""
        try:
            step = self.dialog_of(state).step(key)
        except KeyError:
            return self._invalid(state, texts.NO_SUCH_ITEM)
        state.phase = Phase.ASKING
        state.editing = True
        state.step = step.key
        if step.key in state.history:
            state.history.remove(step.key)
        if step.key in state.prefilled:
            state.prefilled.remove(step.key)
        state.selection = _ticks_of(step, state.answers.get(step.key))
        return Turn(state, [self.prompt(state)], Result.CONTINUE)

    def _ask_cancel(self, state: DialogState) -> Turn:
        state.before_cancel = state.phase
        state.phase = Phase.CONFIRM_CANCEL
        return Turn(state, [self.confirm_cancel(state)], Result.CONTINUE)

    def _on_confirm_cancel(self, state: DialogState, event: Event) -> Turn:
        decision = _cancel_decision(event)
        if decision is True:
            return Turn(state, [], Result.CANCELLED)
        if decision is False:
            state.phase = state.before_cancel
            return Turn(state, [self.prompt(state)], Result.CONTINUE)
        return self._invalid(state, texts.CANCEL_OR_CONTINUE)


# --- the state machine's helpers (they change the engine's own copy of the state) ------------


def _next_key(dialog: Dialog, state: DialogState, after: str | None) -> str | None:
    """The first step after `after` still to ask: it applies, was not prefilled, and (when
    editing from the summary) has no answer yet."""
    start = 0 if after is None else dialog.index(after) + 1
    for step in dialog.steps[start:]:
        if step.key in state.prefilled or not applicable(step, state.answers):
            continue
        if state.editing and step.key in state.answers:
            continue
        return step.key
    return None


def _first_unanswered(dialog: Dialog, state: DialogState) -> str | None:
    """The first step that applies and is neither answered nor prefilled."""
    for step in dialog.steps:
        if step.key in state.answers or step.key in state.prefilled:
            continue
        if applicable(step, state.answers):
            return step.key
    return None


def _store(state: DialogState, dialog: Dialog, step: Step, value: Any) -> None:
    """Keep an answer; a changed answer clears the answers declared to depend on it."""
    if step.key in state.answers and state.answers[step.key] != value:
        for key in step.resets:
            _drop(state, key)
    state.answers[step.key] = value
    if step.key in state.prefilled:
        state.prefilled.remove(step.key)
    _forget_inapplicable(state, dialog)


def _drop(state: DialogState, key: str) -> None:
    state.answers.pop(key, None)
    if key in state.approximate:
        state.approximate.remove(key)
    if key in state.history:
        state.history.remove(key)
    if key in state.prefilled:
        state.prefilled.remove(key)


def _forget_inapplicable(state: DialogState, dialog: Dialog) -> None:
    """Drop answers whose `when` no longer holds after an edit (e.g. 其他 unticked)."""
    for step in dialog.steps:
        if step.key in state.answers and not applicable(step, state.answers):
            _drop(state, step.key)


def _ticks_of(step: Step, answer: Any) -> list[str]:
    """The ticks to show when a ticked step is asked again: its earlier answer."""
    return list(answer) if kind_of(step).ticked and isinstance(answer, list) else []


def _cancel_decision(event: Event) -> bool | None:
    """After 确定要取消…？: True discards the draft, False keeps filling in, None is unclear."""
    if event.command == Command.CANCEL or event.action == Action.CANCEL_YES:
        return True
    if event.action == Action.CANCEL_NO:
        return False
    if event.text is None or event.action is not None:
        return None
    typed = clean_text(event.text)
    if typed == texts.CONFIRM_CANCEL_YES:
        return True
    if typed == texts.CONFIRM_CANCEL_NO:
        return False
    try:
        return validators.parse_yes_no(event.text)
    except Invalid:
        return None


def _contact_problem(phone_step: bool, asks_own: bool, card_is_own: bool) -> str | None:
    """Why a shared contact card is not the answer here (None: it is). A step asking for the
    sender's own number takes only their own card; one asking for someone else's (a cadre
    recording a household) takes a card from the phone book, never the sender's own."""
    if not phone_step:
        return texts.CONTACT_NOT_A_PHONE_STEP
    if asks_own and not card_is_own:
        return texts.FOREIGN_CONTACT
    if not asks_own and card_is_own:
        return texts.CONTACT_NOT_HERE
    return None
