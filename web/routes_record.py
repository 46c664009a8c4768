"""记录: one submission, and the two things reviewers do to it.

GET /records/<reference>: every answer in the dialog's order, the triage reasons, the status
history, a deletion request, how many photos are attached (the bot's /view sends them); for
reviewers and admins the allowed status changes (note required) and assignment to a cadre
chosen by name. A reference outside the viewer's scope is
404, word for word the page of one that does not exist. Each view is written to the audit log.

POST /records/<reference>/status and /assign change the record as /view's buttons and /assign
do in the bot (`ReviewStore.change_status` / `assign`, which write the history and the audit
rows), and in the same transaction write the resident's (or cadre's) notification to the
outbox, worded as the bot words it: the bot process sends it.
"""

from __future__ import annotations

import html
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from common.messages import Reply
from dialogs.kinds import format_answer
from review import texts as review_texts
from review.access import ROLE_NAMES, Need, Role
from review.workflow import MAX_NOTE, TRANSITIONS, mask_phone, person, person_with_id, place
from storage.models import Submission, to_local
from web import texts
from web.auth import NotFound, ReviewForm, Staff, Viewer, console_of
from web.console import Console
from web.filters import dialog_choices
from web.render import page, redirect

router = APIRouter()
_REFERENCE = re.compile(r"^FP[0-9]{6,12}$", re.IGNORECASE)
DONE = {
    "status": "状态已更新，通知已交给机器人发送。",
    "assigned": "已指派，通知已交给机器人发送。",
}


def find(console: Console, seen: Viewer, reference: str) -> Submission:
    """The submission if it exists and the viewer may see it; else NotFound (same either way)."""
    if not _REFERENCE.match(reference):
        raise NotFound
    submission = console.submissions.by_reference(reference.upper())
    if submission is None or not seen.who.scope.allows(submission):
        raise NotFound
    return submission


def cadres(console: Console) -> list[tuple[int, str]]:
    """(user id, 王芳（6012345678）) of every cadre, by name."""
    ids = [m.user_id for m in console.directory.members() if m.role == Role.CADRE]
    names = console.people.names(ids)
    return sorted(((uid, person_with_id(uid, names)) for uid in ids), key=lambda c: c[1])


def record_page(
    request: Request,
    console: Console,
    seen: Viewer,
    submission: Submission,
    *,
    message: str = "",
    error: str = "",
    status_code: int = 200,
) -> Response:
    history = console.review.history(submission.id)
    names = console.people.names([submission.assigned_to, *(c.changed_by for c in history)])
    dialog = console.catalog.dialogs.get(submission.dialog)
    answers: list[tuple[str, list[tuple[str, str]]]] = []
    if dialog is not None:
        answers = [
            (heading, [(step.label, format_answer(step, submission.answers)) for step in steps])
            for heading, steps in dialog.answer_groups(submission.answers)
        ]
    changes: list[dict[str, Any]] = [
        {
            "at": to_local(change.changed_at),
            "change": change.to_status
            if change.from_status == change.to_status
            else review_texts.STATUS_MOVE.format(before=change.from_status, after=change.to_status),
            "actor": person(change.changed_by, names),
            "note": change.note,
        }
        for change in history
    ]
    reviewer = seen.may(Need.REVIEW)
    return page(
        request,
        "record.html",
        texts.PAGE_RECORD.format(reference=submission.reference or ""),
        seen,
        status_code=status_code,
        s=submission,
        kind=dialog_choices(console.catalog).get(submission.dialog, submission.dialog),
        dialog_title=dialog.title if dialog else submission.dialog,
        created=to_local(submission.created_at),
        place=place(submission),
        phone=submission.phone or mask_phone(None),
        assigned=person_with_id(submission.assigned_to, names) if submission.assigned_to else "",
        answers=answers,
        changes=changes,
        deletion=console.review.deletion_requested(submission.id),
        photos=console.attachments.count_of([submission.id]).get(submission.id, 0),
        transitions=TRANSITIONS.get(submission.status, ()) if reviewer else (),
        cadres=cadres(console) if reviewer else [],
        max_note=MAX_NOTE,
        message=message,
        error=error,
        role_names=ROLE_NAMES,
    )


