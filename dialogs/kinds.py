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

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from common.text import clean_text, normalize
from dialogs import texts, validators
from dialogs.validators import Estimate, Invalid

if TYPE_CHECKING:
    from dialogs.spec import Catalog, Step


@dataclass(frozen=True)
class Context:
    """What a parser or keyboard may look at besides its step: the places, the answers so far."""

    catalog: Catalog
    answers: Mapping[str, Any]
    recorded_villages: tuple[str, ...] = ()  # villages already in submissions of the township


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
    unknown_allowed: bool = False  # 不知道 is an answer (None, shown 不清楚), even when required


# --- parsers ----------------------------------------------------------------------------------


def _consent(step: Step, raw: str, context: Context) -> bool:
    return validators.parse_consent(raw)


def _yes_no(step: Step, raw: str, context: Context) -> bool | None:
    if step.labels:
        return validators.parse_worded_yes_no(raw, step.labels, step.yes_means)
    return validators.parse_yes_no(raw)


def _integer(step: Step, raw: str, context: Context) -> int:
    return validators.parse_integer(raw)


def _money(step: Step, raw: str, context: Context) -> int | Estimate | None:
    return validators.parse_money(raw)


def _phone(step: Step, raw: str, context: Context) -> str:
    return validators.parse_phone(raw)


def _text(step: Step, raw: str, context: Context) -> str:
    """Free text; the `same_as` key (联系人就是户主) copies the earlier answer it names."""
    copied = context.answers.get(step.same_as) if step.same_as else None
    if copied is not None and clean_text(raw) == clean_text(step.same_as_button or ""):
        return str(copied)
    return validators.parse_text(raw, max_length=step.max_length)


def _single(step: Step, raw: str, context: Context) -> str:
    return validators.match_choice(raw, step.choices, step.none_choice)


def _multi(step: Step, raw: str, context: Context) -> list[str]:
    """Several choices typed in one message; the none-choice (暂无明显困难) only on its own."""
    try:
        picked = validators.match_choices(raw, step.choices, step.none_choice)
    except Invalid as exc:
        example = exc.suggestion or step.example or step.choices[0]
        raise Invalid(texts.TICK_OR_TYPE.format(reason=exc, example=example)) from exc
    if step.none_choice in picked and len(picked) > 1:
        raise Invalid(texts.NONE_CHOICE_ALONE.format(choice=step.none_choice))
    return picked


def _township(step: Step, raw: str, context: Context) -> str:
    return validators.match_choice(raw, _townships(context))


def _village(step: Step, raw: str, context: Context) -> str:
    """A village listed or already recorded in the township (金宝圩 is 金宝圩村), or a new
    name as typed; a name close to a known one asks 您是说…吗？ first."""
    kept = _kept_as_typed(raw)
    if kept is not None:
        return validators.parse_text(kept, min_length=2, max_length=step.max_length)
    villages = _villages(context)
    same = {village_core(v): v for v in villages}.get(village_core(raw))
    if same is not None:
        return same
    name = validators.parse_text(raw, min_length=2, max_length=step.max_length)
    near = validators.closest(village_core(raw), [village_core(v) for v in villages], 70)
    if near is not None:
        suggestion = next(v for v in villages if village_core(v) == near)
        raise Invalid(texts.NOT_RECORDED_VILLAGE.format(name=name), suggestion, keep=name)
    return name


_VILLAGE_SUFFIX = re.compile(r"(村民委员会|居民委员会|村委会|居委会|社区|村)$")


def village_core(name: str) -> str:
    """The name without 村 / 社区 / 居委会: 金宝圩 and 金宝圩村 are one place."""
    return _VILLAGE_SUFFIX.sub("", normalize(name).replace(" ", ""))


def _kept_as_typed(raw: str) -> str | None:
    """The name in a tapped 不是，就填：<name> key, or None."""
    prefix = clean_text(texts.KEEP_TYPED.format(name=""))
    if not clean_text(raw).startswith(prefix):
        return None
    return clean_text(raw, fold=False)[len(prefix) :]


def _townships(context: Context) -> list[str]:
    return [*context.catalog.township_names(), texts.OTHER_CHOICE]


def _villages(context: Context) -> tuple[str, ...]:
    """The villages listed in places.yaml for the township, then those already recorded."""
    listed = context.catalog.villages_of(context.answers.get("township"))
    known = {village_core(v) for v in listed}
    recorded = [v for v in context.recorded_villages if village_core(v) not in known]
    return (*listed, *dict.fromkeys(recorded))


# --- keys -------------------------------------------------------------------------------------


