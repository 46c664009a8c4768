"""Teaching the bot: one implementation for the chat's `/unanswered` and the web console's
未答问题 page — whose questions a staff member sees, and what linking a question to an entry or
setting it aside does (the rows, the taught phrasing, the audit line, in one unit of work).
Each front end words the outcome in its own texts.

- Reviewers see the questions of their townships' residents (whoever submitted a record there),
  admins everyone's; nobody else any (`askers_of`). The lists show the redacted text only.
- `link`: the question becomes a phrasing of the entry (storage.learning.LearnedPhrasings),
  answered at once by every bot process; every unanswered and doubtful row of that text leaves
  the lists. A decision is about the question, so it holds for everyone who asked it.
- `dismiss`: out of scope, the documents do not answer it — the text leaves the lists, now and
  when it is asked again, and is never taught; every bot process abstains on it from then on,
  and on the same question in nearly the same words (knowledge.learned.SetAside), even where
  it had answered it (a doubtful answer set aside is not given again). `restore` takes that
  back (admins, or whoever set it aside; the web console's 撤回).
- `unteach`: a phrasing taught by mistake is taken back (admins any, a reviewer their own):
  every bot process reads the question as before. Only until it is exported: the YAML then
  carries it, and the YAML is where it is taken out.
"""

from __future__ import annotations

from collections.abc import Collection

from review.access import Role, StaffRole
from storage.database import Database
from storage.learning import (
    DOUBTFUL,
    EVERYONE,
    UNANSWERED,
    Askers,
    Dismissed,
    LearnedPhrasings,
    QuestionGroup,
    Taught,
    TeachingQueue,
)
from storage.repository import AuditLog

NOBODY = Askers(frozenset())
# What the audit log records of a question (the text is redacted already).
AUDITED_TEXT = 200
ORIGINS = {UNANSWERED: "unanswered", DOUBTFUL: "doubtful"}


def askers_of(who: StaffRole) -> Askers:
    """Whose questions `who` may read and decide on."""
    if who.role == Role.ADMIN:
        return EVERYONE
    if who.role == Role.REVIEWER:
        return Askers(frozenset(who.townships))
    return NOBODY


def options(group: QuestionGroup, limit: int = 3) -> list[str]:
    """The entries offered for a question: for a doubtful answer the entry given first
    (linking to it says the answer was right), then up to `limit` nearest others."""
    given = [group.entry_id] if group.entry_id else []
    return given + [e for e in group.nearest if e not in given][:limit]


def link(
    db: Database,
    who: StaffRole,
    kind: str,
    row_id: int,
    entry_id: str,
    known_entries: Collection[str],
) -> QuestionGroup | None:
    """Teach the question to the entry; the question as it was, or None when `who` cannot
    reach it (out of scope, or decided on meanwhile) or the entry does not exist."""
    if entry_id not in known_entries:
        return None
    queue = TeachingQueue(db)
    with db.unit_of_work():
        group = queue.group(kind, row_id, askers_of(who))
        if group is None:
            return None
        LearnedPhrasings(db).add(group.text, entry_id, ORIGINS[kind], who.user_id)
        queue.settle(group.text)
        AuditLog(db).record(who.user_id, "teach_link", entry_id, group.text[:AUDITED_TEXT])
    return group


def dismiss(db: Database, who: StaffRole, kind: str, row_id: int) -> QuestionGroup | None:
    """Set the question aside as out of scope; None when `who` cannot reach it."""
    queue = TeachingQueue(db)
    with db.unit_of_work():
        group = queue.group(kind, row_id, askers_of(who))
        if group is None:
            return None
        queue.dismiss(group.text, who.user_id)
        AuditLog(db).record(who.user_id, "teach_dismiss", None, group.text[:AUDITED_TEXT])
    return group


def may_restore(who: StaffRole, found: Dismissed) -> bool:
    """Admins take back any question set aside; a reviewer those they set aside themselves
    (the text is stored redacted, so whose question it was is not known)."""
    return who.role == Role.ADMIN or (
        who.role == Role.REVIEWER and found.dismissed_by == who.user_id
    )


def restore(db: Database, who: StaffRole, key: str) -> Dismissed | None:
    """Take back a question set aside (`Dismissed.key`): the bot may answer it again. None when
    there is none so or `who` may not (`may_restore`)."""
    queue = TeachingQueue(db)
    with db.unit_of_work():
        found = queue.set_aside_by(key)
        if found is None or not may_restore(who, found):
            return None
        queue.restore(key)
        AuditLog(db).record(who.user_id, "teach_restore", None, found.text[:AUDITED_TEXT])
    return found


def may_unteach(who: StaffRole, taught: Taught) -> bool:
    """Admins take back any phrasing not yet exported into the YAML; a reviewer those they
    taught themselves."""
    if taught.exported_at is not None:
        return False
    return who.role == Role.ADMIN or (who.role == Role.REVIEWER and taught.added_by == who.user_id)


def unteach(db: Database, who: StaffRole, phrasing_id: int) -> Taught | None:
    """Take back a taught phrasing; None when there is none so or `who` may not
    (`may_unteach`)."""
    phrasings = LearnedPhrasings(db)
    with db.unit_of_work():
        found = phrasings.get(phrasing_id)
        if found is None or not may_unteach(who, found):
            return None
        phrasings.remove([phrasing_id])
        AuditLog(db).record(who.user_id, "teach_unlink", found.entry_id, found.text[:AUDITED_TEXT])
    return found


def waiting(db: Database, who: StaffRole, offset: int, limit: int) -> list[QuestionGroup]:
    """The questions waiting for `who`, unanswered ones (most asked first) before doubtful
    ones (most often first): `limit` of them from position `offset`."""
    askers = askers_of(who)
    queue = TeachingQueue(db)
    unanswered, _ = queue.counts(askers)
    found: list[QuestionGroup] = []
    if offset < unanswered:
        found = queue.unanswered(askers, offset, limit)
    if len(found) < limit:
        found += queue.doubtful(askers, max(offset - unanswered, 0), limit - len(found))
    return found


def waiting_count(db: Database, who: StaffRole) -> tuple[int, int]:
    """(unanswered, doubtful) questions waiting for `who`."""
    return TeachingQueue(db).counts(askers_of(who))
