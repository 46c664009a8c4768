"""The review workflow as data and formatting: allowed status changes, masked phones, ages, and
the full record of one submission as staff see it (all user text HTML-escaped)."""

from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, datetime

from dialogs.kinds import format_answer
from dialogs.spec import Catalog
from review import texts
from storage.models import (
    STATUS_CHECKING,
    STATUS_INCLUDED,
    STATUS_NEW,
    STATUS_NOT_ELIGIBLE,
    STATUS_REFERRED,
    AuditEntry,
    StatusChange,
    Submission,
    to_local,
)

# 待核实 → 核实中 → 已纳入监测 / 不符合条件 / 已转办; the last three are final.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    STATUS_NEW: (STATUS_CHECKING,),
    STATUS_CHECKING: (STATUS_INCLUDED, STATUS_NOT_ELIGIBLE, STATUS_REFERRED),
}
MAX_NOTE = 500


def person(user_id: int, names: Mapping[int, str]) -> str:
    """Who someone is to staff: their name, else their id (plain text; escape it for HTML)."""
    return names.get(user_id) or str(user_id)


def person_with_id(user_id: int, names: Mapping[int, str]) -> str:
    """王芳（6012345678）, or the id alone when no name is known."""
    name = names.get(user_id)
    return texts.PERSON_WITH_ID.format(name=name, user_id=user_id) if name else str(user_id)


# Audit actions whose target is a user id.
_PERSON_TARGETS = frozenset({"staff_add", "staff_remove"})


def audit_people(entries: list[AuditEntry]) -> set[int]:
    """The user ids the audit lines name: actors, and the targets of staff changes."""
    ids = {entry.actor_id for entry in entries}
    ids.update(
        int(entry.target)
        for entry in entries
        if entry.action in _PERSON_TARGETS and entry.target and entry.target.isdigit()
    )
    return ids


def audit_line(entry: AuditEntry, names: Mapping[int, str]) -> str:
    """One audit entry in Chinese, the actor by name (escaped for Telegram HTML)."""
    target = entry.target or ""
    if entry.action in _PERSON_TARGETS and target.isdigit():
        target = person_with_id(int(target), names)
    return texts.AUDIT_LINE.format(
        at=to_local(entry.at),
        actor=html.escape(person(entry.actor_id, names)),
        action=html.escape(texts.AUDIT_ACTIONS.get(entry.action, entry.action)),
        target=html.escape(target),
        detail=html.escape((entry.detail or "")[:60]),
    ).rstrip()


def mask_phone(phone: str | None) -> str:
    """138****5678 for mobiles; landlines keep the area code: 0563-***1280."""
    if not phone:
        return texts.NO_PHONE
    if "-" in phone:
        area, number = phone.split("-", 1)
        return f"{area}-{'*' * max(len(number) - 4, 0)}{number[-4:]}"
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "****"


def age(created: datetime, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    days = (now - created).days
    if days >= 1:
        return texts.DAYS_AGO.format(days=days)
    hours = int((now - created).total_seconds() // 3600)
    return texts.HOURS_AGO.format(hours=hours) if hours >= 1 else texts.JUST_NOW


def place(submission: Submission) -> str:
    return f"{submission.township or texts.NO_TOWNSHIP}{submission.village or ''}"


def queue_line(submission: Submission, mark: str | None = None) -> str:
    """One queue row; `mark` first when its kind of record is marked (回电请求)."""
    return " · ".join(
        html.escape(part)
        for part in (
            *([mark] if mark else []),
            submission.reference or "",
            place(submission),
            submission.priority,
            submission.status,
            age(submission.created_at),
            mask_phone(submission.phone),
        )
    )


def record_text(
    submission: Submission,
    catalog: Catalog,
    history: list[StatusChange],
    deletion_requested: bool,
    names: Mapping[int, str],
    photos: int = 0,
) -> str:
    """Everything staff need on one submission, escaped for Telegram HTML; people by name
    (`names`: user id → name, for those known); `photos`: how many are attached."""
    e = html.escape
    dialog = catalog.dialogs.get(submission.dialog)
    title = dialog.title if dialog else submission.dialog
    lines = [
        texts.RECORD_TITLE.format(reference=e(submission.reference or ""), title=e(title)),
        texts.RECORD_SUBMITTED.format(
            created=to_local(submission.created_at), status=e(submission.status)
        ),
        texts.RECORD_PRIORITY.format(priority=e(submission.priority)),
    ]
    lines.extend(
        texts.RECORD_REASON.format(reason=e(reason)) for reason in submission.priority_reasons or []
    )
    if submission.assigned_to:
        cadre = person_with_id(submission.assigned_to, names)
        lines.append(texts.RECORD_ASSIGNED.format(cadre=e(cadre)))
    if deletion_requested:
        lines.append(texts.RECORD_DELETION_REQUESTED)
    if photos:
        lines.append(texts.RECORD_PHOTOS.format(count=photos))
    lines.append(texts.RECORD_ANSWERS)
    if dialog is not None:
        for heading, steps in dialog.answer_groups(submission.answers):
            if heading:
                lines.append(texts.RECORD_GROUP.format(heading=e(heading)))
            for step in steps:
                value = format_answer(step, submission.answers)
                lines.append(texts.RECORD_ANSWER.format(label=e(step.label), value=e(value)))
    if history:
        lines.append(texts.RECORD_HISTORY)
        for change in history:
            moved = texts.STATUS_MOVE.format(before=change.from_status, after=change.to_status)
            arrow = change.to_status if change.from_status == change.to_status else moved
            lines.append(
                texts.RECORD_CHANGE.format(
                    at=to_local(change.changed_at),
                    change=e(arrow),
                    actor=e(person(change.changed_by, names)),
                    note=e(change.note),
                )
            )
    return "\n".join(lines)
