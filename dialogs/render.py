"""What the user sees of a dialog: the question, the summary, its edit menu, the cancel question.

Pure functions of the dialog, the state and (for keyboards) the places: they change nothing.
`prompt` shows whatever the state is waiting for, so a reply to a rejected answer, a resumed
draft and a restart all read the same. Wording comes from `dialogs.texts`; every piece of
user-typed or YAML text is escaped here. Buttons carry `d:<draft id>:<action>[:<arg>]`
(`callback`), the codes being `dialogs.state.Action`.
"""

from __future__ import annotations

import html

from common.messages import Button, Reply
from dialogs import texts
from dialogs.kinds import APPROXIMATE_KEY, Context, Keys, format_answer, keys_for, kind_of
from dialogs.spec import Dialog, Step, applicable
from dialogs.state import Action, DialogState, Phase
from dialogs.texts import KEEP_TYPED
from dialogs.validators import Invalid


def callback(state: DialogState, action: Action, arg: str | None = None) -> str:
    """The data of a button acting on this draft."""
    return f"d:{state.draft_id}:{action}" + ("" if arg is None else f":{arg}")


def prompt(
    dialog: Dialog,
    state: DialogState,
    context: Context,
    problem: str | None = None,
    suggestion: Invalid | None = None,
) -> Reply:
    """What the state waits for: the current question, the summary or the cancel question;
    `problem` explains a rejected answer, `suggestion` may name the closest real answer."""
    if state.phase == Phase.SUMMARY:
        return summary(dialog, state, problem)
    if state.phase == Phase.CONFIRM_CANCEL:
        return confirm_cancel(dialog, state, problem)
    return question(dialog, state, context, problem, suggestion)


# --- a question -------------------------------------------------------------------------------


def question(
    dialog: Dialog,
    state: DialogState,
    context: Context,
    problem: str | None = None,
    suggestion: Invalid | None = None,
) -> Reply:
    """The current step's question with its keys: the problem first, the answer so far, tips."""
    step = current_step(dialog, state)
    closest = suggestion.suggestion if suggestion is not None else None
    lines = _problem_lines(step, problem, closest) if problem else []
    number, total = _progress(dialog, state)
    lines.append(
        texts.STEP_HEADING.format(title=html.escape(dialog.title), number=number, total=total)
    )
    lines.append(html.escape(step.prompt))
    if step.key in state.answers and (state.answers[step.key] is not None or step.labels):
        value = format_answer(step, answers_with_estimates(state))
        lines.append(texts.ALREADY_FILLED.format(value=html.escape(value)))
    if kind_of(step).ticked and state.selection:
        ticked = texts.LIST_SEPARATOR.join(state.selection)
        lines.append(html.escape(texts.TICKED_SO_FAR.format(choices=ticked)))
    lines.append(_tips(state, step))
    reply = Reply("\n".join(lines))
    _attach(reply, _with_suggestion(keys_for(step, context), suggestion), state, step)
    return reply


def answers_with_estimates(state: DialogState) -> dict:
    """The answers with the keys of amounts said roughly, as they are submitted."""
    if not state.approximate:
        return state.answers
    return {**state.answers, APPROXIMATE_KEY: list(state.approximate)}


def _with_suggestion(keys: Keys, suggestion: Invalid | None) -> Keys:
    """The closest real answer (and keeping what was typed) first among the keys."""
    if suggestion is None or suggestion.suggestion is None:
        return keys
    first = [suggestion.suggestion]
    if suggestion.keep:
        first.append(KEEP_TYPED.format(name=suggestion.keep))
    rest = [[k for k in row if k != suggestion.suggestion] for row in keys.rows or []]
    return Keys(rows=[first, *(row for row in rest if row)], contact=keys.contact)


def current_step(dialog: Dialog, state: DialogState) -> Step:
    if state.step is None:
        raise KeyError(None)
    return dialog.step(state.step)


def _progress(dialog: Dialog, state: DialogState) -> tuple[int, int]:
    """第 n 步（共 m 步）: the steps that apply given the answers so far (a step whose
    condition is still unanswered is not counted), prefilled ones left out."""
    steps = [
        s.key for s in dialog.steps if s.key not in state.prefilled and applicable(s, state.answers)
    ]
    if state.step in steps:
        return steps.index(str(state.step)) + 1, len(steps)
    return len(state.history) + 1, max(len(steps), len(state.history) + 1)


