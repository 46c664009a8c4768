"""统计: the /stats chart of the viewer's scope, for a township and a date range, as a PNG
from `review.charts`, with the same counts as tables.

GET /stats?township=…&since=…&until=… is the page; GET /stats/chart.png with the same query
is its image. Both count every status, as /stats does, and only within the scope."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from review.export import ExportFilter
from web import texts
from web.auth import Staff, Viewer, console_of
from web.filters import QueueFilter, parse_filters
from web.render import page

router = APIRouter()


def selection(request: Request, seen: Viewer) -> tuple[ExportFilter, list[str], str]:
    """The counted selection, what was wrong with the query, and the query to repeat it."""
    console = console_of(request)
    filters, problems = parse_filters(request.query_params, console.catalog, seen.who.scope)
    chosen = ExportFilter(seen.who.scope, filters.township or None, filters.since, filters.until)
    kept = QueueFilter(township=filters.township, since=filters.since, until=filters.until)
    return chosen, problems, kept.query()


@router.get("/stats")
def stats(request: Request, seen: Staff) -> Response:
    from review.charts import chart_heading, collect_stats, summary_text  # matplotlib: slow

    console = console_of(request)
    chosen, problems, query = selection(request, seen)
    counted = collect_stats(console.db, chosen, console.catalog.triage)
    scope = seen.who.scope
    townships = [t for t in console.catalog.township_names() if scope.covers_township(t)]
    return page(
        request,
        "stats.html",
        texts.PAGE_STATS,
        seen,
        problems=problems,
        heading=chart_heading(chosen),
        summary=summary_text(counted, console.catalog.triage.levels),
        stats=counted,
        query=query,
        chosen=chosen,
        townships=townships,
        any=texts.ANY,
    )


@router.get("/stats/chart.png")
def chart(request: Request, seen: Staff) -> Response:
    from review.charts import chart_heading, collect_stats, render_chart

    console = console_of(request)
    chosen, _problems, _query = selection(request, seen)
    counted = collect_stats(console.db, chosen, console.catalog.triage)
    return Response(
        render_chart(counted, chart_heading(chosen)),
        media_type="image/png",
        headers={"Cache-Control": "private, no-store"},
    )
