"""Personal data stays where it belongs: masked before it is stored, never in the log, and in
files only their owner can read."""

from __future__ import annotations

import logging
import stat
from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError

from assistant.service import Assistant
from storage.database import Database, open_database
from storage.models import UnansweredQuestion
from storage.repository import NewSubmission, StaffDirectory, SubmissionStore, mask_numbers
from tests.chat import discard, say, tap

ADMIN, SHUIYANG_REVIEWER, LIQIAO_REVIEWER, RESIDENT = 1, 2, 3, 100

PHONES_AND_IDS = [
    "13800138000",
    "138-0013-8000",
    "138 0013 8000",
    "+86 138 0013 8000",
    "+8613800138000",
    "0563-1234567",
    "340102199001011234",
    "34010219900101123X",
    "34010219900101123x",
    "340102 19900101 123X",
    "340102-19900101-1234",
    "一三八零零一三八零零零",
    "幺三八零零幺三八零零零",
    "１３８００１３８０００",
]


@pytest.mark.parametrize("number", PHONES_AND_IDS)
def test_every_way_of_writing_a_phone_or_id_number_is_masked(number):
    masked = mask_numbers(f"我的号码是{number}，补贴咋领")
    digits = [c for c in masked if c.isdigit() or c in "一三八零幺xX"]
    assert not digits, f"{number!r} → {masked!r}"
    assert masked.startswith("我的号码是") and masked.endswith("，补贴咋领")


def test_ordinary_numbers_in_a_question_are_kept():
    assert mask_numbers("2024年监测线9100元，家里4口人收入三万二") == (
        "2024年监测线9100元，家里4口人收入三万二"
    )


QUESTION = "我叫张伟，电话138-0013-8000，身份证340102 19900101 123X，邻居家的狗咬了李秀英能赔吗"
SECRETS = ("张伟", "李秀英", "0013", "8000", "340102", "123X", "19900101")


def test_reviewers_see_only_masked_questions_of_their_townships_residents(
    kb, db: Database, make_submission
):
    assistant = Assistant(kb, db, admin_ids=frozenset({ADMIN}))
    directory = StaffDirectory(db)
    directory.add(SHUIYANG_REVIEWER, "reviewer", ["水阳镇"], added_by=ADMIN)
    directory.add(LIQIAO_REVIEWER, "reviewer", ["狸桥镇"], added_by=ADMIN)
    make_submission(submitted_by=RESIDENT)  # the resident reported from 水阳镇
    say(assistant, RESIDENT, QUESTION)
    with db.session() as session:  # a row stored before questions were masked this way
        old = UnansweredQuestion(
            text="我是王芳，电话138 0013 8000，狗咬人赔吗", best_score=0, user_id=RESIDENT
        )
        session.add(old)
    with db.session() as session:
        stored = " ".join(q.text for q in session.query(UnansweredQuestion))
    assert "邻居家的狗" in stored
    for secret in SECRETS:
        assert secret not in stored.replace("王芳", "").replace("138 0013 8000", ""), secret
    for reviewer in (SHUIYANG_REVIEWER, ADMIN):
        seen = ""
        replies = discard(say(assistant, reviewer, "/unanswered"))
        for _ in range(3):  # the questions, one at a time
            seen += "\n".join(r.text for r in replies)
            nexts = [b.data for r in replies for row in r.buttons for b in row if "➡️" in b.label]
            if not nexts:
                break
            replies = discard(tap(assistant, reviewer, nexts[0]))
        assert "邻居家的狗" in seen and "某某" in seen and "狗咬人赔吗" in seen
        for secret in (*SECRETS, "王芳", "138 0013"):
            assert secret not in seen, (reviewer, secret, seen)
    elsewhere = "\n".join(r.text for r in discard(say(assistant, LIQIAO_REVIEWER, "/unanswered")))
    assert "狗" not in elsewhere, "another township's resident's question"


