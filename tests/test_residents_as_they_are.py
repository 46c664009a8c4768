"""Residents and cadres as they really are: what they type, tap and misunderstand, and what the
dialogs make of it (issue "Residents, cadres and reviewers as they really are")."""

from __future__ import annotations

import pytest

from common.messages import Incoming, Reply
from dialogs import texts
from dialogs.engine import DialogEngine, DialogState, Event, Result
from dialogs.spec import load_catalog
from dialogs.triage import triage
from storage.repository import RECORDED_VILLAGES_FRESH_FOR, SubmissionStore
from tests.chat import draft_of, say, shown
from tests.dialog_script import REPORT, VISIT, event_for, run, run_until

RESIDENT = 7101


@pytest.fixture(scope="module")
def engine() -> DialogEngine:
    return DialogEngine(load_catalog())


def _labels(reply: Reply) -> list[str]:
    return [b.label for row in reply.buttons for b in row]


def _keys(reply: Reply) -> list[str]:
    return [label for row in reply.keyboard or [] for label in row]


def _state_with(engine: DialogEngine, key: str, answer) -> DialogState:
    """A report draft at `key`, answered with `answer`: the state after that turn."""
    state = run_until(engine, REPORT, key).state
    turn = engine.handle(state, event_for(engine, state, answer))
    assert turn.result is Result.CONTINUE, turn.replies[0].text
    return turn.state


def _summary_after(engine: DialogEngine, key: str, answer) -> DialogState:
    """The report's summary, `key` answered with `answer` and the rest from the script."""
    state = _state_with(engine, key, answer)
    rest = REPORT.from_step(key)[1:]
    return run(engine, state, rest).state if rest else state


# --- 1. multi-select keeps every answer ------------------------------------------------------


def test_a_resident_who_ticks_因病_then_types_缺劳动力_keeps_both_ticked(engine):
    state = run_until(engine, REPORT, "causes").state
    state = engine.handle(state, event_for(engine, state, ("tap", "因病"))).state
    turn = engine.handle(state, Event(text="缺劳动力"))
    assert turn.result is Result.CONTINUE
    assert turn.state.step == "causes", "typing a choice ticks it, it does not finish"
    assert turn.state.selection == ["因病", "缺劳动力"]
    assert {"✅ 因病", "✅ 缺劳动力"} <= set(_labels(turn.replies[0]))


@pytest.mark.parametrize("finished", ["完成", "好了", "选好了", "没有了", "就这些"])
def test_a_resident_who_types_好了_after_ticking_finishes_like_the_完成_button(engine, finished):
    state = run_until(engine, REPORT, "causes").state
    state = engine.handle(state, event_for(engine, state, ("tap", "因病"))).state
    state = engine.handle(state, Event(text="缺劳动力")).state
    turn = engine.handle(state, Event(text=finished))
    assert turn.result is Result.CONTINUE
    assert turn.state.answers["causes"] == ["因病", "缺劳动力"]
    assert turn.state.step == "child_out_of_school"


def test_a_resident_who_types_好了_before_ticking_anything_is_told_to_tick_first(engine):
    state = run_until(engine, REPORT, "causes").state
    turn = engine.handle(state, Event(text="好了"))
    assert turn.result is Result.INVALID and "还没有选择" in turn.replies[0].text


# --- 2. money as people say it ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "about"),
    [
        ("八万多", 80000),
        ("1000多块", 1000),
        ("几百块", 500),
        ("自己掏了八万多", 80000),
        ("看病花了五万多", 50000),
        ("一年两三万", 25000),
        ("三四千", 3500),
        ("3到5万", 40000),
        ("大概三万左右", 30000),
    ],
)
def test_a_resident_who_types_八万多_as_income_sees_it_kept_as_an_estimate(engine, typed, about):
    state = _state_with(engine, "annual_income", typed)
    assert state.answers["annual_income"] == about
    assert engine.final_answers(state)["_approximate"] == ["annual_income"]


def test_a_resident_who_types_八万多_sees_约_80000_in_the_summary(engine):
    summary = engine.summary(_summary_after(engine, "annual_income", "八万多")).text
    assert "约 80,000" in summary


def test_an_exact_amount_after_an_estimate_is_no_longer_marked_approximate(engine):
    state = _state_with(engine, "annual_income", "八万多")
    state = engine.handle(state, Event(command="back")).state
    state = engine.handle(state, Event(text="82000")).state
    assert "_approximate" not in engine.final_answers(state)


