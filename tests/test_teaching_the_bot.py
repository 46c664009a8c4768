"""Staff teach the bot in one tap, through Telegram (offline): a question nobody could answer is
linked to an entry and answered at once by another bot process on the same database; one out
of scope leaves the list and stays unanswered; 👎 and "不对" put an answer on the doubtful list;
reviewers see only their townships' residents' questions; what was taught is written into the
YAML, which `check` accepts and retrieval answers from."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answer_feedback import COMPLAINTS_FILE, Complaints
from assistant.learned_export import clear_exported, export_learned
from assistant.service import Assistant
from common.yamlfile import DataError
from knowledge import load_knowledge
from knowledge.base import DATA_DIR
from knowledge.set_aside_file import SET_ASIDE_FILE
from storage.database import open_database
from storage.learning import AnswerLog, LearnedPhrasings, TeachingQueue
from storage.repository import StaffDirectory, UnansweredLog
from tests.chat import TelegramUser, say, tap, telegram_for
from tests.dialog_script import REPORT

ADMIN, REVIEWER_A, REVIEWER_B = 9101, 9102, 9103
RESIDENT, NEIGHBOUR, STRANGER = 9201, 9202, 9203
TOWNSHIP_A, TOWNSHIP_B = "水阳镇", "狸桥镇"

# No entry answers it; 三保障 (safe housing among them) is among the nearest.
HOUSE = "住的房子是危房怎么办"
THREE_GUARANTEES = "什么是“两不愁三保障”？"
RAIN = "明天会下雨吗"


@pytest.fixture
def staff(db, make_submission):
    """Reviewers of 水阳镇 and 狸桥镇, an admin; a resident of each township."""
    directory = StaffDirectory(db)
    directory.add(REVIEWER_A, "reviewer", [TOWNSHIP_A], added_by=ADMIN)
    directory.add(REVIEWER_B, "reviewer", [TOWNSHIP_B], added_by=ADMIN)
    make_submission(submitted_by=RESIDENT)  # 水阳镇
    make_submission(submitted_by=NEIGHBOUR, township=TOWNSHIP_B, village="东风村")


def bot(kb, db) -> Assistant:
    """One bot process's core (its own knowledge base with its own taught phrasings)."""
    return Assistant(kb, db, admin_ids=frozenset({ADMIN}))


async def test_a_reviewer_links_a_question_and_a_second_bot_answers_it_at_once(kb, db, staff):
    async with telegram_for(bot(kb, db)) as first, telegram_for(bot(kb, db)) as second:
        first.profile(REVIEWER_A, first_name="王", last_name="芳")
        resident = TelegramUser(second, RESIDENT)
        assert "没有把握" in (await resident.say(HOUSE)).text

        reviewer = TelegramUser(first, REVIEWER_A)
        card = await reviewer.say("/unanswered")
        assert f"「{HOUSE}」" in card.text and "被问了 1 次" in card.text
        assert "🚫 不在范围" in [label for label, _ in card.buttons()]
        done = await reviewer.tap(f"➕ {THREE_GUARANTEES}")
        assert f"已教会：「{HOUSE}」→ {THREE_GUARANTEES}" in done.text
        assert "处理完了" in done.text

        answered = await resident.say(HOUSE)  # the other process, no restart
        assert "没有把握" not in answered.text
        assert "住房安全" in answered.text and THREE_GUARANTEES in answered.text
        assert UnansweredLog(db).count() == 0, "answered now, and its rows left the list"

        learned = await reviewer.say("/learned")
        assert f"「{HOUSE}」→ {THREE_GUARANTEES}（王 芳，" in learned.text


