"""Scripted answers for whole dialogs, shared by the engine, console and Telegram tests.

An item is typed text, or a tuple: ("tap", choice) ticks a multi-choice option, ("done",)
finishes a multi choice, ("submit",) confirms the summary, ("cmd", "back") sends a command.
"""

from __future__ import annotations

from dialogs.engine import DialogEngine, DialogState, Event, Result, Turn

REPORT = [
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
    "否",
    "否",
    "是",
    "否",
    "都不是",
    ("cmd", "skip"),
    "张三",
    "13812345678",
    "上午",
]

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
    "contact_name": "张三",
    "phone": "13812345678",
    "call_time": "上午",
}

# A household already monitored, marked 风险消除 and unstable, with data to correct.
VISIT = [
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
    "否",
    "否",
    "否",
    "是",
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
    "李四",
    "0563-2701280",
    ("cmd", "skip"),
]


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
