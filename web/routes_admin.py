"""人员 and 审计 (admins); 未答问题 is web.routes_teaching.

- GET /staff: the staff list (ADMIN_IDS admins first); POST /staff/add (user id, role,
  townships) and /staff/remove, each written to the audit log as /staff does; removing someone
  ends their web sessions at once.
- GET /audit: the latest audit entries in Chinese words, people by name where known.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from review import texts as review_texts
from review.access import ROLE_NAMES, ROLES, Role
from review.staffing import Refusal, add_staff, remove_staff
from review.workflow import audit_people, person, person_with_id
from storage.models import to_local
from web import texts
from web.auth import Admin, AdminForm, Viewer, console_of
from web.console import Console
from web.render import page

router = APIRouter()
AUDIT_ROWS = 200
_PERSON_TARGETS = frozenset({"staff_add", "staff_remove"})


def staff_page(
    request: Request, seen: Viewer, *, message: str = "", error: str = "", status_code: int = 200
) -> Response:
    console = console_of(request)
    members = console.directory.members()
    admin_ids = sorted(console.access.admin_ids)
    names = console.people.names([*admin_ids, *(m.user_id for m in members)])
    listed = [
        {
            "user_id": uid,
            "name": person_with_id(uid, names),
            "role": ROLE_NAMES[Role.ADMIN] + texts.STAFF_ADMIN_FROM_SETTINGS,
            "townships": "",
            "removable": False,
        }
        for uid in admin_ids
    ]
    listed += [
        {
            "user_id": m.user_id,
            "name": person_with_id(m.user_id, names),
            "role": ROLE_NAMES[Role(m.role)] if m.role in ROLES else m.role,
            "townships": "、".join(m.townships or ()),
            "removable": True,
        }
        for m in members
    ]
    return page(
        request,
        "staff.html",
        texts.PAGE_STAFF,
        seen,
        status_code=status_code,
        members=listed,
        roles=[(role, ROLE_NAMES[Role(role)]) for role in ROLES],
        townships=console.catalog.township_names(),
        message=message,
        error=error,
    )


@router.get("/staff")
def staff(request: Request, seen: Admin) -> Response:
    return staff_page(request, seen)


def _user_id(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 15 else None


def _label(console: Console, user_id: int) -> str:
    return person_with_id(user_id, console.people.names([user_id]))


@router.post("/staff/add")
def staff_add(request: Request, sent: AdminForm) -> Response:
    console, seen = console_of(request), sent.viewer
    user_id, role, townships = (
        _user_id(sent.get("user_id")),
        sent.get("role"),
        sent.get_all("townships"),
    )
    if user_id is None:
        return staff_page(request, seen, error=texts.STAFF_BAD_ID, status_code=400)
    known = console.catalog.township_names()
    refused = add_staff(console.db, seen.user_id, user_id, role, townships, known)
    if refused is not None:
        if refused.why is Refusal.UNKNOWN_ROLE:
            error = texts.STAFF_BAD_ROLE
        elif refused.why is Refusal.UNKNOWN_TOWNSHIPS:
            error = texts.STAFF_UNKNOWN_TOWNSHIPS.format(townships="、".join(refused.unknown)[:100])
        else:
            error = texts.STAFF_REVIEWER_NEEDS_TOWNSHIP
        return staff_page(request, seen, error=error, status_code=400)
    message = texts.STAFF_ADDED.format(user=_label(console, user_id), role=ROLE_NAMES[Role(role)])
    return staff_page(request, seen, message=message)


@router.post("/staff/remove")
def staff_remove(request: Request, sent: AdminForm) -> Response:
    console, seen = console_of(request), sent.viewer
    user_id = _user_id(sent.get("user_id"))
    if user_id is None:
        return staff_page(request, seen, error=texts.STAFF_BAD_ID, status_code=400)
    removed = remove_staff(console.db, seen.user_id, user_id)
    template = texts.STAFF_REMOVED if removed else texts.STAFF_NOT_MEMBER
    return staff_page(request, seen, message=template.format(user=_label(console, user_id)))


@router.get("/audit")
def audit(request: Request, seen: Admin) -> Response:
    console = console_of(request)
    entries = console.audit.latest(AUDIT_ROWS)
    names = console.people.names(audit_people(entries))
    rows = []
    for entry in entries:
        target = entry.target or ""
        if entry.action in _PERSON_TARGETS and target.isdigit():
            target = person_with_id(int(target), names)
        rows.append(
            {
                "at": to_local(entry.at),
                "actor": person(entry.actor_id, names),
                "action": review_texts.AUDIT_ACTIONS.get(entry.action, entry.action),
                "target": target,
                "detail": entry.detail or "",
            }
        )
    return page(request, "audit.html", texts.PAGE_AUDIT, seen, rows=rows)
