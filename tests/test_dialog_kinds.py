"""The table of step kinds, and the codes already on buttons in users' chats."""

from __future__ import annotations

import pytest

from dialogs import kinds, spec
from dialogs.engine import DialogEngine, Event, format_value
from dialogs.state import Action, Command
from dialogs.validators import Invalid

CATALOG = spec.load_catalog()


def test_spec_knows_exactly_the_kinds_of_the_table():
    assert set(kinds.TABLE) == spec.KINDS
    assert {"single", "multi"} == spec.CHOICE_KINDS


def test_every_kind_in_the_yaml_has_a_row():
    used = {step.kind for dialog in CATALOG.dialogs.values() for step in dialog.steps}
    assert used <= set(kinds.TABLE)


def test_button_codes_keep_the_strings_already_sent():
    # Buttons in old messages and stored drafts carry these; changing one breaks them.
    assert {a.name: a.value for a in Action} == {
        "TOGGLE": "t",
        "DONE": "done",
        "SUBMIT": "submit",
        "EDITS": "edits",
        "EDIT": "e",
        "SUMMARY": "sum",
        "CANCEL": "cancel",
        "CANCEL_YES": "cy",
        "CANCEL_NO": "cn",
    }
    assert {c.value for c in Command} == {"back", "skip", "cancel"}


def test_a_summary_button_carries_the_draft_and_the_code():
    engine = DialogEngine(CATALOG)
    state = engine.start("report").state
    reply = engine.handle(state, Event(command="cancel")).replies[0]
    assert [b.data for row in reply.buttons for b in row] == [
        f"d:{state.draft_id}:cy",
        f"d:{state.draft_id}:cn",
    ]


def _step(kind: str, **fields):
    return spec.Step(key="k", label=fields.pop("label", "项目"), kind=kind, prompt="?", **fields)


@pytest.mark.parametrize(
    ("step", "value", "shown"),
    [
        (_step("money"), 32000, "32,000 元"),
        (_step("money", label="年收入（元）"), 32000, "32,000"),
        (_step("integer"), 4, "4"),
        (_step("yesno"), True, "是"),
        (_step("multi", choices=("因病",)), ["因病", "因学"], "因病、因学"),
        (_step("multi", choices=("因病",)), [], "（无）"),
        (_step("text"), None, "（未填）"),
    ],
)
def test_format_value(step, value, shown):
    assert format_value(step, value) == shown


def test_bounded_kinds_check_and_explain_their_range():
    step = _step("money", label="年收入", min=0, max=100000)
    context = kinds.Context(CATALOG, {})
    with pytest.raises(Invalid, match="超出了合理范围") as exc:
        kinds.parse_answer(step, "20万", context)
    assert kinds.explain(step, str(exc.value)).endswith("年收入应在 0 到 10 万元之间")


def test_village_keys_follow_the_township():
    places = spec.Catalog({}, (spec.Township("水阳镇", ("红星村", "东风村")),), CATALOG.triage)
    step = _step("village")
    listed = kinds.keys_for(step, kinds.Context(places, {"township": "水阳镇"}))
    assert listed == kinds.Keys(rows=[["红星村", "东风村"]])
    assert kinds.keys_for(step, kinds.Context(places, {"township": "其他"})) == kinds.Keys()
    assert (
        kinds.parse_answer(step, "红星", kinds.Context(places, {"township": "水阳镇"})) == "红星村"
    )