def _rows(labels: Sequence[str], per_row: int) -> list[list[str]]:
    labels = list(labels)
    return [labels[i : i + per_row] for i in range(0, len(labels), per_row)]


def _no_keys(step: Step, context: Context) -> Keys:
    return Keys()


def _agree_keys(step: Step, context: Context) -> Keys:
    return Keys(rows=[[texts.AGREE, texts.DISAGREE]])


def _yes_no_keys(step: Step, context: Context) -> Keys:
    if step.labels:  # the answers in words: the two on one row, a neutral one below
        labels = [label for _, label in step.labels]
        return Keys(rows=[labels[:2], *_rows(labels[2:], 1)])
    return Keys(rows=[[texts.YES, texts.NO]])


def _text_keys(step: Step, context: Context) -> Keys:
    if step.same_as_button and context.answers.get(step.same_as or "") is not None:
        return Keys(rows=[[step.same_as_button]])
    return Keys()


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
    # Only where the sender's own number is asked: a cadre's is not the household's.
    return Keys(contact=texts.CONTACT_BUTTON) if step.own_phone else Keys()


# --- formatters -------------------------------------------------------------------------------


def _amount(step: Step, value: Any) -> str:
    """32,000 元; only the number when the label already names the unit (年收入（元）)."""
    amount = f"{value:,}"
    return amount if texts.YUAN in step.label else texts.AMOUNT_IN_YUAN.format(amount=amount)


def bound(value: float) -> str:
    """A bound as people read it: 0, 30, 5,000, 500 万 (never 5e+06)."""
    if value >= 10000 and value % 10000 == 0:
        return texts.TEN_THOUSANDS.format(count=f"{value / 10000:g}")
    return f"{int(value):,}" if value == int(value) else f"{value:,}"


# --- the table --------------------------------------------------------------------------------

TABLE: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind("consent", _consent, _agree_keys, refusal_ends_dialog=True, in_summary=False),
        Kind("yesno", _yes_no, _yes_no_keys),
        Kind("integer", _integer, _no_keys, bounded=True),
        Kind(
            "money",
            _money,
            _no_keys,
            format=_amount,
            bounded=True,
            unit=texts.YUAN,
            unknown_allowed=True,
        ),
        Kind("single", _single, _choice_keys, needs_choices=True),
        Kind("multi", _multi, _toggle_keys, needs_choices=True, ticked=True),
        Kind("phone", _phone, _contact_keys, shared_contact=True),
        Kind("text", _text, _text_keys),
        Kind("longtext", _text, _no_keys),
        Kind("township", _township, _township_keys),
        Kind("village", _village, _village_keys),
    )
}


def kind_of(step: Step) -> Kind:
    return TABLE[step.kind]


# --- what the engine and the renderer ask -----------------------------------------------------


def parse_answer(step: Step, raw: str, context: Context) -> Any:
    """The step's value from what the user typed, within its bounds; or raises `Invalid`.
    An amount said roughly comes back as an `Estimate` (its number is checked)."""
    kind = kind_of(step)
    value = kind.parse(step, raw, context)
    number = value.amount if isinstance(value, Estimate) else value
    if kind.bounded and number is not None:
        _check_bounds(step, number)
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
            reason=reason,
            label=step.label,
            min=bound(step.min),
            max=bound(step.max),
            unit=kind.unit,
        )
    return reason


def keys_for(step: Step, context: Context) -> Keys:
    return kind_of(step).keys(step, context)


APPROXIMATE_KEY = "_approximate"  # in submitted answers: the keys of amounts said roughly


def format_answer(step: Step, answers: Mapping[str, Any]) -> str:
    """The answer to `step` as `format_value` reads it, 约 80,000 元 when said roughly."""
    value = format_value(step, answers.get(step.key))
    if step.key in (answers.get(APPROXIMATE_KEY) or ()) and answers.get(step.key) is not None:
        return texts.APPROXIMATE.format(value=value)
    return value


def format_value(step: Step, value: Any) -> str:
    """How an answer reads back: 32,000 元, 是 (or the answer in words), 因病、因学, （未填）
    for a skipped step, 不清楚 for an amount not known."""
    worded = dict(step.labels)
    if (value is None or isinstance(value, bool)) and value in worded:
        return worded[value]
    kind = TABLE.get(step.kind)
    if value is None:
        return texts.UNKNOWN if kind is not None and kind.unknown_allowed else texts.UNFILLED
    if isinstance(value, bool):  # yesno and consent
        return texts.YES if value else texts.NO
    if isinstance(value, list):  # multi
        return texts.LIST_SEPARATOR.join(value) or texts.NOTHING_PICKED
    return kind.format(step, value) if kind is not None else str(value)
