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
from dialogs.kinds import Context, Keys, format_value, keys_for, kind_of
from dialogs.spec import Dialog, Step, applicable
from dialogs.state import Action, DialogState, Phase


def callback(state: DialogState, action: Action, arg: str | None = None) -> str:
    """The data of a button acting on this draft."""
    return f"d:{state.draft_id}:{action}" + ("" if arg is None else f":{arg}")


def prompt(
    dialog: Dialog, state: DialogState, context: Context, problem: str | None = None
) -> Reply:
    """What the state waits for: the current question, the summary or the cancel question;
    `problem` explains a rejected answer."""
    if state.phase == Phase.SUMMARY:
        return summary(dialog, state, problem)
    if state.phase == Phase.CONFIRM_CANCEL:
        return confirm_cancel(dialog, state, problem)
    return question(dialog, state, context, problem)


# --- a question -------------------------------------------------------------------------------


def question(
    dialog: Dialog, state: DialogState, context: Context, problem: str | None = None
) -> Reply:
    """The current step's question with its keys: the problem first, the answer so far, tips."""
    step = current_step(dialog, state)
    lines = _problem_lines(step, problem) if problem else []
    lines.append(texts.STEP_HEADING.format(title=html.escape(dialog.title), number=_number(state)))
    lines.append(html.escape(step.prompt))
    if state.answers.get(step.key) is not None:
        value = format_value(step, state.answers[step.key])
        lines.append(texts.ALREADY_FILLED.format(value=html.escape(value)))
    lines.append(_tips(state, step))
    reply = Reply("\n".join(lines))
    _attach(reply, keys_for(step, context), state, step)
    return reply


def current_step(dialog: Dialog, state: DialogState) -> Step:
    if state.step is None:
        raise KeyError(None)
    return dialog.step(state.step)


def _number(state: DialogState) -> int:
    """The step's number as the user counts: the steps answered before it, plus one."""
    return len(state.history) + 1


def _problem_lines(step: Step, problem: str) -> list[str]:
    lines = [texts.PROBLEM.format(problem=html.escape(problem))]
    if step.example:
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
    for step in reviewable_steps(dialog, state):
        value = format_value(step, state.answers[step.key])
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
