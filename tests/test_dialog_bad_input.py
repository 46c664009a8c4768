"""A table of bad answers across step kinds: each gets a specific re-prompt (with an example)
and leaves the stored draft exactly as it was."""

from __future__ import annotations

import pytest

from common.messages import Incoming
from dialogs.engine import DialogState, Result
from tests.dialog_script import REPORT, event_for, run_until

USER = 7001

# (step the resident is at, what they send, what the reply must say)
CASES = [
    ("consent", "也许", "请回答“是”或“否”"),
    ("consent", "😀", "请回答“是”或“否”"),
    ("consent", "   ", "没有收到内容"),
    ("township", "北京市", "没有这个选项"),
    ("township", "99", "没有这个选项"),
    ("township", "😀😀", "请从选项中选择"),
    ("township", "", "没有收到内容"),
    ("village", "村", "内容太短"),
    ("village", "红" * 21, "内容太长"),
    ("village", "🏠🏠", "内容太短"),
    ("household_size", "0", "太小"),
    ("household_size", "31", "超出了合理范围"),
    ("household_size", "好几个", "没有看懂这个数字"),
    ("household_size", "3.5", "请填写整数"),
    ("household_size", "四点五", "请填写整数"),
    ("household_size", "-2", "没有看懂这个数字"),
    ("household_size", "<b>4</b>", "没有看懂这个数字"),
    ("household_size", "'; DROP TABLE drafts; --", "没有看懂这个数字"),
    ("household_size", "人", "没有看到数字"),
    ("household_size", "\x00\x07", "没有收到内容"),
    ("annual_income", "很多", "没有看懂这个数字"),
    ("annual_income", "-500", "金额不能是负数"),
    ("annual_income", "一千万", "超出了合理范围"),
    ("annual_income", "挺多的吧", "没有看懂这个数字"),
    ("annual_income", "abc", "没有看懂这个数字"),
    ("annual_income", "😀", "没有看懂这个数字"),
    ("annual_income", "'; DROP TABLE submissions; --", "没有看懂这个数字"),
    ("annual_income", "1e9", "没有看懂这个数字"),
    ("annual_income", "元", "没有看到金额"),
    ("annual_income", "字" * 10_000, "没有看懂这个数字"),
    ("medical_expense", "看病花了不少", "没有看懂这个数字"),
    ("medical_expense", "-1", "金额不能是负数"),
    ("medical_expense", "9999999999", "超出了合理范围"),
    ("causes", "因为穷", "没有这个选项"),
    ("causes", "因病，暂无明显困难", "不能和其他选项同时选"),
    ("causes", ("done",), "还没有选择任何一项"),
    ("causes", "，，，", "请至少选择一项"),
    ("causes", ("cmd", "skip"), "不能跳过"),
    ("child_out_of_school", "可能吧", "请点下面的按钮"),
    ("child_out_of_school", "不知道", "请点下面的按钮"),
    ("child_out_of_school", "123", "请点下面的按钮"),
    ("unsafe_water", "<script>", "请点下面的按钮"),
    ("current_status", "富裕户", "没有这个选项"),
    ("current_status", "7", "没有这个选项"),
    ("current_status", ("cmd", "skip"), "不能跳过"),
    ("description", "说" * 501, "内容太长"),
    ("contact_name", "张" * 21, "内容太长"),
    ("contact_name", "😀", "内容太短"),
    ("contact_name", "  ", "没有收到内容"),
    ("contact_name", ("cmd", "skip"), "不能跳过"),
    ("phone", "12345", "号码位数不够"),
    ("phone", "电话", "号码位数不够"),
    ("phone", "1381234567", "不是有效的手机号码"),
    ("phone", "+1 202 555 0143", "请填写国内号码"),
    ("phone", "138123456789999", "不是有效的手机号码"),
    ("phone", "0000000", "不是有效的手机号码"),
    ("phone", "<b>13812345678</b>x", "没有看懂这个号码"),
    ("call_time", "半夜三点", "没有这个选项"),
    ("summary", "好的吧", "请点下面的按钮"),
    ("summary", "😀", "请点下面的按钮"),
    ("household_size", ("stale-tap",), "按钮已过期"),
    ("household_size", ("cmd", "skip"), "不能跳过"),
]


def _state_at(engine, key: str) -> DialogState:
    """A report draft whose current step is `key` (or the summary)."""
    return run_until(engine, REPORT, key).state


def _incoming(item, draft_id: str) -> Incoming:
    if isinstance(item, str):
        return Incoming(user_id=USER, chat_id=USER, text=item)
    if item[0] == "cmd":
        return Incoming(user_id=USER, chat_id=USER, command=item[1], text="/" + item[1])
    if item[0] == "done":
        return Incoming(user_id=USER, chat_id=USER, callback=f"d:{draft_id}:done:causes")
    return Incoming(user_id=USER, chat_id=USER, callback=f"d:{draft_id}:t:causes:0")


def test_the_table_is_large_and_covers_every_kind_of_step():
    assert len(CASES) >= 60
    kinds_covered = {step for step, _, _ in CASES}
    assert {
        "consent",
        "township",
        "village",
        "household_size",
        "annual_income",
        "causes",
        "child_out_of_school",
        "current_status",
        "description",
        "contact_name",
        "phone",
        "call_time",
        "summary",
    } <= kinds_covered


@pytest.mark.parametrize(
    ("step", "sent", "expected"), CASES, ids=[f"{s}:{str(t)[:12]}" for s, t, _ in CASES]
)
def test_a_bad_answer_gets_a_specific_reprompt_and_changes_nothing(assistant, step, sent, expected):
    state = _state_at(assistant.engine, step)
    assistant.drafts.replace(USER, state.draft_id, "report", state.to_json())
    before = assistant.drafts.load(USER)

    replies = assistant.handle(_incoming(sent, state.draft_id))

    text = "\n".join(r.text for r in replies)
    assert expected in text
    assert "⚠️" in text
    if step not in {"summary", "consent"} and assistant.engine.dialog_of(state).step(step).example:
        assert "例如：" in text, "a wrong answer is shown an example"
    assert assistant.drafts.load(USER) == before, "nothing stored from a bad answer"
    assert assistant.submissions.count() == 0


def test_a_policy_question_at_the_income_step_is_answered_then_the_step_is_asked_again(assistant):
    state = _state_at(assistant.engine, "annual_income")
    assistant.drafts.replace(USER, state.draft_id, "report", state.to_json())
    before = assistant.drafts.load(USER)
    replies = assistant.handle(Incoming(user_id=USER, chat_id=USER, text="监测线是多少？"))
    assert "9100元" in replies[0].text
    assert "全家一共挣了多少钱" in replies[-1].text
    assert assistant.drafts.load(USER) == before


def test_a_question_typed_where_a_name_is_expected_is_answered_not_stored(assistant):
    state = _state_at(assistant.engine, "contact_name")
    assistant.drafts.replace(USER, state.draft_id, "report", state.to_json())
    before = assistant.drafts.load(USER)
    replies = assistant.handle(Incoming(user_id=USER, chat_id=USER, text="三保障指什么？"))
    assert "住房安全" in replies[0].text
    assert "联系人叫什么名字" in replies[-1].text
    assert assistant.drafts.load(USER) == before


def test_the_engine_reports_invalid_for_every_table_case(assistant):
    engine = assistant.engine
    for step, sent, _ in CASES:
        if not isinstance(sent, str):
            continue
        state = _state_at(engine, step)
        assert engine.handle(state, event_for(engine, state, sent)).result is Result.INVALID, (
            step,
            sent,
        )
