"""The dialog engine alone: whole dialogs, conditions, back/skip/cancel, editing from the
summary."""

from __future__ import annotations

import pytest

from dialogs.engine import DialogEngine, Event, Result
from dialogs.spec import load_catalog
from dialogs.state import DialogState
from tests.dialog_script import (
    REPORT,
    REPORT_ANSWERS,
    VISIT,
    VISIT_ANSWERS,
    event_for,
    run,
    run_until,
)


@pytest.fixture(scope="module")
def engine() -> DialogEngine:
    return DialogEngine(load_catalog())


def test_a_resident_completes_the_self_report_and_confirms(engine):
    state = engine.start("report").state
    turn = run(engine, state, REPORT)
    assert turn.state.phase == "summary"
    summary = turn.replies[0]
    assert (
        "请核对" in summary.text and "32,000" in summary.text and "因病、缺劳动力" in summary.text
    )
    assert [b.label for row in summary.buttons for b in row] == [
        "✅ 确认提交",
        "✏️ 修改某项",
        "❌ 取消",
    ]
    done = engine.handle(turn.state, Event(action="submit"))
    assert done.result is Result.SUBMIT
    assert engine.final_answers(done.state) == REPORT_ANSWERS


def test_a_cadre_records_a_monitored_household_with_the_four_screening_contents(engine):
    state = engine.start("visit").state
    turn = run(engine, state, VISIT)
    answers = engine.final_answers(turn.state)
    assert answers["assistance_effect"] == "已落实，效果不明显"
    assert answers["risk_stable"] == "不稳定，有返贫风险"
    assert answers["major_risks"] == ["季节性缺水"]
    assert answers["data_corrections"] == ["收入支出"]
    assert answers["phone"] == "0563-1234567"
    assert "call_time" not in answers  # the visit's contact block leaves it out
    assert answers == VISIT_ANSWERS


def test_steps_that_do_not_apply_are_skipped(engine):
    turn = run_until(engine, REPORT, "causes")
    turn = run(engine, turn.state, [("tap", "因病"), ("done",)])
    assert turn.state.step == "child_out_of_school", "no free-text cause unless 其他 is ticked"


def test_ticking_other_asks_for_the_cause_in_words(engine):
    state = run_until(engine, REPORT, "causes").state
    turn = run(engine, state, [("tap", "其他"), ("done",)])
    assert turn.state.step == "causes_other"


def test_the_none_choice_clears_the_others_and_the_others_clear_it(engine):
    state = run_until(engine, REPORT, "causes").state
    for item in [("tap", "因病"), ("tap", "暂无明显困难")]:
        state = engine.handle(state, event_for(engine, state, item)).state
    assert state.selection == ["暂无明显困难"]
    state = engine.handle(state, event_for(engine, state, ("tap", "因学"))).state
    assert state.selection == ["因学"]


def test_a_toggle_edits_the_question_in_place(engine):
    state = run_until(engine, REPORT, "causes").state
    turn = engine.handle(state, event_for(engine, state, ("tap", "因病")))
    (reply,) = turn.replies
    assert reply.edit
    assert "✅ 因病" in [b.label for row in reply.buttons for b in row]


def test_back_returns_to_the_previous_step_and_keeps_its_answer(engine):
    state = run_until(engine, REPORT, "medical_expense").state
    turn = engine.handle(state, Event(command="back"))
    assert turn.state.step == "annual_income"
    assert "已填：32,000" in turn.replies[0].text
    turn = engine.handle(turn.state, Event(text="4万"))
    assert turn.state.answers["annual_income"] == 40000 and turn.state.step == "medical_expense"


def test_back_at_the_first_step_says_so(engine):
    turn = engine.handle(engine.start("report").state, Event(command="back"))
    assert turn.result is Result.INVALID and "第一步" in turn.replies[0].text


def test_skip_only_skips_optional_steps(engine):
    state = run_until(engine, REPORT, "annual_income").state
    turn = engine.handle(state, Event(command="skip"))
    assert turn.result is Result.INVALID and "不能跳过" in turn.replies[0].text


def test_declining_consent_ends_the_dialog(engine):
    turn = engine.handle(engine.start("report").state, Event(text="不同意"))
    assert turn.result is Result.DECLINED


def test_cancel_asks_for_confirmation_then_discards(engine):
    state = run_until(engine, REPORT, "household_size").state
    asked = engine.handle(state, Event(command="cancel"))
    assert "确定要取消" in asked.replies[0].text
    kept = engine.handle(asked.state, Event(action="cn"))
    assert kept.result is Result.CONTINUE and kept.state.step == "household_size"
    asked = engine.handle(kept.state, Event(command="cancel"))
    gone = engine.handle(asked.state, Event(action="cy"))
    assert gone.result is Result.CANCELLED


