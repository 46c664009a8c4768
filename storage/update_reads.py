"""The rows every plain message reads first, in one statement instead of four.

A message typed (or a photo sent) outside a command asks, before anything else: is this a
staff member's status note (`StaffPrompts.get`)? is a dialog in progress (`DraftStore.load`)?
and, for a question, were phrasings taught since this process last looked
(`LearnedPhrasings.version`)? was the last answer shown just now (`AnswerLog.latest`, for a
"不对" or a rephrasing)? Four statements, each a round trip to PostgreSQL, for rows that all
hang off the user's id.

`read_ahead(db, user_id)` reads them together — the taught-phrasing count as a one-row table
the others are left-joined to — and hands them to the unit of work (`Database.read_ahead`).
Each repository's read asks the unit of work first, so the four reads become one statement
and nothing else changes: the reads ahead are dropped at the unit of work's first write, and
a repository read after that goes to the database as before. The last answer is read without
a time window; `AnswerLog.latest` applies its caller's window to it.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import BigInteger, Row, Table, bindparam, select

from storage.database import Database
from storage.driver_sql import Prepared
from storage.learning import GIVEN, LATEST_READ, VERSION, VERSION_READ, given_answer
from storage.models import Draft, StaffPrompt
from storage.repository import DRAFT_COLUMNS, DRAFT_READ, PROMPT_READ, staff_prompt, stored_draft

_DRAFTS = cast(Table, Draft.__table__)
_PROMPTS = cast(Table, StaffPrompt.__table__)

_USER = bindparam("user_id", type_=BigInteger)
_PROMPT_COLUMNS = tuple(column.name for column in _PROMPTS.columns)
_GIVEN_COLUMNS = ("id", "user_id", "entry_id", "question", "nearest", "given_at")

# Always one row: the taught-phrasing version (`LearnedPhrasings.version`), whatever else is there.
_taught = VERSION.subquery("taught")
# The user's last answer, by the (user_id, given_at) index.
_last_given = (
    select(GIVEN.c.id)
    .where(GIVEN.c.user_id == _USER)
    .order_by(GIVEN.c.given_at.desc())
    .limit(1)
    .scalar_subquery()
)
_READS = select(
    _taught.c.taught,
    _taught.c.highest_taught,
    _taught.c.set_aside,
    _taught.c.latest_set_aside,
    *(_DRAFTS.c[name].label(f"draft_{name}") for name in DRAFT_COLUMNS),
    *(_PROMPTS.c[name].label(f"prompt_{name}") for name in _PROMPT_COLUMNS),
    *(GIVEN.c[name].label(f"given_{name}") for name in _GIVEN_COLUMNS),
).select_from(
    _taught.outerjoin(_DRAFTS, _DRAFTS.c.user_id == _USER)
    .outerjoin(_PROMPTS, _PROMPTS.c.user_id == _USER)
    .outerjoin(GIVEN, GIVEN.c.id == _last_given)
)
_READ_ALL = Prepared(_READS)


def _part(row: Row[Any], prefix: str, names: tuple[str, ...]) -> SimpleNamespace:
    return SimpleNamespace(**{name: getattr(row, f"{prefix}_{name}") for name in names})


def read_ahead(db: Database, user_id: int) -> None:
    """Read the user's draft, staff prompt and last answer and the taught-phrasing version in
    one statement, for the repositories' reads in the unit of work open (none: nothing read)."""
    if not db.in_unit_of_work():
        return
    with db.connection() as connection:
        row = _READ_ALL.run(connection, {"user_id": user_id}).one()
    given = _part(row, "given", _GIVEN_COLUMNS)
    db.read_ahead(
        {
            VERSION_READ: (
                row.taught or 0,
                row.highest_taught or 0,
                row.set_aside or 0,
                row.latest_set_aside,
            ),
            (DRAFT_READ, user_id): stored_draft(_part(row, "draft", DRAFT_COLUMNS)),
            (PROMPT_READ, user_id): staff_prompt(_part(row, "prompt", _PROMPT_COLUMNS)),
            (LATEST_READ, user_id): given_answer(given) if given.id is not None else None,
        }
    )
