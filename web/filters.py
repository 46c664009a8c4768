"""The queue's filters, read from the URL (so a link to a filtered queue can be shared) and
turned into one SQL condition within the viewer's scope.

`parse_filters(query, catalog, scope)` checks every value against what exists (townships,
statuses, priorities, dialogs, dates) and returns the filter with the problems found in
Chinese; a bad value is dropped, never passed to SQL. `QueueFilter.where(scope)` is the scope's
own condition (`review.access.Scope.where`) AND the filters, so no filter widens a scope.
`export_selection` makes the same selection an `ExportFilter` for the streaming export.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from urllib.parse import urlencode

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from dialogs.spec import Catalog
from review.access import Scope
from review.export import ExportFilter, _utc_start_of
from storage.models import OPEN_STATUSES, STATUSES, Submission
from web import texts

PAGE_SIZE = 50
MAX_PAGE = 10_000
MAX_TEXT = 40
STATUS_OPEN, STATUS_ALL = "", "all"
SORTS = tuple(texts.SORTS)
_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")


@dataclass(frozen=True)
class QueueFilter:
    township: str = ""
    village: str = ""
    status: str = STATUS_OPEN  # "": the open statuses; "all"; or one status
    priority: str = ""
    dialog: str = ""
    since: date | None = None
    until: date | None = None
    q: str = ""
    sort: str = "priority"
    page: int = 1

    @property
    def statuses(self) -> tuple[str, ...]:
        if self.status == STATUS_OPEN:
            return OPEN_STATUSES
        if self.status == STATUS_ALL:
            return STATUSES
        return (self.status,)

    def conditions(self) -> list[ColumnElement[bool]]:
        """The filters alone (not the scope), as SQL conditions."""
        found: list[ColumnElement[bool]] = []
        if self.township:
            found.append(Submission.township == self.township)
        if self.village:
            found.append(Submission.village == self.village)
        if self.status != STATUS_ALL:
            found.append(Submission.status.in_(self.statuses))
        if self.priority:
            found.append(Submission.priority == self.priority)
        if self.dialog:
            found.append(Submission.dialog == self.dialog)
        if self.since is not None:
            found.append(Submission.created_at >= _utc_start_of(self.since))
        if self.until is not None:
            found.append(Submission.created_at < _utc_start_of(self.until + timedelta(days=1)))
        if self.q:
            found.append(
                or_(
                    Submission.reference == self.q.upper(),
                    Submission.contact_name.contains(self.q, autoescape=True),
                    Submission.phone.contains(self.q, autoescape=True),
                )
            )
        return found

    def where(self, scope: Scope) -> ColumnElement[bool]:
        return and_(scope.where(), *self.conditions())

    def query(self, **changes: object) -> str:
        """This filter (with `changes`) as a URL query string; defaults left out."""
        changed = replace(self, **changes)  # type: ignore[arg-type]
        default = QueueFilter()
        pairs = []
        for f in fields(self):
            value = getattr(changed, f.name)
            if value != getattr(default, f.name):
                pairs.append((f.name, value.isoformat() if isinstance(value, date) else value))
        return urlencode(pairs)

    def words(self) -> str:
        """The filters besides township and dates, in words (for the export's file name)."""
        parts = [self.village, self.status if self.status not in (STATUS_OPEN, STATUS_ALL) else ""]
        if self.status == STATUS_OPEN:
            parts.append("待处理")
        parts.extend([self.priority, self.dialog, self.q and f"搜索{self.q}"])
        return "-".join(part for part in parts if part)


@dataclass(frozen=True, eq=False)
class ConsoleExportFilter(ExportFilter):
    """An export of exactly what the queue shows: the export's scope, township and dates plus
    the queue's other filters."""

    more: tuple[ColumnElement[bool], ...] = field(default=())

    def where(self) -> ColumnElement[bool]:
        return and_(super().where(), *self.more)


def export_selection(filters: QueueFilter, scope: Scope) -> ConsoleExportFilter:
    others = replace(filters, township="", since=None, until=None)
    return ConsoleExportFilter(
        scope,
        filters.township or None,
        filters.since,
        filters.until,
        more=tuple(others.conditions()),
    )


def dialog_choices(catalog: Catalog) -> dict[str, str]:
    """dialog name → what staff call it: its `queue_label` (回电请求), else 自主申报 (a
    resident's own) or 入户走访 (a cadre's)."""
    return {
        name: dialog.queue_label
        or (texts.DIALOG_SELF if dialog.audience == "anyone" else texts.DIALOG_VISIT)
        for name, dialog in catalog.dialogs.items()
    }


def parse_day(text: str) -> date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def parse_filters(
    query: Mapping[str, str], catalog: Catalog, scope: Scope
) -> tuple[QueueFilter, list[str]]:
    """The filter the URL asks for, and what was wrong with it (each bad value dropped)."""
    problems: list[str] = []

    def pick(name: str, allowed: object, what: str, default: str = "") -> str:
        value = (query.get(name) or "").strip()
        if not value or value in allowed:  # type: ignore[operator]
            return value or default
        problems.append(texts.UNKNOWN_CHOICE.format(value=value[:20], what=what))
        return default

    township = pick("township", catalog.township_names(), texts.WHAT_TOWNSHIP)
    if township and not scope.covers_township(township) and scope.recorded_by is None:
        problems.append(texts.OUT_OF_SCOPE.format(township=township))
        township = ""
    status = pick("status", (STATUS_ALL, *STATUSES), texts.WHAT_STATUS)
    priority = pick("priority", catalog.triage.levels, texts.WHAT_PRIORITY)
    dialog = pick("dialog", dialog_choices(catalog), texts.WHAT_DIALOG)
    sort = pick("sort", SORTS, texts.WHAT_SORT, "priority")
    village = (query.get("village") or "").strip()[:60]
    q = re.sub(r"\s+", " ", query.get("q") or "").strip()
    if len(q) > MAX_TEXT:
        problems.append(texts.TEXT_TOO_LONG.format(limit=MAX_TEXT))
        q = q[:MAX_TEXT]
    days: list[date | None] = []
    for name in ("since", "until"):
        text = (query.get(name) or "").strip()
        day = parse_day(text) if text else None
        if text and day is None:
            problems.append(texts.BAD_DATE.format(text=text[:20]))
        days.append(day)
    since, until = days
    if since is not None and until is not None and since > until:
        problems.append(texts.DATES_REVERSED)
        since = until = None
    page_text = (query.get("page") or "1").strip()
    page = int(page_text) if page_text.isascii() and page_text.isdigit() else 1
    page = min(max(page, 1), MAX_PAGE)
    return (
        QueueFilter(township, village, status, priority, dialog, since, until, q, sort, page),
        problems,
    )