def _problem_lines(step: Step, problem: str, closest: str | None = None) -> list[str]:
    lines = [texts.PROBLEM.format(problem=html.escape(problem))]
    if closest:  # the nearest real answer says more than the YAML's example
        lines.append(html.escape(texts.DID_YOU_MEAN.format(choice=closest)))
    elif step.example:
        lines.append(texts.EXAMPLE.format(example=html.escape(step.example)))
    lines.append("")
    return lines


def _tips(state: DialogState, step: Step) -> str:
    tips = [texts.TIP_BACK] if state.history else []
    if step.optional:
        tips.append(texts.TIP_SKIP)
    tips.append(texts.TIP_CANCEL)
    return texts.TIPS.format(tips=texts.TIP_SEPARATOR.join(tips))


def _attach(reply: Reply, keys: Keys, state: DialogState, step: Step) -> None:
    if keys.toggles:
        reply.buttons = toggle_buttons(state, step)
    elif keys.rows is not None:
        reply.keyboard = keys.rows
    elif keys.contact is not None:
        reply.request_contact = keys.contact
    else:
        reply.remove_keyboard = True


def toggle_buttons(state: DialogState, step: Step) -> list[list[Button]]:
    """One button per choice, two a row, ✅ before the ticked ones; then 完成."""
    buttons = [
        Button(_toggle_label(choice, state), callback(state, Action.TOGGLE, f"{step.key}:{i}"))
        for i, choice in enumerate(step.choices)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([Button(texts.DONE_BUTTON, callback(state, Action.DONE, step.key))])
    return rows


def _toggle_label(choice: str, state: DialogState) -> str:
    return (texts.TICKED if choice in state.selection else "") + choice


# --- the summary ------------------------------------------------------------------------------


def summary(dialog: Dialog, state: DialogState, problem: str | None = None) -> Reply:
    """Every answer that applies, to check, with 确认提交, 修改某项 and 取消."""
    lines = [texts.PROBLEM.format(problem=html.escape(problem)), ""] if problem else []
    lines.append(texts.SUMMARY_HEADING.format(title=html.escape(dialog.title)))
    answers = answers_with_estimates(state)
    for step in reviewable_steps(dialog, state):
        value = format_answer(step, answers)
        lines.append(
            texts.SUMMARY_LINE.format(label=html.escape(step.label), value=html.escape(value))
        )
    lines.append(texts.SUMMARY_HINT)
    buttons = [
        [Button(texts.SUBMIT_BUTTON, callback(state, Action.SUBMIT))],
        [Button(texts.EDITS_BUTTON, callback(state, Action.EDITS))],
        [Button(texts.CANCEL_BUTTON, callback(state, Action.CANCEL))],
    ]
    return Reply("\n".join(lines), buttons=buttons)


def edit_menu(dialog: Dialog, state: DialogState) -> Reply:
    """One button per answer in the summary, then 返回核对; replaces the summary message."""
    rows = [
        [Button(step.label, callback(state, Action.EDIT, step.key))]
        for step in reviewable_steps(dialog, state)
    ]
    rows.append([Button(texts.BACK_TO_SUMMARY_BUTTON, callback(state, Action.SUMMARY))])
    return Reply(texts.EDIT_MENU_QUESTION, buttons=rows, edit=True)


def reviewable_steps(dialog: Dialog, state: DialogState) -> list[Step]:
    """The answered steps that apply and are shown in the summary, in dialog order."""
    return [
        step
        for step in dialog.steps
        if kind_of(step).in_summary
        and step.key in state.answers
        and applicable(step, state.answers)
    ]


# --- cancelling -------------------------------------------------------------------------------


def confirm_cancel(dialog: Dialog, state: DialogState, problem: str | None = None) -> Reply:
    """确定要取消…？ with 确认取消 and 继续填写."""
    question = texts.CONFIRM_CANCEL_QUESTION.format(title=html.escape(dialog.title))
    text = f"{html.escape(problem)}\n{question}" if problem else question
    buttons = [
        [
            Button(texts.CONFIRM_CANCEL_YES, callback(state, Action.CANCEL_YES)),
            Button(texts.CONFIRM_CANCEL_NO, callback(state, Action.CANCEL_NO)),
        ]
    ]
    return Reply(text, buttons=buttons)
