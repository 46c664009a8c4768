"""The kinds of step (`kind:` in the YAML), each in one row of `TABLE`.

A `Kind` says how an answer of that kind is parsed from what the user typed, which keys sit under
its question and how a value reads back in the summary, exports and staff views; the flags say
what the engine and `dialogs.spec` must treat specially (choices required, bounds checked, ticked
with buttons …). `dialogs.spec.KINDS` is derived from this table, so a new kind is one new row
here (and its parser in `dialogs.validators`).

This module knows nothing of the dialog state or of callback data: a keyboard is described by
`Keys`, and `dialogs.render` turns that into buttons. It imports `dialogs.spec` for type hints
only, since spec imports this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dialogs import texts, validators
from dialogs.validators import Invalid

if TYPE_CHECKING:
    from dialogs.spec import Catalog, Step


@dataclass(frozen=True)
class Context:
    """What a parser or keyboard may look at besides its step: the places, the answers so far."""

    catalog: Catalog
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Keys:
    """What sits under a question. Nothing set: the reply keyboard is removed."""

    rows: list[list[str]] | None = None  # a reply keyboard: tapping one sends its text
    toggles: bool = False  # inline buttons ticking the step's choices, and 完成
    contact: str | None = None  # a key sharing the user's phone number, with this label


Parser = Callable[["Step", str, Context], Any]
KeyBuilder = Callable[["Step", Context], Keys]
Formatter = Callable[["Step", Any], str]


def _as_text(step: Step, value: Any) -> str:
    return str(value)


@dataclass(frozen=True)
class Kind:
    name: str
    parse: Parser  # raw text → value, or raises `Invalid`
    keys: KeyBuilder
    format: Formatter = _as_text  # a value other than None, a bool or a list → text
    needs_choices: bool = False  # the step must declare `choices`
    bounded: bool = False  # numbers checked against the step's `min` and `max`
    unit: str = ""  # after the bounds in the range hint
    ticked: bool = False  # answered by ticking buttons (or typing several choices)
    shared_contact: bool = False  # a contact shared with one tap answers it
    refusal_ends_dialog: bool = False  # answering "no" ends the dialog, storing nothing
    in_summary: bool = True  # shown (and editable) in the summary


# --- parsers ----------------------------------------------------------------------------------


def _consent(step: Step, raw: str, context: Context) -> bool:
    return validators.parse_consent(raw)


def _yes_no(step: Step, raw: str, context: Context) -> bool:
    return validators.parse_yes_no(raw)


def _integer(step: Step, raw: str, context: Context) -> int:
    return validators.parse_integer(raw)


def _money(step: Step, raw: str, context: Context) -> int:
    return validators.parse_money(raw)


def _phone(step: Step, raw: str, context: Context) -> str:
    return validators.parse_phone(raw)


def _text(step: Step, raw: str, context: Context) -> str:
    return validators.parse_text(raw, max_length=step.max_length)


def _single(step: Step, raw: str, context: Context) -> str:
    return validators.match_choice(raw, step.choices)


def _multi(step: Step, raw: str, context: Context) -> list[str]:
    """Several choices typed in one message; the none-choice (暂无明显困难) only on its own."""
    try:
        picked = validators.match_choices(raw, step.choices)
    except Invalid as exc:
        example = step.example or step.choices[0]
        raise Invalid(texts.TICK_OR_TYPE.format(reason=exc, example=example)) from exc
    if step.none_choice in picked and len(picked) > 1:
        raise Invalid(texts.NONE_CHOICE_ALONE.format(choice=step.none_choice))
    return picked


def _township(step: Step, raw: str, context: Context) -> str:
    return validators.match_choice(raw, _townships(context))


def _village(step: Step, raw: str, context: Context) -> str:
    """A village of the chosen township's list, or (not in the list) the name as typed."""
    villages = _villages(context)
    if villages:
        try:
            return validators.match_choice(raw, villages)
        except Invalid:
            pass
    return validators.parse_text(raw, min_length=2, max_length=step.max_length)


def _townships(context: Context) -> list[str]:
    return [*context.catalog.township_names(), texts.OTHER_CHOICE]