@router.get("/records/{reference}")
def record(request: Request, reference: str, seen: Staff, done: str = "") -> Response:
    console = console_of(request)
    submission = find(console, seen, reference)
    console.audit.record(seen.user_id, "view", submission.reference, texts.AUDIT_VIA_WEB)
    return record_page(request, console, seen, submission, message=DONE.get(done, ""))


def _note(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@router.post("/records/{reference}/status")
def change_status(request: Request, reference: str, sent: ReviewForm) -> Response:
    console, seen = console_of(request), sent.viewer
    submission = find(console, seen, reference)
    status, note = sent.get("status"), _note(sent.get("note"))
    ref = submission.reference or ""
    before = submission.status
    error = ""
    if status not in TRANSITIONS.get(before, ()):
        error = texts.STATUS_NOT_ALLOWED.format(reference=ref, current=before, status=status[:20])
    elif not note:
        error = texts.NOTE_REQUIRED.format(limit=MAX_NOTE)
    elif len(note) > MAX_NOTE:
        error = texts.NOTE_TOO_LONG.format(length=len(note), limit=MAX_NOTE)
    if error:
        return record_page(request, console, seen, submission, error=error, status_code=400)
    notices = console.notices
    with console.db.unit_of_work():
        changed = console.review.change_status(submission.id, seen.user_id, before, status, note)
        dialog = console.catalog.dialogs.get(submission.dialog)
        if changed and dialog is not None and dialog.about_submitter:
            notice = notices.status.format(
                reference=html.escape(ref), status=status, phone=notices.contact_phone
            )
            console.outbox.add(
                None,
                seen.user_id,
                [
                    Reply(
                        notice,
                        to_chat=submission.submitted_by,
                        undelivered=notices.status_undelivered,
                    )
                ],
            )
    if not changed:
        fresh = find(console, seen, ref)
        error = texts.STATUS_CHANGED_MEANWHILE.format(reference=ref)
        return record_page(request, console, seen, fresh, error=error, status_code=409)
    return redirect(request, f"/records/{ref}?done=status")


@router.post("/records/{reference}/assign")
def assign(request: Request, reference: str, sent: ReviewForm) -> Response:
    console, seen = console_of(request), sent.viewer
    submission = find(console, seen, reference)
    ref = submission.reference or ""
    chosen = sent.get("cadre")
    cadre = (
        console.access.who(int(chosen))
        if chosen.isascii() and chosen.isdigit() and len(chosen) <= 15
        else None
    )
    note = _note(sent.get("note"))
    if cadre is None or cadre.role != Role.CADRE:
        error = texts.ASSIGN_NOT_CADRE
    elif len(note) > MAX_NOTE:
        error = texts.NOTE_TOO_LONG.format(length=len(note), limit=MAX_NOTE)
    else:
        error = ""
    if error or cadre is None:
        return record_page(request, console, seen, submission, error=error, status_code=400)
    note = note or texts.ASSIGN_DEFAULT_NOTE
    names = console.people.names([cadre.user_id])
    recorded = review_texts.ASSIGNMENT_NOTE.format(
        cadre=person_with_id(cadre.user_id, names), note=note
    )
    notices = console.notices
    with console.db.unit_of_work():
        assigned = console.review.assign(submission.id, seen.user_id, cadre.user_id, recorded)
        if assigned:
            console.outbox.add(
                None,
                seen.user_id,
                [
                    Reply(
                        notices.assigned.format(reference=html.escape(ref), note=html.escape(note)),
                        to_chat=cadre.user_id,
                        undelivered=notices.assigned_undelivered.format(
                            cadre=html.escape(person(cadre.user_id, names))
                        ),
                    )
                ],
            )
    if not assigned:
        raise NotFound
    return redirect(request, f"/records/{ref}?done=assigned")
