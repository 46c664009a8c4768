"""待处理 (the queue) and 导出 (its export).

GET /queue?township=…&village=…&status=…&priority=…&dialog=…&since=…&until=…&q=…&sort=…&page=…
shows 50 submissions a page of the viewer's scope (`review.access`) matching the filters
(web.filters), with the total. The open statuses in priority order — the bot's /pending — come
from `ReviewStore.pending`, the same query; other statuses and orders from
`SubmissionSearch.page`. Phones are masked and ages given as the bot gives them
(review.workflow).

GET /export?<the same filters> streams the same selection through `review.export` into an
.xlsx named by scope, filter and time; the export is written to the audit log.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from sqlalchemy import case
from starlette.background import BackgroundTask

from review import texts as review_texts
from review.access import Need
from review.export import ExportFilter, export_submissions, file_stem, period_words, scope_words
from review.workflow import age, mask_phone, place
from storage.models import OPEN_STATUSES, STATUSES, Submission
from storage.repository import QueuePage
from web import texts
from web.auth import Reviewer, Staff, Viewer, console_of
from web.console import Console
from web.filters import (
    PAGE_SIZE,
    STATUS_ALL,
    QueueFilter,
    dialog_choices,
    export_selection,
    parse_filters,
)
from web.render import page, redirect

router = APIRouter()


@router.get("/")
def home(request: Request, seen: Staff) -> Response:
    return redirect(request, "/queue")


def queue_page(console: Console, seen: Viewer, filters: QueueFilter) -> QueuePage:
    where = filters.where(seen.who.scope)
    offset = (filters.page - 1) * PAGE_SIZE
    levels = console.catalog.triage.levels
    if filters.sort == "priority" and set(filters.statuses) <= set(OPEN_STATUSES):
        return console.review.pending(where, levels, offset, PAGE_SIZE)
    if filters.sort == "priority":
        rank = case(
            {level: i for i, level in enumerate(levels)},
            value=Submission.priority,
            else_=len(levels),
        )
        order = [rank, Submission.created_at, Submission.id]
    elif filters.sort == "township":
        order = [Submission.township, Submission.village, Submission.created_at, Submission.id]
    else:
        order = [Submission.created_at, Submission.id]
    return console.search.page(where, order, offset, PAGE_SIZE)


@router.get("/queue")
def queue(request: Request, seen: Staff) -> Response:
    console = console_of(request)
    scope = seen.who.scope
    filters, problems = parse_filters(request.query_params, console.catalog, scope)
    found = queue_page(console, seen, filters)
    pages = max((found.total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    if not found.rows and filters.page > pages and not found.more:  # a stale or made-up page
        filters = replace(filters, page=pages)
        found = queue_page(console, seen, filters)
    rows = [
        {
            "reference": row.reference or "",
            "place": place(row),
            "priority": row.priority,
            "status": row.status,
            "age": age(row.created_at),
            "phone": mask_phone(row.phone),
            "dialog": dialog_choices(console.catalog).get(row.dialog, row.dialog),
        }
        for row in found.rows
    ]
    townships = [t for t in console.catalog.township_names() if scope.covers_township(t)]
    if scope.recorded_by is not None and not scope.townships:
        townships = console.catalog.township_names()
    villages = list(console.catalog.villages_of(filters.township))
    summary = (texts.QUEUE_TOTAL_MANY if found.more else texts.QUEUE_TOTAL).format(
        total=found.total, page=filters.page, pages=pages
    )
    return page(
        request,
        "queue.html",
        texts.PAGE_QUEUE,
        seen,
        filters=filters,
        problems=problems,
        rows=rows,
        summary=summary,
        empty=texts.QUEUE_EMPTY,
        previous=filters.query(page=filters.page - 1) if filters.page > 1 else None,
        next=filters.query(page=filters.page + 1) if filters.page < pages or found.more else None,
        export=filters.query(page=1) if seen.may(Need.REVIEW) else None,
        townships=townships,
        villages=villages,
        statuses=[("", texts.STATUS_OPEN), (STATUS_ALL, texts.STATUS_ALL)]
        + [(s, s) for s in STATUSES],
        priorities=list(console.catalog.triage.levels),
        dialogs=dialog_choices(console.catalog),
        sorts=texts.SORTS,
        any=texts.ANY,
    )


_UNSAFE = re.compile(r"[^\w+\-]")


def export_name(filters: QueueFilter, selection: ExportFilter) -> str:
    """防返贫申报_水阳镇_20240901-20240930_待处理-优先核实_导出于20241005-1432.xlsx: scope,
    dates, the other filters and the time, in safe characters only."""
    words = _UNSAFE.sub("", filters.words())[:60]
    template = review_texts.EXPORT_FILE_STEM
    if words:
        template = template.replace("{period}", "{period}_" + words)
    return f"{file_stem(template, selection)}.xlsx"


@router.get("/export")
def export(request: Request, seen: Reviewer) -> Response:
    console = console_of(request)
    filters, problems = parse_filters(request.query_params, console.catalog, seen.who.scope)
    if problems:
        return redirect(request, f"/queue?{filters.query()}")
    selection = export_selection(filters, seen.who.scope)
    folder = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        path = folder / export_name(filters, selection)
        count = export_submissions(console.db, console.catalog, selection, path, "xlsx").count
        detail = texts.EXPORT_AUDITED.format(
            count=count, period=period_words(selection), filters=filters.words() or texts.ANY
        )
        console.audit.record(seen.user_id, "export", scope_words(selection), detail)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)  # never leave personal data behind
        raise
    return FileResponse(
        path,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=path.name,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
