"""Roles and scopes: which submissions a user may see.

- admin: the ADMIN_IDS users and anyone an admin adds — every submission;
- reviewer: the townships they are scoped to;
- cadre: the households they recorded themselves or were assigned to verify (and may run /visit).
Everyone else sees no submission but their own (through /status and /mydata).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import false, or_
from sqlalchemy.sql.elements import ColumnElement

from storage.models import Submission

ROLES = ("admin", "reviewer", "cadre")
ROLE_NAMES = {"admin": "管理员", "reviewer": "审核员", "cadre": "村干部"}


@dataclass(frozen=True)
class Scope:
    """The submissions one staff member may read."""

    everything: bool = False
    townships: frozenset[str] = frozenset()
    recorded_by: int | None = None  # a cadre: recorded by them, or assigned to them

    @property
    def empty(self) -> bool:
        return not self.everything and not self.townships and self.recorded_by is None

    def allows(self, submission: Submission) -> bool:
        if self.everything:
            return True
        if submission.township in self.townships:
            return True
        return self.recorded_by is not None and self.recorded_by in (
            submission.submitted_by,
            submission.assigned_to,
        )

    def where(self) -> ColumnElement[bool]:
        """The same rule as a SQL condition on `submissions`."""
        if self.everything:
            return Submission.id.is_not(None)
        conditions = []
        if self.townships:
            conditions.append(Submission.township.in_(sorted(self.townships)))
        if self.recorded_by is not None:
            conditions.append(Submission.submitted_by == self.recorded_by)
            conditions.append(Submission.assigned_to == self.recorded_by)
        return or_(*conditions) if conditions else false()


@dataclass(frozen=True)
class StaffRole:
    user_id: int
    role: str | None  # None: not staff
    townships: tuple[str, ...] = ()

    @property
    def scope(self) -> Scope:
        if self.role == "admin":
            return Scope(everything=True)
        if self.role == "reviewer":
            return Scope(townships=frozenset(self.townships))
        if self.role == "cadre":
            return Scope(recorded_by=self.user_id)
        return Scope()

    @property
    def is_staff(self) -> bool:
        return self.role in ROLES