def _villages(context: Context) -> tuple[str, ...]:
    return context.catalog.villages_of(context.answers.get("township"))


# --- keys -------------------------------------------------------------------------------------


def _rows(labels: Sequence[str], per_row: int) -> list[list[str]]:
    labels = list(labels)
    return [labels[i : i + per_row] for i in range(0, len(labels), per_row)]


def _no_keys(step: Step, context: Context) -> Keys:
    return Keys()


def _agree_keys(step: Step, context: Context) -> Keys:
    return Keys(rows=[[texts.AGREE, texts.DISAGREE]])


def _yes_no_keys(step: Step, context: Context) -> Keys:
    return Keys(rows=[[texts.YES, texts.NO]])


def _choice_keys(step: Step, context: Context) -> Keys:
    return Keys(rows=_rows(step.choices, 2))


def _toggle_keys(step: Step, context: Context) -> Keys:
    return Keys(toggles=True)


def _township_keys(step: Step, context: Context) -> Keys:
    return Keys(rows=_rows(_townships(context), 3))


def _village_keys(step: Step, context: Context) -> Keys:
    villages = _villages(context)
    return Keys(rows=_rows(villages, 3)) if villages else Keys()


def _contact_keys(step: Step, context: Context) -> Keys:
    return Keys(contact=texts.CONTACT_BUTTON)


# --- formatters -------------------------------------------------------------------------------


def _amount(step: Step, value: Any) -> str:
    """32,000 元; only the number when the label already names the unit (年收入（元）)."""
    amount = f"{value:,}"
    return amount if texts.YUAN in step.label else texts.AMOUNT_IN_YUAN.format(amount=amount)


# --- the table --------------------------------------------------------------------------------

TABLE: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("consent", _consent, _agree_keys, refusal_ends_dialog=True, in_summary=False),
        Kind("yesno", _yes_no, _yes_no_keys),
        Kind("integer", _integer, _no_keys, bounded=True),
        Kind("money", _money, _no_keys, format=_amount, bounded=True, unit=texts.YUAN),
        Kind("single", _single, _choice_keys, needs_choices=True),
        Kind("multi", _multi, _toggle_keys, needs_choices=True, ticked=True),
        Kind("phone", _phone, _contact_keys, shared_contact=True),
        Kind("text", _text, _no_keys),
        Kind("longtext", _text, _no_keys),
        Kind("township", _township, _township_keys),
        Kind("village", _village, _village_keys),
    )
}


def kind_of(step: Step) -> Kind:
    return TABLE[step.kind]


# --- what the engine and the renderer ask -----------------------------------------------------


def parse_answer(step: Step, raw: str, context: Context) -> Any:
    """The step's value from what the user typed, within its bounds; or raises `Invalid`."""
    kind = kind_of(step)
    value = kind.parse(step, raw, context)
    if kind.bounded:
        _check_bounds(step, value)
    return value


def _check_bounds(step: Step, value: float) -> None:
    if step.min is not None and value < step.min:
        raise Invalid(texts.TOO_SMALL.format(value=format_value(step, value)))
    if step.max is not None and value > step.max:
        raise Invalid(texts.TOO_LARGE.format(value=format_value(step, value)))


def explain(step: Step, reason: str) -> str:
    """Why an answer was refused, with the expected range where the step has one."""
    kind = kind_of(step)
    if kind.bounded and step.min is not None and step.max is not None:
        return texts.IN_RANGE.format(
            reason=reason, label=step.label, min=step.min, max=step.max, unit=kind.unit
        )
    return reason


def keys_for(step: Step, context: Context) -> Keys:
    return kind_of(step).keys(step, context)


def format_value(step: Step, value: Any) -> str:
    """How an answer reads back: 32,000 元, 是, 因病、因学, （未填） for a skipped step."""
    if value is None:
        return texts.UNFILLED
    if isinstance(value, bool):  # yesno and consent
        return texts.YES if value else texts.NO
    if isinstance(value, list):  # multi
        return texts.LIST_SEPARATOR.join(value) or texts.NOTHING_PICKED
    kind = TABLE.get(step.kind)
    return kind.format(step, value) if kind is not None else str(value)