@pytest.mark.parametrize("typed", ["不知道", "说不清", "记不得", "不清楚"])
def test_a_resident_who_does_not_know_the_income_is_told_an_estimate_will_do_and_goes_on(
    engine, typed
):
    state = run_until(engine, REPORT, "annual_income").state
    turn = engine.handle(state, Event(text=typed))
    text = shown(turn.replies)
    assert turn.result is Result.CONTINUE, text
    assert "没有看懂" not in text and "e+" not in text
    assert "大概" in text and "核实" in text
    assert turn.state.step == "medical_expense"
    assert turn.state.answers["annual_income"] is None


def test_a_resident_who_does_not_know_the_income_is_triaged_without_a_per_capita(engine):
    state = _summary_after(engine, "annual_income", "不知道")
    assert "家庭年纯收入（元）：不清楚" in engine.summary(state).text
    answers = engine.final_answers(state)
    result = triage(answers, engine.catalog.triage, 9100, 2024)
    assert result.per_capita_income is None
    assert not any("人均" in reason for reason in result.reasons)


def test_a_resident_who_types_an_absurd_income_sees_the_range_in_words(engine):
    state = run_until(engine, REPORT, "annual_income").state
    text = engine.handle(state, Event(text="一千万")).replies[0].text
    assert "500 万元" in text and "e+" not in text


# --- 3. choices typed the way people say them ------------------------------------------------


def test_a_resident_who_types_不知道_for_the_status_gets_不清楚(engine):
    assert _state_with(engine, "current_status", "不知道").answers["current_status"] == "不清楚"


@pytest.mark.parametrize("typed", ["没有", "都没有", "没"])
def test_a_resident_who_types_没有_for_the_causes_ticks_the_none_choice(engine, typed):
    state = run_until(engine, REPORT, "causes").state
    turn = engine.handle(state, Event(text=typed))
    assert turn.state.selection == ["暂无明显困难"]


def test_a_cadre_who_types_都没有_for_the_risks_ticks_以上都没有(engine):
    state = run_until(engine, VISIT, "major_risks").state
    assert engine.handle(state, Event(text="都没有")).state.selection == ["以上都没有"]


def test_a_resident_who_misspells_孙埠镇_is_asked_whether_they_mean_it(engine):
    state = run_until(engine, REPORT, "township").state
    turn = engine.handle(state, Event(text="孙布镇"))
    assert turn.result is Result.INVALID
    text = turn.replies[0].text
    assert "您是说 孙埠镇 吗？" in text and "水阳镇" not in text


# --- 4. yes/no questions answered in words ---------------------------------------------------

GUARANTEE_BUTTONS = [
    ("child_out_of_school", {"都在上学", "有孩子没上学", "没有这个年龄的孩子"}),
    ("no_medical_insurance", {"都参加了", "有人没参加"}),
    ("unsafe_housing", {"住房安全", "有安全隐患"}),
    ("unsafe_water", {"吃水没问题", "吃水有困难"}),
]


@pytest.mark.parametrize(("key", "buttons"), GUARANTEE_BUTTONS)
def test_a_resident_answers_the_三保障_questions_by_tapping_the_answer_in_words(
    engine, key, buttons
):
    reply = engine.prompt(run_until(engine, REPORT, key).state)
    assert set(_keys(reply)) == buttons
    assert "有没有人没" not in reply.text, "no double negatives"


@pytest.mark.parametrize(
    ("key", "typed", "stored"),
    [
        ("no_medical_insurance", "有人没参加", True),
        ("no_medical_insurance", "都参加了", False),
        ("no_medical_insurance", "是的", False),  # 都参加了吗？是的
        ("no_medical_insurance", "不是", True),
        ("child_out_of_school", "没有这个年龄的孩子", None),
        ("unsafe_housing", "有安全隐患", True),
        ("unsafe_water", "吃水没问题", False),
    ],
)
def test_a_resident_who_taps_有人没参加_is_stored_as_a_problem(engine, key, typed, stored):
    assert _state_with(engine, key, typed).answers[key] is stored


def test_an_ambiguous_有_to_a_question_answered_in_words_is_asked_again(engine):
    state = run_until(engine, REPORT, "no_medical_insurance").state
    turn = engine.handle(state, Event(text="有"))
    assert turn.result is Result.INVALID and "有人没参加" in turn.replies[0].text


def test_the_summary_shows_the_三保障_answers_in_words(engine):
    state = _summary_after(engine, "no_medical_insurance", "有人没参加")
    assert "有人没参加" in engine.summary(state).text


@pytest.mark.parametrize(("typed", "stored"), [("是的", True), ("嗯", True), ("没", False)])
def test_a_cadre_who_types_嗯_to_a_plain_yes_no_question_is_understood(engine, typed, stored):
    state = run_until(engine, VISIT, "no_labor").state
    assert engine.handle(state, Event(text=typed)).state.answers["no_labor"] is stored


# --- 5. progress -----------------------------------------------------------------------------


