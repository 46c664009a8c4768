"""The rows a plain message reads first — the user's draft and staff prompt, the taught-phrasing
version, the last answer shown — come in one statement, and give what the four reads gave."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from sqlalchemy import event, select

from common.messages import Incoming
from storage.database import Database
from storage.learning import AnswerLog, LearnedPhrasings
from storage.models import Draft, StaffPrompt, Submission, utcnow
from storage.repository import DraftStore, StaffPrompts
from storage.update_reads import read_ahead
from tests.chat import say

RESIDENT = 7101
STAFF = 7102


def _the_four_reads(db: Database, user_id: int) -> tuple:
    since = utcnow() - timedelta(minutes=30)
    prompt = StaffPrompts(db).get(user_id)
    return (
        DraftStore(db).load(user_id),
        None if prompt is None else (prompt.submission_id, prompt.action, prompt.value),
        LearnedPhrasings(db).version(),
        AnswerLog(db).latest(user_id, since),
    )


def _read_into(found: list[tuple], db: Database, user_id: int) -> None:
    found.append(_the_four_reads(db, user_id))


def _selects(db: Database, run) -> list[str]:
    seen: list[str] = []

    def executed(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", executed)
    try:
        run()
    finally:
        event.remove(db.engine, "before_cursor_execute", executed)
    return seen


def _submission_id(db: Database, reference: str) -> int:
    with db.session() as session:
        found = session.scalar(select(Submission.id).where(Submission.reference == reference))
    assert found is not None
    return found


def test_what_is_read_ahead_is_what_each_read_gives(db, make_submission):
    """A resident in a dialog with an answer shown, a staff member typing a note, a phrasing
    taught: read ahead or read one by one, the same rows."""
    DraftStore(db).replace(RESIDENT, "d1", "report", {"step": "consent", "answers": {"a": 1}})
    AnswerLog(db).give(RESIDENT, "monitoring-line", "监测线是多少", ["key-groups"])
    StaffPrompts(db).set(STAFF, _submission_id(db, make_submission()), "status", "核实中")
    LearnedPhrasings(db).add("标准是几块钱", "monitoring-line", "unanswered", STAFF)
    for user in (RESIDENT, STAFF, 7999):
        alone = _the_four_reads(db, user)
        ahead: list[tuple] = []
        with db.unit_of_work():
            read_ahead(db, user)
            assert _selects(db, partial(_read_into, ahead, db, user)) == []
        assert ahead == [alone]
    assert alone == (None, None, (1, alone[2][1], 0, None), None)  # nobody's rows but the phrasing


def test_a_write_in_the_update_ends_the_reads_ahead(db):
    """The resident starts a dialog in the same update that read their (missing) draft: a
    read after the write finds the new draft."""
    drafts = DraftStore(db)
    with db.unit_of_work():
        read_ahead(db, RESIDENT)
        assert drafts.load(RESIDENT) is None
        drafts.replace(RESIDENT, "d2", "report", {"step": "consent"})
        draft = drafts.load(RESIDENT)
    assert draft is not None and draft.draft_id == "d2"


def test_an_object_not_yet_flushed_ends_the_reads_ahead(db, make_submission):
    submission_id = _submission_id(db, make_submission())
    with db.unit_of_work(), db.session() as session:
        read_ahead(db, STAFF)
        session.add(StaffPrompt(user_id=STAFF, submission_id=submission_id, action="s", value="v"))
        session.add(Draft(user_id=STAFF, draft_id="d3", dialog="visit", state={}, version=1))
        prompt = StaffPrompts(db).get(STAFF)
        draft = DraftStore(db).load(STAFF)
    assert prompt is not None and prompt.value == "v"
    assert draft is not None and draft.draft_id == "d3"


def test_the_last_answer_read_ahead_counts_only_within_the_callers_window(db):
    answers = AnswerLog(db)
    answers.give(RESIDENT, "monitoring-line", "监测线是多少")
    with db.unit_of_work():
        read_ahead(db, RESIDENT)
        recent = answers.latest(RESIDENT, utcnow() - timedelta(minutes=5))
        later = answers.latest(RESIDENT, utcnow() + timedelta(seconds=1))
    assert recent is not None and recent.entry_id == "monitoring-line"
    assert later is None


def test_outside_an_update_nothing_is_read_ahead(db):
    assert _selects(db, lambda: read_ahead(db, RESIDENT)) == []


def test_a_residents_question_reads_in_one_statement(assistant):
    """A question after an earlier answer, received and applied as the bot does: is it a note,
    a dialog step, a "不对", a rephrasing, were phrasings taught — all asked of one SELECT."""
    say(assistant, RESIDENT, "2024年的监测范围是多少")

    def ask() -> None:
        incoming = Incoming(RESIDENT, RESIDENT, text="集中排查查哪些人", update_id=9101)
        processed = assistant.process_received(9101, incoming)
        assert processed.items and "👍" in str(processed.items[0].reply.buttons)

    selects = _selects(assistant.db, ask)
    assert len(selects) == 1, selects


def test_a_dialog_step_still_reads_the_draft_it_saves(assistant):
    say(assistant, RESIDENT, "/report")
    replies = say(assistant, RESIDENT, "同意")
    assert "乡镇" in replies[0].text
    with assistant.db.session() as session:
        draft = session.get(Draft, RESIDENT)
    assert draft is not None and draft.version == 2


def test_a_residents_button_tap_reads_once_and_writes_no_staff_note(assistant):
    """A tap gives up a staff member's waiting note: for everybody else that is a read, one of
    the update's reads ahead, not a DELETE taking SQLite's write lock before the answer."""
    say(assistant, RESIDENT, "/report")
    statements: list[str] = []

    def executed(_conn, _cursor, statement, *_args) -> None:
        statements.append(" ".join(statement.split()))

    event.listen(assistant.db.engine, "before_cursor_execute", executed)
    try:
        incoming = Incoming(RESIDENT, RESIDENT, callback="menu:status", update_id=9102)
        assert assistant.process_received(9102, incoming).items
    finally:
        event.remove(assistant.db.engine, "before_cursor_execute", executed)
    assert not [s for s in statements if "staff_prompts" in s and not s.startswith("SELECT")]
    assert statements[0].startswith("SELECT") and "drafts" in statements[0]
