"""Scripted answers for whole dialogs, shared by the engine, console and Telegram tests.

An item is typed text, or a tuple: ("tap", choice) ticks a multi-choice option, ("done",)
finishes a multi choice, ("submit",) confirms the summary, ("cmd", "back") sends a command.

A test that needs a user midway through a dialog names the step they have reached instead of
counting answers: `REPORT.until("phone")` is everything a resident answers before being asked
for the phone number, `REPORT.from_step("phone")` the rest, and `run_until(engine, REPORT,
"phone")` drives the engine there. "summary" names the summary at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from dialogs.engine import DialogEngine, DialogState, Event, Result, Turn
from dialogs.spec import load_catalog

SUMMARY = "summary"


class Script(list):
    """The scripted answers of one dialog, in order, that know which step each one answers."""

    def __init__(self, dialog: str, items):
        super().__init__(items)
        self.dialog = dialog

    def until(self, key: str) -> list:
        """The answers given before the dialog asks the step `key` (or shows the summary)."""
        return self[: _index_of(self, key)]

    def from_step(self, key: str) -> list:
        """The answers from the step `key` on, to the end of the script."""
        return self[_index_of(self, key) :]

    def between(self, first: str, key: str) -> list:
        """The answers from the step `first` up to (not including) the step `key`."""
        return self[_index_of(self, first) : _index_of(self, key)]


REPORT = Script(
    "report",
    [
        "同意",
        "水阳镇",
        "红星村",
        "四口人",
        "三万二",
        "8千",
        ("cmd", "skip"),
        "没有",
        ("tap", "因病"),
        ("tap", "缺劳动力"),
        ("done",),
        "都在上学",
        "都参加了",
        "有安全隐患",
        "吃水没问题",
        "都不是",
        ("cmd", "skip"),
        "本户自己报",
        "张三",
        "13812345678",
        "上午",
    ],
)

REPORT_ANSWERS = {
    "consent": True,
    "township": "水阳镇",
    "village": "红星村",
    "household_size": 4,
    "annual_income": 32000,
    "medical_expense": 8000,
    "education_expense": None,
    "other_expense": 0,
    "causes": ["因病", "缺劳动力"],
    "child_out_of_school": False,
    "no_medical_insurance": False,
    "unsafe_housing": True,
    "unsafe_water": False,
    "current_status": "都不是",
    "description": None,
    "reporter": "本户自己报",
    "contact_name": "张三",
    "phone": "13812345678",
    "call_time": "上午",
}

# A household already monitored, marked 风险消除 and unstable, with data to correct.
VISIT = Script(
    "visit",
    [
        "同意",
        "李四",
        "狸桥镇",
        "东风村",
        "3",
        "1.8万",
        "2万",
        "没有",
        "没有",
        ("tap", "因病"),
        ("done",),
        "都在上学",
        "都参加了",
        "住房安全",
        "吃水有困难",
        "已是监测对象",
        "已落实，效果不明显",
        "需要加强就业帮扶",
        "是",
        "不稳定，有返贫风险",
        ("tap", "季节性缺水"),
        ("done",),
        "需要更正",
        ("tap", "收入支出"),
        ("done",),
        "2024年务工收入未录入",
        "否",
        "否",
        "联系人就是户主",
        "0563-1234567",
        ("cmd", "skip"),
    ],
)

# What the VISIT script records.
VISIT_ANSWERS = {
    "consent": True,
    "head_name": "李四",
    "township": "狸桥镇",
    "village": "东风村",
    "household_size": 3,
    "annual_income": 18000,
    "medical_expense": 20000,
    "education_expense": 0,
    "other_expense": 0,
    "causes": ["因病"],
    "child_out_of_school": False,
    "no_medical_insurance": False,
    "unsafe_housing": False,
    "unsafe_water": True,
    "current_status": "已是监测对象",
    "assistance_effect": "已落实，效果不明显",
    "assistance_note": "需要加强就业帮扶",
    "risk_eliminated": True,
    "risk_stable": "不稳定，有返贫风险",
    "major_risks": ["季节性缺水"],
    "data_quality": "需要更正",
    "data_corrections": ["收入支出"],
    "data_correction_note": "2024年务工收入未录入",
    "new_dibao_or_tekun": False,
    "no_labor": False,
    "contact_name": "李四",
    "phone": "0563-1234567",
    "visit_note": None,
}


def event_for(engine: DialogEngine, state: DialogState, item) -> Event:
    if isinstance(item, str):
        return Event(text=item)
    kind = item[0]
    if kind == "cmd":
        return Event(command=item[1])
    if kind == "tap":
        assert state.step is not None, "a tap needs a current step"
        step = engine.dialog_of(state).step(state.step)
        return Event(action="t", arg=f"{step.key}:{step.choices.index(item[1])}")
    if kind == "done":
        return Event(action="done", arg=state.step)
    if kind == "submit":
        return Event(action="submit")
    raise ValueError(item)


def run(engine: DialogEngine, state: DialogState, items) -> Turn:
    turn: Turn | None = None
    for item in items:
        turn = engine.handle(state, event_for(engine, state, item))
        assert turn.result is not Result.INVALID, f"{item!r} rejected: {turn.replies[0].text}"
        state = turn.state
    assert turn is not None, "no items to run"
    return turn


def reached(state: DialogState, key: str) -> bool:
    """Whether the dialog is asking the step `key` (or, for "summary", shows the summary)."""
    if key == SUMMARY:
        return state.phase == SUMMARY
    return state.phase != SUMMARY and state.step == key


def _turns(engine: DialogEngine, script: Script) -> Iterator[tuple[int, Turn]]:
    """(answers given so far, turn) from the start of the dialog to the end of the script."""
    turn = engine.start(script.dialog)
    yield 0, turn
    for given, item in enumerate(script, start=1):
        turn = engine.handle(turn.state, event_for(engine, turn.state, item))
        assert turn.result is not Result.INVALID, f"{item!r} rejected: {turn.replies[0].text}"
        yield given, turn


def run_until(engine: DialogEngine, script: Script, key: str) -> Turn:
    """Start the script's dialog and answer from the script until the dialog asks `key`."""
    steps = []
    for _given, turn in _turns(engine, script):
        if reached(turn.state, key):
            return turn
        steps.append(turn.state.step)
    raise AssertionError(f"the {script.dialog} script never reaches {key!r}; it asks {steps}")


@cache
def _engine() -> DialogEngine:
    return DialogEngine(load_catalog())


@cache
def _positions(dialog: str, items: tuple) -> dict[str, int]:
    """Step key → how many answers of the script come before the dialog first asks it."""
    positions: dict[str, int] = {}
    for given, turn in _turns(_engine(), Script(dialog, items)):
        key = SUMMARY if turn.state.phase == SUMMARY else turn.state.step
        if key is not None:
            positions.setdefault(key, given)
    return positions


def _index_of(script: Script, key: str) -> int:
    positions = _positions(script.dialog, tuple(script))
    if key not in positions:
        raise AssertionError(
            f"the {script.dialog} script never reaches {key!r}; it asks {list(positions)}"
        )
    return positions[key]