def test_editing_one_answer_from_the_summary_comes_back_to_the_summary(engine):
    state = run(engine, engine.start("report").state, REPORT).state
    menu = engine.handle(state, Event(action="edits"))
    labels = [b.label for row in menu.replies[0].buttons for b in row]
    assert "家庭人口" in labels and "联系电话" in labels
    turn = engine.handle(menu.state, Event(action="e", arg="household_size"))
    assert turn.state.step == "household_size"
    turn = engine.handle(turn.state, Event(text="5"))
    assert turn.state.phase == "summary" and turn.state.answers["household_size"] == 5


def test_an_edit_that_makes_a_new_step_apply_asks_it_before_the_summary(engine):
    state = run(engine, engine.start("report").state, REPORT).state
    turn = engine.handle(state, Event(action="e", arg="causes"))
    turn = run(engine, turn.state, [("tap", "其他"), ("done",)])
    assert turn.state.step == "causes_other"
    turn = engine.handle(turn.state, Event(text="老人需要长期照护"))
    assert turn.state.phase == "summary"
    assert "老人需要长期照护" in turn.replies[0].text


def test_unticking_other_forgets_the_free_text_cause(engine):
    state = run_until(engine, REPORT, "causes").state
    state = run(engine, state, [("tap", "其他"), ("done",), "照护老人"]).state
    assert state.answers["causes_other"] == "照护老人"
    state = engine.handle(state, Event(command="back")).state  # back to causes_other
    state = engine.handle(state, Event(command="back")).state  # back to causes
    assert state.selection == ["其他"], "the earlier ticks come back"
    state = run(engine, state, [("tap", "其他"), ("tap", "因病"), ("done",)]).state
    assert state.answers["causes"] == ["因病"]
    assert "causes_other" not in state.answers


def test_after_cancel_is_asked_any_reprompt_repeats_the_cancel_question(engine):
    state = run_until(engine, REPORT, "no_medical_insurance").state  # a yes/no step
    asked = engine.handle(state, Event(command="cancel")).state
    again = engine.prompt(asked)
    assert "确定要取消" in again.text and again.keyboard is None
    summary = run(engine, engine.start("report").state, REPORT).state
    asked = engine.handle(summary, Event(action="cancel")).state
    assert "确定要取消" in engine.prompt(asked).text


def test_a_tap_on_an_older_multi_choice_message_does_not_tick_the_current_one(engine):
    state = run_until(engine, VISIT, "major_risks").state
    turn = engine.handle(state, Event(action="t", arg="causes:1"))
    assert turn.result is Result.INVALID and "之前的问题" in turn.replies[0].text
    assert turn.state.selection == []
    turn = engine.handle(state, Event(action="done", arg="causes"))
    assert turn.result is Result.INVALID


def test_changing_the_township_asks_for_the_village_again(engine):
    state = run(engine, engine.start("report").state, REPORT).state
    state = engine.handle(state, Event(action="e", arg="township")).state
    turn = engine.handle(state, Event(text="狸桥镇"))
    assert turn.state.step == "village" and "village" not in turn.state.answers
    turn = engine.handle(turn.state, Event(text="东风村"))
    assert turn.state.phase == "summary" and turn.state.answers["village"] == "东风村"


def test_a_prefilled_place_edited_to_other_asks_for_the_name(engine):
    prefill = {"township": "水阳镇", "village": "红星村"}
    state = engine.start("visit", prefill).state
    state = run(engine, state, ["同意", "王五", *VISIT.from_step("household_size")]).state
    assert state.phase == "summary"
    state = engine.handle(state, Event(action="e", arg="township")).state
    turn = engine.handle(state, Event(text="其他"))
    assert turn.state.step == "township_other"
    turn = run(engine, turn.state, ["外乡镇", "新村"])
    answers = engine.final_answers(turn.state)
    assert (answers["township"], answers["township_other"], answers["village"]) == (
        "其他",
        "外乡镇",
        "新村",
    )


# --- handle() leaves the state it is given as it was -----------------------------------------