async def test_a_question_marked_out_of_scope_leaves_the_list_and_stays_unanswered(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        await resident.say(RAIN)
        admin = TelegramUser(telegram, ADMIN)
        card = await admin.say("/unanswered")
        assert f"「{RAIN}」" in card.text
        done = await admin.tap("🚫 不在范围")
        assert f"已标为不在范围：「{RAIN}」" in done.text

        again = await resident.say(RAIN)
        assert "没有把握" in again.text, "still not answered"
        assert RAIN not in (await admin.say("/unanswered")).text, "asked again, still not listed"
        assert LearnedPhrasings(db).version()[:3] == (0, 0, 1), "nothing taught, one set aside"
        learned = await admin.say("/learned")
        assert "还没有教过" in learned.text and f"「{RAIN}」" in learned.text


async def test_a_reviewer_takes_back_a_phrasing_taught_by_mistake_from_the_chat(kb, db, staff):
    async with telegram_for(bot(kb, db)) as first, telegram_for(bot(kb, db)) as second:
        resident = TelegramUser(second, RESIDENT)
        await resident.say(HOUSE)
        reviewer = TelegramUser(first, REVIEWER_A)
        card = await reviewer.say("/unanswered")
        slip = next(
            label
            for label, _ in card.buttons()
            if label.startswith("➕ ") and label != f"➕ {THREE_GUARANTEES}"
        )
        await reviewer.tap(slip)  # the wrong entry
        wrong = (await resident.say(HOUSE)).text
        assert "没有把握" not in wrong, "answered with the wrong entry"

        other = await TelegramUser(first, REVIEWER_B).say("/learned")
        assert f"1. 「{HOUSE}」" in other.text and not other.buttons(), "only whoever taught it"
        learned = await reviewer.say("/learned")
        assert f"1. 「{HOUSE}」→" in learned.text and "↩️ 撤回" in learned.text
        undone = await reviewer.tap("↩️ 撤回 1")
        (edited,) = undone.method("editMessageText")
        assert f"已撤回问法：「{HOUSE}」" in edited["text"] and "还没有教过" in edited["text"]

        again = await resident.say(HOUSE)  # the other process, no restart
        assert "没有把握" in again.text, "read as before it was taught"
        assert f"「{HOUSE}」" in (await reviewer.say("/unanswered")).text, "listed again"
        card = await reviewer.say("/unanswered")
        await reviewer.tap(f"➕ {THREE_GUARANTEES}")  # taught right this time
        assert "住房安全" in (await resident.say(HOUSE)).text


async def test_an_exported_phrasing_has_no_take_back_button(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        await TelegramUser(telegram, RESIDENT).say(HOUSE)
        admin = TelegramUser(telegram, ADMIN)
        await admin.say("/unanswered")
        await admin.tap(f"➕ {THREE_GUARANTEES}")
        (taught,) = LearnedPhrasings(db).listed()
        LearnedPhrasings(db).mark_exported([taught.id])
        learned = await admin.say("/learned")
        assert "已写入知识库" in learned.text and not learned.buttons(), "the YAML carries it now"


async def test_an_admin_takes_back_a_question_set_aside_from_the_chat(kb, db, staff):
    async with telegram_for(bot(kb, db)) as first, telegram_for(bot(kb, db)) as second:
        admin = TelegramUser(first, ADMIN)
        await TelegramUser(first, RESIDENT).say(RAIN)
        await admin.say("/unanswered")
        await admin.tap("🚫 不在范围")
        learned = await admin.say("/learned")
        assert f"1. 「{RAIN}」" in learned.text
        assert all(len(data.encode()) <= 64 for _, data in learned.buttons())
        undone = await admin.tap("↩️ 撤回 1")
        (edited,) = undone.method("editMessageText")
        assert f"已撤回不在范围：「{RAIN}」" in edited["text"]
        assert LearnedPhrasings(db).version()[2] == 0, "no question set aside any more"
        await TelegramUser(second, NEIGHBOUR).say(RAIN)  # asked again, not answered: listed
        assert f"「{RAIN}」" in (await admin.say("/unanswered")).text


# Answered (with the preparations) though no document says whether there is an exam.
EXAM = "参加集中排查的工作人员培训完要不要考试？"


async def test_a_wrong_answer_set_aside_is_not_given_again_by_any_bot(kb, db, staff):
    async with telegram_for(bot(kb, db)) as first, telegram_for(bot(kb, db)) as second:
        resident = TelegramUser(first, RESIDENT)
        wrong = await resident.say(EXAM)
        assert "没有把握" not in wrong.text and "前期" in wrong.text, "answered, wrongly"
        await resident.tap("👎 没用")

        admin = TelegramUser(first, ADMIN)
        card = await admin.say("/unanswered")
        assert "可能答错的问题" in card.text and f"「{EXAM}」" in card.text
        done = await admin.tap("🚫 不在范围")
        assert f"已标为不在范围：「{EXAM}」" in done.text

        # the other bot process, no restart: the same question, and nearly the same words
        neighbour = TelegramUser(second, NEIGHBOUR)
        again = await neighbour.say(EXAM)
        assert "没有把握" in again.text and "0563-2701280" in again.text
        assert again.buttons(), "the nearest questions are still offered"
        reworded = await neighbour.say("参加集中排查的工作人员培训完了要不要考试")
        assert "没有把握" in reworded.text
        # what the documents do say is still answered
        asked = await neighbour.say("排查的工作人员要不要培训？")
        assert "没有把握" not in asked.text and "培训" in asked.text
        assert EXAM not in (await admin.say("/unanswered")).text, "not listed again"


async def test_thumbs_down_lands_the_answer_on_the_doubtful_list_with_its_entry(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        answer = await resident.say("监测收入标准是多少？")
        assert "9100" in answer.text
        labels = [label for label, _ in answer.buttons()]
        assert labels[-2:] == ["👍 有用", "👎 没用"]
        assert all(len(data.encode()) <= 64 for _, data in answer.buttons())

        tapped = await resident.tap("👎 没用")
        (ack,) = tapped.method("answerCallbackQuery")
        assert "已记下" in ack["text"] and not tapped.messages, "a notice on the button only"

        card = await TelegramUser(telegram, REVIEWER_A).say("/unanswered")
        assert "可能答错的问题" in card.text and "「监测收入标准是多少？」" in card.text
        assert "当时的回答：2024年防止返贫监测范围（收入标准）是多少？" in card.text
        assert "👎 1 次" in card.text

        changed = await resident.tap("👍 有用")  # a second tap changes the vote
        assert "已改好" in changed.method("answerCallbackQuery")[0]["text"]
        card = await TelegramUser(telegram, REVIEWER_A).say("/unanswered")
        assert "监测收入标准" not in card.text, "taken back with the vote"
        feedback = await TelegramUser(telegram, ADMIN).say("/feedback")
        assert "2024年防止返贫监测范围（收入标准）是多少？：👎 0 · 不对/换说法 0 · 👍 1" in (
            feedback.text
        )


async def test_saying_it_is_wrong_lands_the_answer_on_the_doubtful_list(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        await resident.say("监测收入标准是多少？")
        wrong = await resident.say("不对啊")
        assert "抱歉" in wrong.text and "没有把握" not in wrong.text
        assert "0563-2701280" in wrong.text
        assert wrong.buttons(), "the questions nearest to the one asked"
        assert UnansweredLog(db).count() == 0, "a complaint is not a question"

        card = await TelegramUser(telegram, ADMIN).say("/unanswered")
        assert "「监测收入标准是多少？」" in card.text and "说“不对” 1 次" in card.text
        feedback = await TelegramUser(telegram, ADMIN).say("/feedback")
        assert "：👎 0 · 不对/换说法 1 · 👍 0" in feedback.text

        alone = await TelegramUser(telegram, STRANGER).say("不对")  # nothing answered before
        assert "抱歉" in alone.text and "没有把握" not in alone.text
        assert UnansweredLog(db).count() == 0


async def test_asking_again_in_other_words_marks_the_first_answer_doubtful(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        await resident.say("监测收入标准是多少")
        await resident.say("监测收入标准是人均收入吗")  # answered otherwise: how income is counted
        card = await TelegramUser(telegram, ADMIN).say("/unanswered")
        assert "「监测收入标准是多少」" in card.text and "换说法再问 1 次" in card.text


async def test_a_reviewer_sees_only_the_questions_of_their_townships_residents(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        await TelegramUser(telegram, RESIDENT).say(HOUSE)  # a resident of 水阳镇
        await TelegramUser(telegram, STRANGER).say(RAIN)  # never submitted: admins only
        own = await TelegramUser(telegram, REVIEWER_A).say("/unanswered")
        assert HOUSE in own.text and "第 1/1 个" in own.text
        other = TelegramUser(telegram, REVIEWER_B)
        elsewhere = await other.say("/unanswered")
        assert HOUSE not in elsewhere.text and RAIN not in elsewhere.text
        assert "处理完了" in elsewhere.text
        # a link button of 水阳镇's list, tapped by the reviewer of 狸桥镇, does nothing
        link = next(data for label, data in own.buttons() if label.startswith("➕"))
        forged = await telegram.tap(REVIEWER_B, link)
        assert "不在您负责的范围" in forged.text
        assert LearnedPhrasings(db).version()[:3] == (0, 0, 0)
        everyone = await TelegramUser(telegram, ADMIN).say("/unanswered")
        assert "第 1/2 个" in everyone.text


async def test_residents_cannot_teach_or_read_what_was_taught(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        await resident.say(HOUSE)
        for command in ("/unanswered", "/learned", "/feedback"):
            seen = await resident.say(command)
            assert "只对登记的村干部和工作人员开放" in seen.text and HOUSE not in seen.text
        forged = await telegram.tap(RESIDENT, "tl:u1:0:0")
        assert "只对登记的村干部和工作人员开放" in forged.text
        assert LearnedPhrasings(db).version()[:3] == (0, 0, 0)


async def test_a_vote_button_of_someone_elses_answer_does_nothing(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        answer = await TelegramUser(telegram, RESIDENT).say("监测收入标准是多少？")
        down = next(data for label, data in answer.buttons() if label == "👎 没用")
        tapped = await telegram.tap(STRANGER, down)
        assert "失效" in tapped.method("answerCallbackQuery")[0]["text"]
        assert AnswerLog(db).per_entry() == []


async def test_a_resident_sees_and_deletes_the_questions_kept_for_their_votes(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, RESIDENT)
        await resident.say("我叫张伟，监测收入标准是多少？")
        await resident.tap("👎 没用")
        mine = await resident.say("/mydata")
        assert "您问过的问题" in mine.text and "某某" in mine.text and "张伟" not in mine.text
        await resident.say("/delete")
        await resident.tap("确认删除")
        assert AnswerLog(db).questions_of(RESIDENT) == []
        card = await TelegramUser(telegram, ADMIN).say("/unanswered")
        assert "监测收入标准" not in card.text
        assert [(f.down, f.up) for f in AnswerLog(db).per_entry()] == [(1, 0)], "counts stay"


def test_a_complaint_phrase_that_is_also_small_talk_is_named(tmp_path: Path):
    copy = tmp_path / "complaints.yaml"
    copy.write_text(
        COMPLAINTS_FILE.read_text("utf-8").replace("- 不对\n", "- 不对\n      - 谢谢\n", 1)
    )
    with pytest.raises(DataError) as raised:
        Complaints.load(copy)
    assert "“谢谢”也是寒暄（small_talk.yaml 的 thanks）" in str(raised.value)


# --- into the YAML ------------------------------------------------------------------------------


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    copy = tmp_path / "knowledge"
    shutil.copytree(DATA_DIR, copy)
    return copy


def teach(kb, db, question: str, entry_title: str) -> None:
    """A resident asks `question` (unanswered), an admin links it to the entry so titled."""
    assistant = bot(kb, db)
    say(assistant, RESIDENT, question)
    card = say(assistant, ADMIN, "/unanswered")[0]
    data = next(b.data for row in card.buttons for b in row if b.label == f"➕ {entry_title}")
    tap(assistant, ADMIN, data)


def test_export_learned_writes_yaml_that_check_accepts_and_retrieval_answers_from(
    kb, db, staff, knowledge_copy, bot_cli
):
    teach(kb, db, HOUSE, THREE_GUARANTEES)
    before = (knowledge_copy / "entries" / "terms.yaml").read_text("utf-8")
    exported = export_learned(db, knowledge_copy)
    assert not exported.problems and exported.written.added == {"three-guarantees": [HOUSE]}
    assert exported.answered_otherwise == []

    after = (knowledge_copy / "entries" / "terms.yaml").read_text("utf-8")
    assert after.count("\n") == before.count("\n") + 1, "one line added, the rest as it was"
    assert f"      - {HOUSE}\n" in after
    assert [line for line in after.splitlines() if line.startswith("#")] == [
        line for line in before.splitlines() if line.startswith("#")
    ], "comments kept"
    checked = bot_cli("check", "--knowledge", str(knowledge_copy))
    assert checked.returncode == 0, checked.stderr

    from_yaml = load_knowledge(knowledge_copy)  # no database: the YAML alone
    answer = from_yaml.ask(HOUSE)
    assert answer.entry is not None and answer.entry.id == "three-guarantees"
    assert load_knowledge().ask(HOUSE).entry is None, "the project's own YAML is untouched"

    (taught,) = LearnedPhrasings(db).listed()
    assert taught.exported_at is not None, "marked exported, still used by the running bots"
    assert export_learned(db, knowledge_copy).marked == [], "exported once"
    cleared = clear_exported(db, knowledge_copy)
    assert [t.text for t in cleared.cleared] == [HOUSE] and LearnedPhrasings(db).listed() == []


def test_a_phrasing_that_would_break_the_yaml_is_not_exported(kb, db, staff, knowledge_copy):
    teach(kb, db, HOUSE, THREE_GUARANTEES)
    broken = knowledge_copy / "entries" / "plan.yaml"
    broken.write_text(broken.read_text("utf-8").replace("source:", "sauce:", 1), "utf-8")
    terms = (knowledge_copy / "entries" / "terms.yaml").read_text("utf-8")
    exported = export_learned(db, knowledge_copy)
    assert exported.problems, "the check failed"
    assert (knowledge_copy / "entries" / "terms.yaml").read_text("utf-8") == terms, "put back"
    assert LearnedPhrasings(db).unexported() != [], "nothing marked"


def test_kb_learned_and_export_learned_from_the_command_line(tmp_path, bot_cli, kb, knowledge_copy):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    db = open_database(url)
    StaffDirectory(db).add(REVIEWER_A, "reviewer", [TOWNSHIP_A], added_by=ADMIN)
    teach(kb, db, HOUSE, THREE_GUARANTEES)
    db.engine.dispose()

    listed = bot_cli("kb", "learned", env={"DATABASE_URL": url})
    assert listed.returncode == 0, listed.stderr
    assert f"three-guarantees（{THREE_GUARANTEES}）← {HOUSE}" in listed.stdout
    assert "未写入 YAML" in listed.stdout and str(ADMIN) in listed.stdout

    exported = bot_cli(
        "kb", "export-learned", "--knowledge", str(knowledge_copy), env={"DATABASE_URL": url}
    )
    assert exported.returncode == 0, exported.stderr
    assert f"terms.yaml three-guarantees ← {HOUSE}" in exported.stdout
    assert "kb clear-exported" in exported.stdout
    assert "已写入 YAML" in bot_cli("kb", "learned", env={"DATABASE_URL": url}).stdout


def test_a_question_set_aside_goes_into_the_yaml_and_stays_set_aside_without_the_database(
    kb, db, staff, knowledge_copy, bot_cli
):
    """An admin set aside a wrong answer (🚫 不在范围); export-learned writes it into
    set_aside.yaml, so a fresh database (a new server, next year's campaign) abstains too."""
    TeachingQueue(db).dismiss(EXAM, ADMIN)
    aside_file = knowledge_copy / SET_ASIDE_FILE
    before = aside_file.read_text("utf-8")

    exported = export_learned(db, knowledge_copy)
    assert not exported.problems and exported.set_aside == [EXAM]
    after = aside_file.read_text("utf-8")
    assert after == before + f'  - "{EXAM}"\n', "appended; the header comments kept"
    checked = bot_cli("check", "--knowledge", str(knowledge_copy))
    assert checked.returncode == 0, checked.stderr
    assert "1 个不在范围的问题" in checked.stdout

    from_yaml = load_knowledge(knowledge_copy)  # no database: the YAML alone
    for asked in (EXAM, "参加集中排查的工作人员，培训完了要不要考试"):
        answer = from_yaml.ask(asked)
        assert answer.entry is None and answer.suggestions, asked
    assert from_yaml.ask("排查的工作人员要不要培训？").entry is not None, "another question"
    assert load_knowledge().ask(EXAM).entry is not None, "the project's own YAML is untouched"

    assert export_learned(db, knowledge_copy).set_aside == [], "written once"
    assert aside_file.read_text("utf-8") == after
    cleared = clear_exported(db, knowledge_copy)
    assert [d.text for d in cleared.set_aside] == [EXAM]
    assert TeachingQueue(db).dismissed() == [], "the database copy is gone"
    fresh = load_knowledge(knowledge_copy).learning_from(LearnedPhrasings(db))
    assert fresh.ask(EXAM).entry is None, "still set aside: the YAML says so"


def test_set_aside_yaml_that_lists_a_question_twice_or_an_entrys_own_fails_the_check(
    knowledge_copy, bot_cli
):
    aside_file = knowledge_copy / SET_ASIDE_FILE
    aside_file.write_text(
        aside_file.read_text("utf-8")
        + f'  - "{EXAM}"\n'
        + "  - 参加集中排查的工作人员培训完要不要考试\n"  # the same, without the question mark
        + f"  - {THREE_GUARANTEES}\n"
        + "  - [不是一个问题]\n",
        "utf-8",
    )
    checked = bot_cli("check", "--knowledge", str(knowledge_copy))
    assert checked.returncode == 1
    lines = aside_file.read_text("utf-8").splitlines()
    first = lines.index(f'  - "{EXAM}"') + 1
    again = lines.index("  - 参加集中排查的工作人员培训完要不要考试") + 1
    assert (
        f"{SET_ASIDE_FILE}:{again}: 「参加集中排查的工作人员培训完要不要考试」与第 {first} 行重复"
        in (checked.stderr)
    )
    assert "是条目 three-guarantees 自己的问法" in checked.stderr
    assert "每一项应是一个问题" in checked.stderr


def test_a_question_set_aside_that_breaks_the_check_is_not_exported(kb, db, staff, knowledge_copy):
    TeachingQueue(db).dismiss(THREE_GUARANTEES, ADMIN)  # an entry's own question
    aside_file = knowledge_copy / SET_ASIDE_FILE
    before = aside_file.read_text("utf-8")
    exported = export_learned(db, knowledge_copy)
    assert any("three-guarantees" in p.message for p in exported.problems)
    assert aside_file.read_text("utf-8") == before, "put back"
    assert [d.text for d in TeachingQueue(db).dismissed()] == [THREE_GUARANTEES], "kept"


def test_export_learned_from_the_command_line_names_the_questions_set_aside(
    tmp_path, bot_cli, knowledge_copy
):
    url = f"sqlite:///{tmp_path / 'server.db'}"
    db = open_database(url)
    TeachingQueue(db).dismiss(EXAM, ADMIN)
    db.engine.dispose()
    exported = bot_cli(
        "kb", "export-learned", "--knowledge", str(knowledge_copy), env={"DATABASE_URL": url}
    )
    assert exported.returncode == 0, exported.stderr
    assert "已把 1 个不在范围的问题写入" in exported.stdout and f"🚫 {EXAM}" in exported.stdout
    assert "条问法写入" not in exported.stdout, "no phrasing was taught"
    cleared = bot_cli(
        "kb", "clear-exported", "--knowledge", str(knowledge_copy), env={"DATABASE_URL": url}
    )
    assert "已从数据库清除 1 个 set_aside.yaml 已列出的不在范围的问题" in cleared.stdout


async def test_an_answer_given_in_the_middle_of_a_report_can_be_voted_on_too(kb, db, staff):
    async with telegram_for(bot(kb, db)) as telegram:
        resident = TelegramUser(telegram, STRANGER)
        await resident.say("/report")
        await resident.answer(REPORT.until("annual_income"))
        answer = await resident.say("监测收入标准是多少？")
        assert "9100" in answer.text
        labels = [label for label, _ in answer.buttons()]
        assert labels == ["👍 有用", "👎 没用"], "a vote, but nothing leading away from the form"
        await resident.tap("👎 没用")
        card = await TelegramUser(telegram, ADMIN).say("/unanswered")
        assert "「监测收入标准是多少？」" in card.text
        draft = bot(kb, db).dialogs.drafts.load(STRANGER)
        assert draft is not None and draft.state["step"] == "annual_income"


def test_answers_older_than_their_memory_are_deleted_on_the_way(db, monkeypatch):
    import storage.learning as learning

    log = AnswerLog(db)
    monkeypatch.setattr(learning, "FORGET_EVERY", 2)
    old = log.give(7001, "screening-scope", "排查谁")
    three_days_on = learning.utcnow() + learning.GIVEN_MEMORY + learning.timedelta(minutes=1)
    monkeypatch.setattr(learning, "utcnow", lambda: three_days_on)
    newer = [log.give(7001, "screening-scope", "排查谁") for _ in range(2)]
    assert log.get(old) is None  # a later answer on the FORGET_EVERY boundary deleted it
    assert all(log.get(answer_id) is not None for answer_id in newer)
