"""Export submissions and their status history to Excel (xlsx) or CSV, streamed from the database.

The flow of `export_submissions()`:

1. `ExportFilter` turns what the caller may see (`review.access.Scope`), an optional township and
   an optional range of local dates into one SQL condition on `submissions`.
2. The columns are fixed: 15 columns from the submission row (编号, 类型, 提交时间 …), then one
   column per dialog answer — the union of the keys of all dialogs in catalog order, minus the
   keys the fixed columns already show and the consent step — headed by the step's label.
3. The matching submissions are streamed in id order (`yield_per`: one batch of rows in memory
   at a time) and every row is written as soon as it is read: with xlsxwriter in
   `constant_memory` mode (sheet 申报记录; rows are flushed to a temporary file as they are
   written), or with `csv` (UTF-8 with BOM so that Excel shows the Chinese correctly).
   `progress(n)` is called after every batch with the number of rows written so far.
4. The status history of the same submissions is streamed the same way, ordered by submission
   then time: sheet 状态记录 of the workbook, or a second CSV file `<stem>_状态记录.csv` next to
   the first.

Both queries run in one read-only transaction (REPEATABLE READ on PostgreSQL, so the two sheets
show one snapshot); the history is also bounded by the last exported id, so a submission that
arrives during the export never shows up in the history alone.

User text is data, never markup or formulas: in xlsx every text cell is written with
`write_string` (text starting with = + - @ stays text, and the one xlsxwriter shortcut that
would copy text into the file unescaped, `<r>…</r>` in constant_memory mode, is defused); in CSV
a text cell starting with = + - @ (or a tab / carriage return) gets a leading single quote.

Times are stored in UTC and shown, and filtered by date, in China Standard Time (UTC+8, no
daylight saving). Files are written under a temporary name and renamed when complete, so a
failed export never leaves a half-written file under the requested name.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape as xml_escape

import xlsxwriter
from sqlalchemy import Connection, Select, and_, func, select
from sqlalchemy.sql.elements import ColumnElement

from dialogs.engine import format_value
from dialogs.spec import Catalog, Step
from review import texts
from review.access import Scope
from storage.database import Database
from storage.models import LOCAL_TZ, StatusChange, Submission, to_local
from storage.repository import reference_for

FORMATS = ("xlsx", "csv")
BATCH = 1000  # rows fetched from the database at a time

SUBMISSIONS_SHEET = texts.SUBMISSIONS_SHEET
HISTORY_SHEET = texts.HISTORY_SHEET
REASON_SEPARATOR = "；"
DATETIME_FORMAT = "%Y-%m-%d %H:%M"  # CSV; xlsx cells are real datetimes shown the same way
EXCEL_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"

# A text cell starting with one of these could be run as a formula by a spreadsheet.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | datetime | None


@dataclass(frozen=True)
class Column:
    header: str
    width: float


# Widths in Excel's character units, in the order of the headers in review.texts.
SUBMISSION_WIDTHS = (11, 14, 17, 14, 14, 10, 15, 10, 20, 18, 8, 40, 10, 17, 14)
HISTORY_WIDTHS = (11, 17, 14, 10, 10, 50)
FIXED_COLUMNS: tuple[Column, ...] = tuple(
    Column(header, width)
    for header, width in zip(texts.SUBMISSION_HEADERS, SUBMISSION_WIDTHS, strict=True)
)
HISTORY_COLUMNS: tuple[Column, ...] = tuple(
    Column(header, width)
    for header, width in zip(texts.HISTORY_HEADERS, HISTORY_WIDTHS, strict=True)
)
ANSWER_WIDTHS = {"longtext": 40, "text": 20, "multi": 24, "single": 18}
MAX_WIDTH = 60


@dataclass(frozen=True)
class ExportFilter:
    """Which submissions to export: what the caller may see, narrowed by township and dates."""

    scope: Scope  # what the caller may see (review.access.Scope)
    township: str | None = None
    since: date | None = None  # created_at on or after (inclusive, local date of created_at)
    until: date | None = None  # created_at on or before (inclusive)

    def where(self) -> ColumnElement[bool]:
        """The filter as one SQL condition on `submissions`."""
        conditions = [self.scope.where()]
        if self.township is not None:
            conditions.append(Submission.township == self.township)
        if self.since is not None:
            conditions.append(Submission.created_at >= _utc_start_of(self.since))
        if self.until is not None:
            conditions.append(Submission.created_at < _utc_start_of(self.until + timedelta(days=1)))
        return and_(*conditions)


class ExportArgumentError(ValueError):
    """An export argument is wrong; the message says why, in Chinese, and `argument` names
    it (township, since, until) so the command line can name its option."""

    def __init__(self, message: str, argument: str):
        super().__init__(message)
        self.argument = argument


_DAY = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")


def parse_day(text: str, argument: str = "since") -> date:
    """A local date typed as 2024-09-01 or 2024-9-1.

    >>> parse_day("2024-9-1")
    datetime.date(2024, 9, 1)
    """
    match = _DAY.match(text.strip())
    try:
        if match is None:
            raise ValueError(text)
        return date(*(int(part) for part in match.groups()))
    except ValueError:
        message = texts.BAD_DATE.format(text=text[:30])
        raise ExportArgumentError(message, argument) from None


def export_filter(
    scope: Scope,
    catalog: Catalog,
    township: str | None = None,
    since: str | None = None,
    until: str | None = None,
) -> ExportFilter:
    """The filter for an export asked for in chat (/export) or on the command line
    (`bot.py export`): the township must exist, the dates parse and come in order."""
    if township is not None and township not in catalog.township_names():
        raise ExportArgumentError(texts.UNKNOWN_TOWNSHIP.format(township=township[:30]), "township")
    first = parse_day(since, "since") if since is not None else None
    last = parse_day(until, "until") if until is not None else None
    if first is not None and last is not None and first > last:
        raise ExportArgumentError(texts.DATES_REVERSED, "since")
    return ExportFilter(scope, township, first, last)


def _utc_start_of(day: date) -> datetime:
    """The UTC instant at which the local `day` begins (aware, so PostgreSQL compares it right;
    SQLite stores UTC wall-clock text, which is what it writes for this value)."""
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


def answer_steps(catalog: Catalog) -> list[Step]:
    """The steps that get an answer column: every key of every dialog once, in catalog order,
    except the consent step and the keys whose value a fixed column shows (`column:` in YAML)."""
    seen = set(catalog.column_keys())
    steps = []
    for dialog in catalog.dialogs.values():
        for step in dialog.steps:
            if step.kind == "consent" or step.key in seen:
                continue
            seen.add(step.key)
            steps.append(step)
    return steps


def _text_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def submission_columns(steps: Sequence[Step]) -> list[Column]:
    """The fixed columns, then one per answer step (headers made unique if labels repeat)."""
    columns = list(FIXED_COLUMNS)
    headers = {c.header for c in columns}
    for step in steps:
        header = step.label
        if header in headers:
            header = texts.DUPLICATE_HEADER.format(label=step.label, key=step.key)
        headers.add(header)
        default = ANSWER_WIDTHS.get(step.kind, 12)
        columns.append(Column(header, min(max(_text_width(header) + 2, default), MAX_WIDTH)))
    return columns


def history_csv_path(out: Path) -> Path:
    """Where the CSV export puts the status history: next to `out`."""
    return out.with_name(f"{out.stem}_{HISTORY_SHEET}.csv")


def count_submissions(db: Database, filters: ExportFilter) -> int:
    """How many submissions `export_submissions` would write (for a progress bar)."""
    with db.session() as session:
        stmt = select(func.count()).select_from(Submission).where(filters.where())
        return session.scalar(stmt) or 0


# --- rows -----------------------------------------------------------------------------------

_SUBMISSION_FIELDS = (
    Submission.id,
    Submission.reference,
    Submission.dialog,
    Submission.created_at,
    Submission.township,
    Submission.village,
    Submission.contact_name,
    Submission.phone,
    Submission.household_size,
    Submission.annual_income,
    Submission.per_capita_income,
    Submission.priority,
    Submission.priority_reasons,
    Submission.status,
    Submission.updated_at,
    Submission.assigned_to,
    Submission.answers,
)


def _id_text(user_id: int | None) -> str | None:
    # Telegram ids are identifiers, not quantities: text, so Excel never shows 1.23E+09.
    return None if user_id is None else str(user_id)


def answer_cell(step: Step, value: Any) -> Cell:
    """One answer as a cell: numbers stay numbers, None stays empty, the rest reads as in the
    dialog's summary (lists joined with 、, booleans 是/否)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return format_value(step, value)