def test_a_failing_submit_never_writes_name_phone_or_income_to_the_log(db: Database, caplog):
    """A database error during submit: the exception text, as the error handler logs it, and
    whatever SQLAlchemy logs, hold no parameter values."""
    caplog.set_level(logging.DEBUG)
    for name in ("sqlalchemy", "sqlalchemy.engine", "sqlalchemy.engine.Engine", "sqlalchemy.pool"):
        caplog.set_level(logging.DEBUG, logger=name)
    # NOT NULL refused on both (PostgreSQL would add "Failing row contains (…)"), and a value
    # too long for PostgreSQL's VARCHAR(16).
    for draft_id in ("leak0001", "x" * 40):
        _fail_to_submit(db, draft_id)
    logged = caplog.text
    for secret in ("赵铁柱", "13987654321", "31415", "7853"):
        assert secret not in logged, secret


def _fail_to_submit(db: Database, draft_id: str) -> None:
    new = NewSubmission(
        dialog="report",
        draft_id=draft_id,
        submitted_by=RESIDENT,
        answers={"contact_name": "赵铁柱"},
        township="水阳镇",
        village="红星村",
        contact_name="赵铁柱",
        phone="13987654321",
        household_size=4,
        annual_income=31415,
        per_capita_income=7853,
        priority=None,  # type: ignore[arg-type]  # NOT NULL: refused on SQLite too
        priority_reasons=[],
    )
    with pytest.raises(Exception) as failure:
        SubmissionStore(db).submit(new)
    logging.getLogger("handlers.telegram_app").error("update 1 failed", exc_info=failure.value)
    assert isinstance(failure.value, IntegrityError) or "StringDataRightTruncation" in repr(
        failure.value
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_sqlite_database_and_its_wal_files_are_readable_by_the_owner_only(tmp_path):
    folder = tmp_path / "data"
    db = open_database(f"sqlite:///{folder / 'assistant.db'}")
    SubmissionStore(db)  # the migrations wrote; write once more so -wal and -shm exist
    from storage.repository import UnansweredLog

    UnansweredLog(db).record("补贴咋领", 0.1, None, 1)
    files = sorted(folder.glob("assistant.db*"))
    assert {p.name for p in files} >= {"assistant.db", "assistant.db-wal", "assistant.db-shm"}
    for path in files:
        assert _mode(path) == 0o600, (path.name, oct(_mode(path)))
    assert _mode(folder) == 0o700
    db.engine.dispose()


def test_exports_from_the_command_line_are_readable_by_the_owner_only(tmp_path, bot_cli):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    for fmt, out in (("xlsx", tmp_path / "申报.xlsx"), ("csv", tmp_path / "申报.csv")):
        result = bot_cli("export", "--format", fmt, "--out", str(out), env={"DATABASE_URL": url})
        assert result.returncode == 0, result.stderr
    written = [p for p in tmp_path.iterdir() if p.name.startswith("申报")]
    assert len(written) >= 4
    for path in written:
        assert _mode(path) == 0o600, (path.name, oct(_mode(path)))


def test_a_staff_export_file_and_the_console_copy_are_readable_by_the_owner_only(
    assistant, tmp_path, monkeypatch
):
    from handlers.console import render

    replies = say(assistant, 0, "/export")
    assert replies[0].text  # the console user 0 is not staff here
    admin = Assistant(assistant.kb, assistant.db, admin_ids=frozenset({ADMIN}))
    replies = say(admin, ADMIN, "/export")
    (document,) = [r.document for r in replies if r.document is not None]
    assert _mode(document) == 0o600 and _mode(document.parent) == 0o700
    monkeypatch.chdir(tmp_path)
    render(replies)  # the console keeps it under data/exports/
    (kept,) = (tmp_path / "data" / "exports").iterdir()
    assert _mode(kept) == 0o600
    assert _mode(tmp_path / "data" / "exports") == 0o700 and _mode(tmp_path / "data") == 0o700
    chart = say(admin, ADMIN, "/stats")
    render(chart)
    for path in (tmp_path / "data" / "exports").iterdir():
        assert _mode(path) == 0o600, path.name
