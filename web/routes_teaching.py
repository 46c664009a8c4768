"""未答问题 (reviewers, admins): teaching the bot in the browser, as /unanswered does in the chat.

- GET /unanswered: the questions the bot could not answer (most asked first) and the answers
  that looked wrong (a "不对", a rephrasing, a 👎 — with the entry given), within the viewer's
  reach (review.teaching: reviewers their townships' residents', admins everyone's), stored
  redacted and redacted again here; each with the entries the bot found nearest, by title, and
  two forms: 教给机器人 (one of the nearest, or any entry by its title) and 不在范围. Below:
  the 👍 / 👎 counts per entry (most in need of work first), the phrasings taught and the
  questions set aside, with who and when.
- POST /unanswered/restore (key): take back a question set aside (admins any, a reviewer those
  they set aside; review.teaching.restore), so the bot may answer it again.
- POST /unanswered/unteach (id): take back a phrasing taught by mistake, until it is exported
  (admins any, a reviewer their own; review.teaching.unteach).
- POST /unanswered/link (list, row, and entry — one of the nearest — or other, the title of
  any entry) and /unanswered/dismiss (list, row): the same
  decisions as the chat's buttons (review.teaching.link / dismiss: the rows, the phrasing, the
  audit line), then back to the page (303). A question out of reach, or decided on meanwhile,
  is 404 as a record out of scope is; an entry that does not exist, 400.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from review import teaching
from review.workflow import person
from storage.learning import (
    DOUBTFUL,
    UNANSWERED,
    AnswerLog,
    LearnedPhrasings,
    QuestionGroup,
    TeachingQueue,
)
from storage.models import to_local
from storage.redact import redact
from web import texts
from web.auth import NotFound, Reviewer, ReviewForm, Viewer, console_of
from web.console import Console
from web.render import page, redirect

router = APIRouter()
ROWS = 100
TAUGHT_ROWS = 100
SHOWN_TEXT = 200
DONE = {
    "linked": texts.TEACH_LINKED,
    "dismissed": texts.TEACH_DISMISSED,
    "restored": texts.TEACH_RESTORED,
    "untaught": texts.TEACH_UNTAUGHT,
}


def _title(console: Console, entry_id: str | None) -> str:
    if not entry_id:
        return "—"
    return console.entry_titles.get(entry_id) or texts.TEACH_UNKNOWN_ENTRY.format(entry_id=entry_id)


def _question(console: Console, group: QuestionGroup) -> dict[str, Any]:
    """One question as the page shows it: text, counts, the entries offered by title."""
    offered = [e for e in teaching.options(group) if e in console.entry_titles]
    reasons = "，".join(
        texts.DOUBTFUL_REASONS[reason].format(n=n) for reason, n in group.reasons.items() if n
    )
    return {
        "kind": group.kind,
        "row": group.row_id,
        "text": redact(group.text)[:SHOWN_TEXT],
        "count": group.count,
        "reasons": reasons,
        "given": _title(console, group.entry_id) if group.entry_id else "",
        "nearest": [(e, _title(console, e)) for e in offered],
        "nearest_title": _title(console, offered[0]) if offered else "—",
    }


def teaching_page(
    request: Request, seen: Viewer, *, message: str = "", error: str = "", status_code: int = 200
) -> Response:
    console = console_of(request)
    askers, queue = teaching.askers_of(seen.who), TeachingQueue(console.db)
    unanswered = [_question(console, g) for g in queue.unanswered(askers, 0, ROWS)]
    doubtful = [_question(console, g) for g in queue.doubtful(askers, 0, ROWS)]
    taught = LearnedPhrasings(console.db).listed(TAUGHT_ROWS)
    dismissed = queue.dismissed(TAUGHT_ROWS)
    names = console.people.names([t.added_by for t in taught] + [d.dismissed_by for d in dismissed])
    feedback = sorted(
        AnswerLog(console.db).per_entry(),
        key=lambda f: (-(f.down + f.doubted), f.up, _title(console, f.entry_id)),
    )
    return page(
        request,
        "unanswered.html",
        texts.PAGE_UNANSWERED,
        seen,
        status_code=status_code,
        message=message,
        error=error,
        unanswered=unanswered,
        doubtful=doubtful,
        entries=list(console.entry_titles.items()),
        feedback=[
            {"title": _title(console, f.entry_id), "up": f.up, "down": f.down, "doubted": f.doubted}
            for f in feedback
        ],
        taught=[
            {
                "text": redact(t.text)[:SHOWN_TEXT],
                "title": _title(console, t.entry_id),
                "who": person(t.added_by, names),
                "at": to_local(t.added_at),
                "exported": t.exported_at is not None,
                "id": t.id if teaching.may_unteach(seen.who, t) else 0,
            }
            for t in taught
        ],
        dismissed=[
            {
                "text": redact(d.text)[:SHOWN_TEXT],
                "who": person(d.dismissed_by, names),
                "at": to_local(d.dismissed_at),
                "key": d.key if teaching.may_restore(seen.who, d) else "",
            }
            for d in dismissed
        ],
    )


@router.get("/unanswered")
def unanswered(request: Request, seen: Reviewer, done: str = "") -> Response:
    return teaching_page(request, seen, message=DONE.get(done, ""))


def _question_of(sent: Any) -> tuple[str, int]:
    """The list and row a form names; NotFound when they are not a question's."""
    kind, row = sent.get("kind"), sent.get("row")
    if kind not in (UNANSWERED, DOUBTFUL) or not (row.isascii() and row.isdigit()):
        raise NotFound
    if len(row) > 12:
        raise NotFound
    return kind, int(row)


@router.post("/unanswered/link")
def link(request: Request, sent: ReviewForm) -> Response:
    console, seen = console_of(request), sent.viewer
    kind, row = _question_of(sent)
    other = sent.get("other")  # a title typed (chosen from the page's list), else a nearest one
    by_title = {title: entry_id for entry_id, title in reversed(console.entry_titles.items())}
    entry_id = by_title.get(other, "") if other else sent.get("entry")
    if entry_id not in console.entry_titles:
        return teaching_page(request, seen, error=texts.TEACH_CHOOSE_ENTRY, status_code=400)
    if teaching.link(console.db, seen.who, kind, row, entry_id, console.entry_titles) is None:
        raise NotFound
    return redirect(request, "/unanswered?done=linked")


@router.post("/unanswered/restore")
def restore(request: Request, sent: ReviewForm) -> Response:
    console, seen = console_of(request), sent.viewer
    key = sent.get("key")
    if not (len(key) == 64 and key.isascii() and key.isalnum()):
        raise NotFound
    if teaching.restore(console.db, seen.who, key) is None:
        raise NotFound
    return redirect(request, "/unanswered?done=restored")


@router.post("/unanswered/unteach")
def unteach(request: Request, sent: ReviewForm) -> Response:
    console, seen = console_of(request), sent.viewer
    phrasing = sent.get("id")
    if not (phrasing.isascii() and phrasing.isdigit() and len(phrasing) <= 12):
        raise NotFound
    if teaching.unteach(console.db, seen.who, int(phrasing)) is None:
        raise NotFound
    return redirect(request, "/unanswered?done=untaught")


@router.post("/unanswered/dismiss")
def dismiss(request: Request, sent: ReviewForm) -> Response:
    console, seen = console_of(request), sent.viewer
    kind, row = _question_of(sent)
    if teaching.dismiss(console.db, seen.who, kind, row) is None:
        raise NotFound
    return redirect(request, "/unanswered?done=dismissed")