# (name, where the resident is, what they send); the place is a prefix of the REPORT script,
# "summary" the whole script, "cancel?" the cancel question asked at household_size.
EVERY_KIND_OF_EVENT = [
    ("text answer", 3, Event(text="4")),
    ("invalid answer", 3, Event(text="好几个")),
    ("out-of-range answer", 3, Event(text="99")),
    ("declined consent", 0, Event(text="不同意")),
    ("shared phone", 18, Event(phone="13812345678")),
    ("stale button", 3, Event(action="t", arg="causes:0")),
    ("toggle", 8, ("tap", "因病")),
    ("untoggle", 9, ("tap", "因病")),
    ("done", 9, ("done",)),
    ("typed choices", 8, Event(text="因病，因学")),
    ("back", 5, Event(command="back")),
    ("back to a multi choice", 11, Event(command="back")),
    ("skip", 6, Event(command="skip")),
    ("refused skip", 3, Event(command="skip")),
    ("cancel", 3, Event(command="cancel")),
    ("cancel from the summary", "summary", Event(action="cancel")),
    ("confirm cancel", "cancel?", Event(action="cy")),
    ("keep filling in", "cancel?", Event(action="cn")),
    ("unclear cancel answer", "cancel?", Event(text="嗯？")),
    ("edit menu", "summary", Event(action="edits")),
    ("back to the summary", "summary", Event(action="sum")),
    ("summary edit", "summary", Event(action="e", arg="causes")),
    ("unknown summary edit", "summary", Event(action="e", arg="nosuch")),
    ("submit", "summary", Event(action="submit")),
    ("typed submit", "summary", Event(text="确认提交")),
    ("back from the summary", "summary", Event(command="back")),
]


def _state_at(engine, where):
    if where == "summary":
        return run(engine, engine.start("report").state, REPORT).state
    if where == "cancel?":
        state = run(engine, engine.start("report").state, REPORT[:3]).state
        return engine.handle(state, Event(command="cancel")).state
    state = engine.start("report").state
    return run(engine, state, REPORT[:where]).state if where else state


@pytest.mark.parametrize(
    ("where", "sent"), [pytest.param(w, s, id=name) for name, w, s in EVERY_KIND_OF_EVENT]
)
def test_handle_never_changes_the_state_it_is_given(engine, where, sent):
    state = _state_at(engine, where)
    before = state.to_json()
    event = sent if isinstance(sent, Event) else event_for(engine, state, sent)
    turn = engine.handle(state, event)
    assert state.to_json() == before
    assert turn.state is not state


def test_an_edit_that_clears_dependent_answers_leaves_the_old_state_whole(engine):
    summary = run(engine, engine.start("report").state, REPORT).state
    editing = engine.handle(summary, Event(action="e", arg="township")).state
    before = editing.to_json()
    turn = engine.handle(editing, Event(text="狸桥镇"))
    assert "village" not in turn.state.answers, "the new state dropped the village"
    assert editing.to_json() == before and editing.answers["village"] == "红星村"
    assert summary.phase == "summary" and summary.step is None


def test_a_step_leaves_the_state_it_started_from_as_it_was(engine):
    # A draft conflict retries the step from the stored state: the step must not have
    # changed it, not even a list inside the answers.
    state = engine.start("report").state
    state.answers["causes"] = ["因病"]
    state.selection = ["因病"]
    stored = state.to_json()
    copied = state.copy()
    copied.answers["causes"].append("因学")
    copied.selection.append("因学")
    copied.history.append("consent")
    assert state.to_json() == stored
    restored = DialogState.from_json(stored)
    restored.answers["causes"].append("因残")
    assert stored["answers"]["causes"] == ["因病"]


def test_a_son_working_away_reports_for_his_parents_and_says_who_he_is(engine):
    """Someone working in another city may report for the household at home: the consent
    says so, and the report records who filled it in and how they are related."""
    start = engine.start("report")
    assert "替家人申报也可以" in start.replies[0].text
    turn = run_until(engine, REPORT, "reporter")
    assert "替别人家报的" in engine.prompt(turn.state).text
    turn = run(engine, turn.state, ["替家人或亲戚报"])
    assert "您是这户的什么人" in turn.replies[-1].text
    turn = run(engine, turn.state, ["儿子，在苏州打工", *REPORT.from_step("contact_name")])
    answers = engine.final_answers(turn.state)
    assert answers["reporter"] == "替家人或亲戚报"
    assert answers["reporter_relation"] == "儿子，在苏州打工"
    assert (
        "填报人与这户的关系" in turn.replies[0].text and "儿子，在苏州打工" in turn.replies[0].text
    )


def test_a_resident_reporting_for_their_own_household_is_not_asked_the_relation(engine):
    turn = run_until(engine, REPORT, "reporter")
    turn = run(engine, turn.state, ["自己"])
    assert turn.state.answers["reporter"] == "本户自己报"
    assert "联系人叫什么名字" in turn.replies[-1].text