def test_a_resident_sees_how_many_steps_there_are(engine):
    state = run_until(engine, REPORT, "annual_income").state
    assert "第 5 步（共 19 步）" in engine.prompt(state).text


def test_ticking_其他_adds_its_question_to_the_total(engine):
    state = run_until(engine, REPORT, "causes").state
    state = run(engine, state, [("tap", "其他"), ("done",)]).state
    assert "（共 20 步）" in engine.prompt(state).text


# --- 6. after a policy question --------------------------------------------------------------


def test_a_resident_who_asks_a_policy_question_mid_dialog_is_told_we_carry_on(assistant):
    say(assistant, RESIDENT, "/report")
    state = run_until(assistant.engine, REPORT, "annual_income").state
    assistant.drafts.replace(RESIDENT, state.draft_id, "report", state.to_json())
    replies = say(assistant, RESIDENT, "监测线是多少？")
    assert "9100元" in replies[0].text
    assert replies[-1].text.startswith("好，我们接着填：")


# --- 7. a cadre's own phone is not the household's -------------------------------------------


def test_a_cadre_at_the_households_phone_step_is_not_offered_their_own_number(engine):
    state = run_until(engine, VISIT, "phone").state
    assert engine.prompt(state).request_contact is None
    turn = engine.handle(state, Event(phone="13912345678"))
    assert turn.result is Result.INVALID
    assert "phone" not in turn.state.answers


def test_a_cadre_may_share_the_households_contact_card_at_its_phone_step(engine):
    state = run_until(engine, VISIT, "phone").state
    turn = engine.handle(state, Event(phone="13912345678", phone_is_own=False))
    assert turn.state.answers["phone"] == "13912345678"


def test_a_resident_sharing_someone_elses_card_is_told_it_is_not_theirs(engine):
    state = run_until(engine, REPORT, "phone").state
    turn = engine.handle(state, Event(phone="13912345678", phone_is_own=False))
    assert turn.result is Result.INVALID and "别人的联系人名片" in turn.replies[0].text


def test_a_contact_card_sent_where_no_phone_is_asked_is_refused(engine):
    state = run_until(engine, REPORT, "village").state
    turn = engine.handle(state, Event(phone="13912345678"))
    assert turn.result is Result.INVALID and "不是电话号码" in turn.replies[0].text


def test_a_resident_at_their_own_phone_step_still_shares_it_with_one_tap(engine):
    state = run_until(engine, REPORT, "phone").state
    assert engine.prompt(state).request_contact == texts.CONTACT_BUTTON
    assert engine.handle(state, Event(phone="13912345678")).state.answers["phone"] == "13912345678"


# --- 8. the householder's name once ----------------------------------------------------------


def test_a_cadre_taps_联系人就是户主_instead_of_typing_the_name_again(engine):
    state = run_until(engine, VISIT, "contact_name").state
    assert "联系人就是户主" in _keys(engine.prompt(state))
    turn = engine.handle(state, Event(text="联系人就是户主"))
    assert turn.state.answers["contact_name"] == "李四"
    dialog = engine.dialog_of(turn.state)
    assert dialog.columns(turn.state.answers)["contact_name"] == "李四"


# --- 9. villages already recorded ------------------------------------------------------------


def _at_village(assistant) -> None:
    say(assistant, RESIDENT, "/report")
    say(assistant, RESIDENT, "同意")
    say(assistant, RESIDENT, "水阳镇")


def test_the_villages_already_recorded_in_a_township_are_listed(db, make_submission):
    make_submission(township="水阳镇", village="金宝圩村")
    make_submission(township="水阳镇", village="金宝圩村")
    make_submission(township="水阳镇", village="红星村")
    make_submission(township="狸桥镇", village="东风村")
    assert SubmissionStore(db).villages_of("水阳镇") == ["金宝圩村", "红星村"]


def test_the_village_step_counts_a_townships_villages_once_a_minute_not_at_every_step(
    db, make_submission
):
    make_submission(township="水阳镇", village="金宝圩村")
    now = [1000.0]
    store = SubmissionStore(db, clock=lambda: now[0])
    assert store.recorded_villages("水阳镇") == ("金宝圩村",)
    make_submission(township="水阳镇", village="红星村")
    now[0] += RECORDED_VILLAGES_FRESH_FOR - 1
    assert store.recorded_villages("水阳镇") == ("金宝圩村",)  # the list read a moment ago
    assert store.recorded_villages("狸桥镇") == ()  # each township its own
    now[0] += 2
    assert set(store.recorded_villages("水阳镇")) == {"金宝圩村", "红星村"}


def test_a_resident_sees_the_villages_already_recorded_in_their_township(
    assistant, make_submission
):
    make_submission(township="水阳镇", village="金宝圩村")
    say(assistant, RESIDENT, "/report")
    say(assistant, RESIDENT, "同意")
    (asked,) = say(assistant, RESIDENT, "水阳镇")
    assert "金宝圩村" in _keys(asked)


