"""Statistics of submissions for staff, as numbers, a PNG chart and a short Chinese summary.

The flow, for one staff member:

1. `collect_stats(db, selection, rules)` reads the submissions the staff member may see, or
   those `/stats [乡镇] [起始日期] [结束日期]` asks for (an `ExportFilter`, parsed and checked
   as for /export), through `selection.where()`, in one streamed pass (`yield_per`): only
   township, status, priority, the answers JSON and a "created in the last 7 days" flag
   computed by the database. Townships and statuses are counted as they are, priorities too
   (the caption orders them by the triage levels, most urgent first); hardship causes are read
   from the answers the way triage reads them (`TriageRules.causes_of`: the none-choice is not
   a cause). One pass in one statement keeps the numbers consistent with each other (the
   township counts always add up to the total).
2. `render_chart(stats, heading)` draws one figure (`draw_chart`) with three horizontal bar
   charts (by township, by cause, by status) under a title naming the scope and the dates
   (`chart_heading`: "水阳镇 · 2024-09-01 至 2024-09-30", "全区 · 全部时间"), and returns PNG
   bytes. Every township gets its own bar (the figure grows with their number), so no "其余"
   bar dwarfs the rest; causes and statuses beyond `MAX_BARS` are added up in one bar. It uses
   matplotlib's object-oriented `Figure` API with the Agg canvas and no pyplot, so it keeps no
   global figure state and may run in a worker thread. Every Chinese text is drawn with the
   Noto Sans CJK SC font shipped by the mplfonts package (`cjk_font_path()`), passed by file,
   so no font lookup by family name can fall back to a font without Chinese glyphs. An empty
   panel says 暂无数据. Its file name (`chart_file_name`) says scope, dates and Beijing time.
3. `summary_text(stats)` is the caption: a few plain Chinese sentences with the totals.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib.resources import files
from io import BytesIO
from pathlib import Path
from typing import Protocol

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import MaxNLocator
from sqlalchemy import select
from sqlalchemy.sql.elements import ColumnElement

from dialogs.triage import TriageRules
from review import texts
from review.export import ExportFilter, file_stem, period_words, scope_words
from storage.database import Database
from storage.models import Submission

FONT_PACKAGE = "mplfonts"
FONT_FILE = "NotoSansCJKsc-Regular.otf"

RECENT_DAYS = 7

MAX_BARS = 12  # bars per cause or status panel; the rest are added up in one "其余" bar
STREAM_BATCH = 500
DPI = 120

_font_lock = threading.Lock()
_registered: Path | None = None


def cjk_font_path() -> Path:
    """The Noto Sans CJK SC font shipped by the mplfonts package (importlib.resources), registered
    with matplotlib's font manager once; raises a clear RuntimeError if missing."""
    global _registered
    if _registered is not None:
        return _registered
    with _font_lock:
        if _registered is not None:
            return _registered
        try:
            resource = files(FONT_PACKAGE) / "fonts" / FONT_FILE
        except ModuleNotFoundError as exc:
            raise RuntimeError(texts.FONT_NOT_INSTALLED.format(package=FONT_PACKAGE)) from exc
        path = Path(str(resource))
        if not path.is_file():
            raise RuntimeError(texts.FONT_FILE_MISSING.format(path=path, package=FONT_PACKAGE))
        font_manager.fontManager.addfont(str(path))
        _registered = path
        return path


def cjk_font_family() -> str:
    """The family name matplotlib knows the registered CJK font by ("Noto Sans CJK SC")."""
    return FontProperties(fname=cjk_font_path()).get_name()


@dataclass(frozen=True)
class Stats:
    total: int
    by_township: list[tuple[str, int]]  # most first
    by_cause: list[tuple[str, int]]  # hardship causes counted from answers["causes"], most first
    by_status: list[tuple[str, int]]
    by_priority: list[tuple[str, int]]
    last_7_days: int


class Selection(Protocol):
    """Which submissions to count: a `review.access.Scope` or an `ExportFilter`."""

    def where(self) -> ColumnElement[bool]: ...


def chart_heading(filters: ExportFilter) -> str:
    """What a chart covers: "水阳镇 · 2024-09-01 至 2024-09-30", "全区 · 全部时间"."""
    return texts.CHART_HEADING.format(scope=scope_words(filters), period=period_words(filters))


def chart_file_name(filters: ExportFilter, moment: datetime | None = None) -> str:
    """统计图_水阳镇_20240901-20240930_生成于20241005-1432.png (Beijing time)."""
    return f"{file_stem(texts.CHART_FILE_STEM, filters, moment)}.png"


