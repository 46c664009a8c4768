"""Roles and scopes: who may do what, and which submissions they may see.

- admin: the ADMIN_IDS users and anyone an admin adds — every submission; manages staff;
- reviewer: the townships they are scoped to; changes status, assigns, exports;
- cadre: the households they recorded themselves or were assigned to verify (and may run the
  staff dialogs, such as /visit).
Everyone else sees no submission but their own (through /status and /mydata).

`StaffAccess.who(user_id)` builds a `StaffRole` from the staff table (`storage.repository.
StaffDirectory`) and the ADMIN_IDS setting; `StaffRole` answers every permission question,
so the vocabulary of roles lives here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import false, or_
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Submission
from storage.repository import StaffDirectory


class Role(StrEnum):
    ADMIN = "admin"
    REVIEWER = "reviewer"
    CADRE = "cadre"


ROLES = tuple(role.value for role in Role)
ROLE_NAMES = {Role.ADMIN: "管理员", Role.REVIEWER: "审核员", Role.CADRE: "村干部"}


class Need(StrEnum):
    """What an action requires of the caller."""

    STAFF = "staff"  # any role
    REVIEW = "review"  # admin or reviewer: status changes, assignment, export, unanswered
    ADMIN = "admin"  # staff management, the audit log


@dataclass(frozen=True)
class Scope:
    """The submissions one staff member may read."""

    everything: bool = False
    townships: frozenset[str] = frozenset()
    recorded_by: int | None = None  # a cadre: recorded by them, or assigned to them

    def allows(self, submission: Submission) -> bool:
        if self.everything:
            return True
        if submission.township in self.townships:
            return True
        return self.recorded_by is not None and self.recorded_by in (
            submission.submitted_by,
            submission.assigned_to,
        )

    def covers_township(self, township: str) -> bool:
        return self.everything or township in self.townships

    def where(self) -> ColumnElement[bool]:
        """The same rule as a SQL condition on `submissions`."""
        if self.everything:
            return Submission.id.is_not(None)
        conditions: list[ColumnElement[bool]] = []
        if self.townships:
            conditions.append(Submission.township.in_(sorted(self.townships)))
        if self.recorded_by is not None:
            conditions.append(Submission.submitted_by == self.recorded_by)
            conditions.append(Submission.assigned_to == self.recorded_by)
        return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class StaffRole:
    user_id: int
    role: Role | None  # None: not staff
    townships: tuple[str, ...] = ()

    @property
    def scope(self) -> Scope:
        if self.role == Role.ADMIN:
            return Scope(everything=True)
        if self.role == Role.REVIEWER:
            return Scope(townships=frozenset(self.townships))
        if self.role == Role.CADRE:
            return Scope(recorded_by=self.user_id)
        return Scope()

    @property
    def is_staff(self) -> bool:
        return self.role is not None

    def may(self, need: Need) -> bool:
        if need == Need.STAFF:
            return self.is_staff
        if need == Need.REVIEW:
            return self.role in (Role.ADMIN, Role.REVIEWER)
        return self.role == Role.ADMIN


class StaffAccess:
    """Roles from the staff table; the ADMIN_IDS users are admins whatever the table says."""

    def __init__(self, directory: StaffDirectory, admin_ids: frozenset[int] = frozenset()):
        self.directory = directory
        self.admin_ids = admin_ids

    def who(self, user_id: int) -> StaffRole:
        if user_id in self.admin_ids:
            return StaffRole(user_id, Role.ADMIN)
        member = self.directory.get(user_id)
        if member is None or member.role not in ROLES:
            return StaffRole(user_id, None)
        return StaffRole(user_id, Role(member.role), tuple(member.townships or ()))
