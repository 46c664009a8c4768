"""Adding and removing staff: one implementation for the bot's `/staff add|remove` and the web
console's 人员 page. The checks (a known role; known townships; a reviewer needs one), the staff
row and the audit line are here; each front end words the outcome in its own texts.

Removing someone also ends every web-console session they hold, in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from review.access import ROLES, Role
from storage.console_store import WebSessions
from storage.database import Database
from storage.repository import AuditLog, StaffDirectory


class Refusal(StrEnum):
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_TOWNSHIPS = "unknown_townships"
    REVIEWER_WITHOUT_TOWNSHIP = "reviewer_without_township"


@dataclass(frozen=True)
class Refused:
    why: Refusal
    unknown: tuple[str, ...] = ()  # the townships not in the catalog


def add_staff(
    db: Database,
    actor: int,
    user_id: int,
    role: str,
    townships: Sequence[str],
    known_townships: Sequence[str],
) -> Refused | None:
    """Add (or change) a staff member and audit it; what was wrong, if it was refused."""
    if role not in ROLES:
        return Refused(Refusal.UNKNOWN_ROLE)
    known = set(known_townships)
    unknown = tuple(t for t in townships if t not in known)
    if unknown:
        return Refused(Refusal.UNKNOWN_TOWNSHIPS, unknown)
    if role == Role.REVIEWER and not townships:
        return Refused(Refusal.REVIEWER_WITHOUT_TOWNSHIP)
    with db.unit_of_work():
        StaffDirectory(db).add(user_id, role, list(townships), added_by=actor)
        AuditLog(db).record(actor, "staff_add", str(user_id), f"{role} {' '.join(townships)}")
    return None


def remove_staff(db: Database, actor: int, user_id: int) -> bool:
    """Remove a staff member, end their web sessions, audit it; False if they were not staff."""
    with db.unit_of_work():
        removed = StaffDirectory(db).remove(user_id)
        WebSessions(db).end_all(user_id)
        AuditLog(db).record(actor, "staff_remove", str(user_id))
    return removed