def _most_first(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def collect_stats(
    db: Database, selection: Selection, rules: TriageRules, now: datetime | None = None
) -> Stats:
    """Counts over the submissions `selection` picks (a scope or an export filter); "recent"
    means created after `now` − 7 days. Causes are read as triage reads them."""
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    # created_at is stored in UTC (SQLite keeps it without a zone), so compare in UTC.
    cutoff = now.astimezone(UTC) - timedelta(days=RECENT_DAYS)
    query = (
        select(
            Submission.township,
            Submission.status,
            Submission.priority,
            Submission.answers,
            (Submission.created_at >= cutoff).label("recent"),
        )
        .where(selection.where())
        .execution_options(yield_per=STREAM_BATCH)
    )
    total = recent = 0
    townships: Counter[str] = Counter()
    causes: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    priorities: Counter[str] = Counter()
    with db.session() as session:
        for township, status, priority, answers, is_recent in session.execute(query):
            total += 1
            recent += bool(is_recent)
            townships[township or texts.NO_TOWNSHIP_BAR] += 1
            statuses[status or texts.UNKNOWN_VALUE] += 1
            priorities[priority or texts.UNKNOWN_VALUE] += 1
            causes.update(rules.causes_of(answers))
    return Stats(
        total=total,
        by_township=_most_first(townships),
        by_cause=_most_first(causes),
        by_status=_most_first(statuses),
        by_priority=_most_first(priorities),
        last_7_days=recent,
    )


def _limited(items: list[tuple[str, int]], rest_label: str) -> list[tuple[str, int]]:
    if len(items) <= MAX_BARS:
        return items
    shown = items[: MAX_BARS - 1]
    rest = items[MAX_BARS - 1 :]
    return [
        *shown,
        (texts.REST_BAR.format(label=rest_label, count=len(rest)), sum(n for _, n in rest)),
    ]


def _font(size: float, path: Path) -> FontProperties:
    return FontProperties(fname=path, size=size)


def _panel(ax: Axes, title: str, items: list[tuple[str, int]], color: str, path: Path) -> None:
    ax.set_title(title, fontproperties=_font(12, path), loc="left")
    if not items:
        ax.set_xticks([])
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_color("#cccccc")
        ax.text(
            0.5,
            0.5,
            texts.NO_DATA,
            transform=ax.transAxes,
            ha="center",
            va="center",
            color="#888888",
            fontproperties=_font(14, path),
        )
        return
    # Residents type township names (其他 → free text): a "$" must not start matplotlib mathtext.
    labels = [label.replace("$", r"\$") for label, _ in items]
    counts = [n for _, n in items]
    positions = list(range(len(items)))
    bars = ax.barh(positions, counts, color=color, height=0.6)
    ax.set_yticks(positions, labels=labels, fontproperties=_font(10, path))
    ax.set_ylim(max(len(items), 2) - 0.5, -0.5)  # most first, at the top; one bar stays thin
    ax.bar_label(bars, labels=[str(n) for n in counts], padding=3, fontproperties=_font(10, path))
    ax.set_xlim(0, max(counts) * 1.15 + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(texts.AXIS_COUNT, fontproperties=_font(9, path))
    for label in ax.get_xticklabels():
        label.set_fontproperties(_font(9, path))
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="x", color="#eeeeee")
    ax.set_axisbelow(True)


DEFAULT_HEADING = texts.CHART_HEADING.format(scope=texts.SCOPE_ALL, period=texts.PERIOD_ALL)


def draw_chart(stats: Stats, heading: str = DEFAULT_HEADING) -> Figure:
    """Three horizontal bar charts — by township (every one), by hardship cause, by status —
    under a title with `heading` (scope and dates) and the totals."""
    path = cjk_font_path()
    panels = [
        (texts.PANEL_TOWNSHIPS, stats.by_township, "#3b6fb6"),
        (texts.PANEL_CAUSES, _limited(stats.by_cause, texts.REST_CAUSES), "#e07b39"),
        (texts.PANEL_STATUSES, _limited(stats.by_status, texts.REST_STATUSES), "#4a9d5b"),
    ]
    rows = [max(len(items), 2) for _, items, _ in panels]
    figure = Figure(figsize=(8, 1.6 + 0.34 * sum(rows) + 0.7 * len(panels)), layout="constrained")
    title = texts.CHART_TITLE.format(
        heading=heading, total=stats.total, days=RECENT_DAYS, recent=stats.last_7_days
    )
    figure.suptitle(title.replace("$", r"\$"), fontproperties=_font(14, path))
    axes = figure.subplots(len(panels), 1, gridspec_kw={"height_ratios": rows})
    for ax, (panel_title, items, color) in zip(axes, panels, strict=True):
        _panel(ax, panel_title, items, color, path)
    return figure


def render_chart(stats: Stats, heading: str = DEFAULT_HEADING) -> bytes:
    """The chart (`draw_chart`) as PNG bytes."""
    figure = draw_chart(stats, heading)
    buffer = BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


def _counts(items: Iterable[tuple[str, int]], template: str = texts.COUNT_REPORTS) -> str:
    parts = (template.format(label=label, count=n) for label, n in items)
    return texts.COUNT_SEPARATOR.join(parts)


def summary_text(stats: Stats, levels: Sequence[str]) -> str:
    """A short plain Chinese caption: totals, priorities (most urgent of `levels` first),
    statuses, top townships and causes."""
    if stats.total == 0:
        return texts.SUMMARY_EMPTY
    total = texts.SUMMARY_TOTAL.format(
        total=stats.total, days=RECENT_DAYS, recent=stats.last_7_days
    )
    sentences = [total]
    rank = {level: i for i, level in enumerate(levels)}
    priorities = sorted(stats.by_priority, key=lambda item: rank.get(item[0], len(rank)))
    if priorities:
        sentences.append(texts.SUMMARY_PRIORITIES.format(counts=_counts(priorities)))
    if stats.by_status:
        sentences.append(texts.SUMMARY_STATUSES.format(counts=_counts(stats.by_status)))
    if stats.by_township:
        top = _counts(stats.by_township[:3])
        sentences.append(texts.SUMMARY_TOWNSHIPS.format(counts=top))
    if stats.by_cause:
        causes = _counts(stats.by_cause[:3], texts.COUNT_HOUSEHOLDS)
        sentences.append(texts.SUMMARY_CAUSES.format(counts=causes))
    return "".join(sentences)