def submission_cells(row: Any, titles: dict[str, str], steps: Sequence[Step]) -> list[Cell]:
    answers = row.answers if isinstance(row.answers, dict) else {}
    cells: list[Cell] = [
        row.reference or reference_for(row.id),
        titles.get(row.dialog, row.dialog),
        to_local(row.created_at),
        row.township,
        row.village,
        row.contact_name,
        row.phone,
        row.household_size,
        row.annual_income,
        row.per_capita_income,
        row.priority,
        REASON_SEPARATOR.join(str(r) for r in row.priority_reasons or ()),
        row.status,
        to_local(row.updated_at),
        _id_text(row.assigned_to),
    ]
    cells.extend(answer_cell(step, answers.get(step.key)) for step in steps)
    return cells


def history_cells(row: Any) -> list[Cell]:
    return [
        row.reference or reference_for(row.submission_id),
        to_local(row.changed_at),
        _id_text(row.changed_by),
        row.from_status,
        row.to_status,
        row.note,
    ]


# --- writers --------------------------------------------------------------------------------


class _Sink(Protocol):
    def submission(self, cells: Sequence[Cell]) -> None: ...

    def history(self, cells: Sequence[Cell]) -> None: ...

    def close(self) -> None: ...


def _defuse_rich_string(text: str) -> str:
    """In constant_memory mode xlsxwriter copies a string that looks like `<r>…</r>` into the
    XML unescaped (taking it for pre-built rich text). Such text is wrapped as real rich text
    holding the escaped original, so it is stored, and read back, exactly as typed."""
    if text.startswith("<r>") and text.endswith("</r>"):
        return f'<r><t xml:space="preserve">{xml_escape(text)}</t></r>'
    return text