def test_a_resident_who_types_金宝圩_joins_the_recorded_金宝圩村(assistant, make_submission):
    make_submission(township="水阳镇", village="金宝圩村")
    _at_village(assistant)
    say(assistant, RESIDENT, "金宝圩")
    assert draft_of(assistant, RESIDENT).state["answers"]["village"] == "金宝圩村"


def test_a_resident_who_misspells_a_recorded_village_is_asked_whether_they_mean_it(
    assistant, make_submission
):
    make_submission(township="水阳镇", village="金宝圩村")
    _at_village(assistant)
    (asked,) = say(assistant, RESIDENT, "金保圩村")
    assert "您是说 金宝圩村 吗？" in asked.text
    keep = texts.KEEP_TYPED.format(name="金保圩村")
    assert {"金宝圩村", keep} <= set(_keys(asked))
    say(assistant, RESIDENT, keep)
    assert draft_of(assistant, RESIDENT).state["answers"]["village"] == "金保圩村"


# --- 10. digits that are not ASCII -----------------------------------------------------------


@pytest.mark.parametrize("key", ["township", "current_status", "household_size", "call_time"])
@pytest.mark.parametrize("typed", ["፩", "𐩀", "፩፪"])
def test_a_resident_typing_a_foreign_digit_is_asked_again_not_crashed_on(engine, key, typed):
    state = run_until(engine, REPORT, key).state
    turn = engine.handle(state, Event(text=typed))
    assert turn.result is Result.INVALID and "⚠️" in turn.replies[0].text


# --- 11. a draft whose step was removed from the YAML ----------------------------------------


def _stale_draft(assistant) -> None:
    state = run_until(assistant.engine, REPORT, "annual_income").state
    state.step = "household_members"  # a step a later YAML no longer has
    state.history.append("removed_step")
    state.answers["removed_step"] = "旧回答"
    assistant.drafts.replace(RESIDENT, state.draft_id, "report", state.to_json())


@pytest.mark.parametrize("sent", ["4万", "/help", "/back", "/skip"])
def test_a_resident_whose_step_was_removed_carries_on_at_the_next_step(assistant, sent):
    _stale_draft(assistant)
    text = shown(say(assistant, RESIDENT, sent))
    assert "问卷内容有了调整" in text and "全家一共挣了多少钱" in text
    state = draft_of(assistant, RESIDENT).state
    assert state["answers"]["household_size"] == 4, "answers that still apply are kept"


def test_help_on_a_draft_whose_step_was_removed_shows_and_keeps_the_new_step(assistant):
    _stale_draft(assistant)
    assert "问卷内容有了调整" in shown(say(assistant, RESIDENT, "/help"))
    replies = say(assistant, RESIDENT, "4万")  # the answer to the question /help showed
    assert "问卷内容有了调整" not in shown(replies)
    assert draft_of(assistant, RESIDENT).state["answers"]["annual_income"] == 40000


def test_a_resident_whose_step_was_removed_is_told_why_and_resumes(assistant):
    _stale_draft(assistant)
    (offer,) = say(assistant, RESIDENT, "/start")
    go = next(b.data for row in offer.buttons for b in row if b.data.startswith("resume:go"))
    text = shown(assistant.handle(Incoming(user_id=RESIDENT, chat_id=RESIDENT, callback=go)))
    assert "问卷内容有了调整" in text and "全家一共挣了多少钱" in text
    assert "removed_step" not in draft_of(assistant, RESIDENT).state["answers"]
    say(assistant, RESIDENT, "4万")  # the answer to the question now shown is taken
    assert draft_of(assistant, RESIDENT).state["answers"]["annual_income"] == 40000


# --- 12 and 13. wording ----------------------------------------------------------------------


def test_the_household_size_help_says_who_counts_as_living_together(engine):
    step = engine.catalog.dialogs["report"].step("household_size")
    assert "共同生活" in (step.help or "") and "户口本" not in (step.help or "")


def test_the_phone_example_is_not_a_real_office_number(engine):
    for dialog in engine.catalog.dialogs.values():
        for step in dialog.steps:
            assert "2701280" not in (step.example or "") + step.prompt


def test_the_consent_says_who_sees_the_data_and_what_delete_does(engine):
    consent = engine.catalog.dialogs["report"].step("consent").prompt
    for said in ("审核", "区", "/mydata", "/delete", "删除申请", "干部"):
        assert said in consent, said


def test_the_confirmation_promises_no_call_or_visit(engine):
    submitted = engine.catalog.dialogs["report"].submitted
    assert "上门" not in submitted and "联系您" not in submitted
    assert "核实" in submitted
