"""The review workflow as data and formatting: allowed status changes, masked phones, ages, and
the full record of one submission as staff see it (all user text HTML-escaped)."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from dialogs.engine import format_value
from dialogs.spec import Catalog
from storage.models import (
    STATUS_CHECKING,
    STATUS_INCLUDED,
    STATUS_NEW,
    STATUS_NOT_ELIGIBLE,
    STATUS_REFERRED,
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


def mask_phone(phone: str | None) -> str:
    """138****5678 for mobiles; landlines keep the area code: 0563-***1280."""
    if not phone:
        return "无电话"
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
        return f"{days}天前"
    hours = int((now - created).total_seconds() // 3600)
    return f"{hours}小时前" if hours >= 1 else "刚刚"


def place(submission: Submission) -> str:
    return f"{submission.township or '未填乡镇'}{submission.village or ''}"


def queue_line(submission: Submission) -> str:
    return " · ".join(
        html.escape(part)
        for part in (
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
) -> str:
    """Everything staff need on one submission, escaped for Telegram HTML."""
    e = html.escape
    dialog = catalog.dialogs.get(submission.dialog)
    lines = [
        f"<b>{e(submission.reference or '')}</b> · {e(dialog.title if dialog else submission.dialog)}",
        f"提交：{to_local(submission.created_at):%Y-%m-%d %H:%M} · 状态：<b>{e(submission.status)}</b>",
        f"优先级：<b>{e(submission.priority)}</b>",
    ]
    lines.extend(f"  - {e(reason)}" for reason in submission.priority_reasons or [])
    if submission.assigned_to:
        lines.append(f"指派干部：{submission.assigned_to}")
    if deletion_requested:
        lines.append("⚠️ 申报人已申请删除此记录，请按规定处理。")
    lines.append("\n<b>填报内容</b>")
    if dialog is not None:
        for step in dialog.steps:
            if step.kind == "consent" or step.key not in submission.answers:
                continue
            value = format_value(step, submission.answers[step.key])
            lines.append(f"• {e(step.label)}：{e(value)}")
    if history:
        lines.append("\n<b>办理记录</b>")
        for change in history:
            arrow = (
                change.to_status
                if change.from_status == change.to_status
                else f"{change.from_status} → {change.to_status}"
            )
            lines.append(
                f"• {to_local(change.changed_at):%Y-%m-%d %H:%M} {e(arrow)}（{change.changed_by}）：{e(change.note)}"
            )
    return "\n".join(lines)
