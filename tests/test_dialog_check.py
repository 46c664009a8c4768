"""`bot.py check` on dialog YAML: each mistake reported with its file and line."""

from __future__ import annotations

import pytest

from common.yamlfile import DataError
from dialogs.engine import DialogEngine, Event
from dialogs.spec import load_catalog


def test_unknown_kinds_blocks_and_forward_conditions_are_reported_with_lines(dialog_data):
    report = dialog_data / "report.yaml"
    text = report.read_text("utf-8")
    text = text.replace("  - block: status\n", "  - block: statuses\n")
    text = text.replace("    kind: longtext\n", "    kind: essay\n")
    text = text.replace(
        "  - block: location\n",
        "  - key: early\n    label: 早\n    kind: yesno\n    prompt: 早？\n"
        "    when: {phone: {equals: x}}\n  - block: location\n",
    )
    report.write_text(text, "utf-8")
    with pytest.raises(DataError) as caught:
        load_catalog(dialog_data)
    problems = [str(p) for p in caught.value.problems]
    joined = "\n".join(problems)
    assert "未知的步骤块：statuses" in joined
    assert "类型未知：essay" in joined
    assert "引用了未出现在它之前的步骤：phone" in joined
    assert all(
        p.split(":")[0].endswith("report.yaml") and int(p.split(":")[1]) > 0 for p in problems
    )


def test_triage_rules_with_unknown_conditions_are_reported(dialog_data):
    triage = dialog_data / "triage.yaml"
    triage.write_text(
        triage.read_text("utf-8").replace("has_causes: true", "has_cows: true"), "utf-8"
    )
    with pytest.raises(DataError) as caught:
        load_catalog(dialog_data)
    assert "has_cows" in str(caught.value)


def test_villages_listed_for_a_township_are_offered_and_typed_names_fuzzy_matched(dialog_data):
    places = dialog_data / "places.yaml"
    places.write_text(
        places.read_text("utf-8").replace(
            "{name: 水阳镇, villages: []}", "{name: 水阳镇, villages: [金宝圩村, 新河村]}"
        ),
        "utf-8",
    )
    engine = DialogEngine(load_catalog(dialog_data))
    state = engine.start("report").state
    state = engine.handle(state, Event(text="同意")).state
    turn = engine.handle(state, Event(text="水阳"))
    assert turn.replies[0].keyboard == [["金宝圩村", "新河村"]]
    turn = engine.handle(turn.state, Event(text="金宝圩"))
    assert turn.state.answers["village"] == "金宝圩村"


def test_worded_answers_and_copies_of_earlier_answers_are_checked(dialog_data):
    blocks = dialog_data / "blocks.yaml"
    text = blocks.read_text("utf-8")
    text = text.replace(
        "      answers: {false: 都参加了, true: 有人没参加}\n", "      answers: [都参加了]\n"
    )
    text = text.replace(
        "      example: 某某村 或 某某社区\n",
        "      example: 某某村 或 某某社区\n      yes_means: false\n      same_as: {key: phone}\n",
    )
    blocks.write_text(text, "utf-8")
    visit = dialog_data / "visit.yaml"
    visit.write_text(
        visit.read_text("utf-8").replace("same_as: {key: head_name,", "same_as: {key: visit_note,"),
        "utf-8",
    )
    with pytest.raises(DataError) as caught:
        load_catalog(dialog_data)
    joined = "\n".join(str(p) for p in caught.value.problems)
    assert "answers 只用于 yesno" in joined
    assert "yes_means 需要 answers" in joined
    assert "same_as 需要 key 和 button" in joined
    assert "same_as 引用了未出现在它之前的步骤：visit_note" in joined


def test_every_block_needs_the_heading_staff_see_its_answers_under(dialog_data):
    blocks = dialog_data / "blocks.yaml"
    text = blocks.read_text("utf-8")
    text = text.replace("  income: 收入\n", "")
    text = text.replace("  contact: 联系方式\n", "  contacts: 联系\n")
    blocks.write_text(text, "utf-8")
    with pytest.raises(DataError) as caught:
        load_catalog(dialog_data)
    joined = "\n".join(str(p) for p in caught.value.problems)
    assert "块 income 在 headings 中没有标题" in joined
    assert "headings 中的块不存在：contacts" in joined