class _XlsxSink:
    def __init__(self, path: Path, columns: Sequence[Column]):
        self.book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"}
        )
        self.datetime_format = self.book.add_format({"num_format": EXCEL_DATETIME_FORMAT})
        self.sheets = {
            SUBMISSIONS_SHEET: self._sheet(SUBMISSIONS_SHEET, columns),
            HISTORY_SHEET: self._sheet(HISTORY_SHEET, HISTORY_COLUMNS),
        }
        self.widths = {SUBMISSIONS_SHEET: len(columns), HISTORY_SHEET: len(HISTORY_COLUMNS)}
        self.rows = dict.fromkeys(self.sheets, 0)

    def _sheet(self, name: str, columns: Sequence[Column]):
        sheet = self.book.add_worksheet(name)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.header, self.header_format)
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, 20)
        return sheet

    def _write(self, name: str, cells: Sequence[Cell]) -> None:
        sheet = self.sheets[name]
        self.rows[name] += 1
        row = self.rows[name]
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(row, col, _defuse_rich_string(value))
            elif isinstance(value, datetime):
                sheet.write_datetime(row, col, value, self.datetime_format)
            else:
                sheet.write_number(row, col, value)

    def submission(self, cells: Sequence[Cell]) -> None:
        self._write(SUBMISSIONS_SHEET, cells)

    def history(self, cells: Sequence[Cell]) -> None:
        self._write(HISTORY_SHEET, cells)

    def close(self) -> None:
        for name, sheet in self.sheets.items():
            sheet.autofilter(0, 0, self.rows[name], self.widths[name] - 1)
        self.book.close()


def csv_text(value: Cell) -> str:
    """A cell as CSV text; text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, str):
        return "'" + value if value.startswith(FORMULA_TRIGGERS) else value
    return str(value)


class _CsvSink:
    def __init__(self, path: Path, history_path: Path, columns: Sequence[Column]):
        # utf-8-sig writes the BOM; newline="" lets csv write its own \r\n line ends.
        self.files = [
            path.open("w", encoding="utf-8-sig", newline=""),
            history_path.open("w", encoding="utf-8-sig", newline=""),
        ]
        self.submissions = csv.writer(self.files[0])
        self.histories = csv.writer(self.files[1])
        self.submissions.writerow([c.header for c in columns])
        self.histories.writerow([c.header for c in HISTORY_COLUMNS])

    def submission(self, cells: Sequence[Cell]) -> None:
        self.submissions.writerow([csv_text(c) for c in cells])

    def history(self, cells: Sequence[Cell]) -> None:
        self.histories.writerow([csv_text(c) for c in cells])

    def close(self) -> None:
        for file in self.files:
            file.close()


# --- the export -----------------------------------------------------------------------------


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read-only transaction for both queries (one snapshot on PostgreSQL)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def _stream(conn: Connection, stmt: Select) -> Iterable[Sequence[Any]]:
    """The statement's rows in batches of `BATCH`, never all at once."""
    result = conn.execute(stmt.execution_options(yield_per=BATCH))
    return result.partitions()


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


def export_submissions(
    db: Database,
    catalog: Catalog,
    filters: ExportFilter,
    out: Path,
    fmt: str = "xlsx",
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write matching submissions; return the number of rows. `progress(n)` is called with the
    rows done so far."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out)
    steps = answer_steps(catalog)
    columns = submission_columns(steps)
    titles = {name: dialog.title for name, dialog in catalog.dialogs.items()}
    targets = [out] if fmt == "xlsx" else [out, history_csv_path(out)]
    temps = [_temp_path(path) for path in targets]
    condition = filters.where()
    count = 0
    try:
        sink: _Sink = (
            _XlsxSink(temps[0], columns) if fmt == "xlsx" else _CsvSink(temps[0], temps[1], columns)
        )
        try:
            with _snapshot(db) as conn:
                last_id = None
                rows = select(*_SUBMISSION_FIELDS).where(condition).order_by(Submission.id)
                for batch in _stream(conn, rows):
                    for row in batch:
                        sink.submission(submission_cells(row, titles, steps))
                    count += len(batch)
                    last_id = batch[-1].id
                    if progress is not None:
                        progress(count)
                if last_id is not None:
                    history = (
                        select(
                            StatusChange.submission_id,
                            Submission.reference,
                            StatusChange.changed_at,
                            StatusChange.changed_by,
                            StatusChange.from_status,
                            StatusChange.to_status,
                            StatusChange.note,
                        )
                        .join(Submission, Submission.id == StatusChange.submission_id)
                        .where(condition, Submission.id <= last_id)
                        .order_by(
                            StatusChange.submission_id, StatusChange.changed_at, StatusChange.id
                        )
                    )
                    for batch in _stream(conn, history):
                        for row in batch:
                            sink.history(history_cells(row))
        finally:
            sink.close()
        for temp, target in zip(temps, targets, strict=True):
            os.replace(temp, target)
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    return count
