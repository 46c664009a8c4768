"""Export submissions and their status history to Excel (xlsx) or CSV, streamed from the database.

The flow of `export_submissions()`:

1. `ExportFilter` turns what the caller may see (`review.access.Scope`), an optional township and
   an optional range of local dates into one SQL condition on `submissions`.
2. One sheet per dialog (`dialog_sheets`), named by its title (困难申报, 入户走访记录): 14 fixed
   columns from the submission row (编号, 提交时间, 乡镇（街道） …), then one column per answer
   of that dialog only, in its order, minus the consent step and the keys a fixed column
   already shows (`column:` in blocks.yaml) — headed by the step's label.
3. For each dialog, one query streams its matching submissions in id order (`yield_per`: one
   batch of rows in memory at a time) and every row is written as soon as it is read: with
   xlsxwriter in `constant_memory` mode (rows are flushed to a temporary file as they are
   written), or with `csv` (one file per sheet, `<stem>_<sheet>.csv`, UTF-8 with BOM so that
   Excel shows the Chinese correctly). Submissions of a dialog no longer in the catalog go to
   a sheet 其他记录 (only if there are any). `progress(n)` is called after every batch with
   the number of rows written so far.
4. The status history of the same submissions is streamed the same way, ordered by submission
   then time: the last sheet, 状态记录 (or `<stem>_状态记录.csv`).

People are shown by name and id (王芳（9001）; the id alone when no name is known): the
queries join the `people` table, so names cost no extra memory.

All queries run in one read-only transaction (REPEATABLE READ on PostgreSQL, so the sheets
show one snapshot); the history is also bounded by the last exported id, so a submission that
arrives during the export never shows up in the history alone.

User text is data, never markup or formulas: in xlsx every text cell is written with
`write_string` (text starting with = + - @ stays text, and the one xlsxwriter shortcut that
would copy text into the file unescaped, `<r>…</r>` in constant_memory mode, is defused); in CSV
a text cell starting with = + - @ (or a tab / carriage return) gets a leading single quote.
Phones and ids stay text: in xlsx they are string cells; in CSV a cell of digits only gets a
leading tab, which makes Excel keep it as typed (no 1.38123E+10, no lost leading 0) while other
readers get the digits back with strip().

Times are stored in UTC and shown, and filtered by date, in China Standard Time (UTC+8, no
daylight saving); file names (`export_file_name`) say scope, dates and the time of export in
it. Files are written under a temporary name and renamed when complete, so a failed export
never leaves a half-written file under the requested name; they are created readable by their
owner only (0600), before the first row is written.
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Protocol, TextIO
from xml.sax.saxutils import escape as xml_escape

import xlsxwriter
from sqlalchemy import Connection, Select, and_, func, select
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from dialogs.engine import format_value
from dialogs.kinds import APPROXIMATE_KEY
from dialogs.spec import Catalog, Dialog, Step
from review import texts
from review.access import Scope
from storage.database import Database
from storage.models import LOCAL_TZ, Person, StatusChange, Submission, to_local
from storage.repository import reference_for

FORMATS = ("xlsx", "csv")
BATCH = 1000  # rows fetched from the database at a time

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
SUBMISSION_WIDTHS = (11, 17, 14, 14, 10, 15, 10, 20, 18, 8, 40, 10, 17, 20)
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


def scope_words(filters: ExportFilter) -> str:
    """What the filter covers, in words: 水阳镇, 全区, 水阳镇、狸桥镇, 本人记录."""
    if filters.township is not None:
        return filters.township
    scope = filters.scope
    if scope.everything:
        return texts.SCOPE_ALL
    if scope.townships:
        names = sorted(scope.townships)
        if len(names) > texts.MAX_SCOPE_NAMES:
            return texts.SCOPE_MANY.format(first=names[0], count=len(names))
        return texts.SCOPE_SEPARATOR.join(names)
    return texts.SCOPE_OWN if scope.recorded_by is not None else texts.SCOPE_NONE


def period_words(filters: ExportFilter, *, stamp: bool = False) -> str:
    """The dates the filter covers: 2024-09-01 至 2024-09-30 (or 20240901-20240930 with
    `stamp`, for file names), 2024-09-01 起, 至 2024-09-30, 全部时间."""
    since, until = filters.since, filters.until
    if since is not None and until is not None:
        template = texts.PERIOD_RANGE_STAMP if stamp else texts.PERIOD_RANGE
    elif since is not None:
        template = texts.PERIOD_SINCE_STAMP if stamp else texts.PERIOD_SINCE
    elif until is not None:
        template = texts.PERIOD_UNTIL_STAMP if stamp else texts.PERIOD_UNTIL
    else:
        template = texts.PERIOD_ALL
    return template.format(since=since, until=until)


_UNSAFE = re.compile(r"[^\w+\-]")  # \w: letters (Chinese too), digits and _


def _safe(part: str) -> str:
    """A file name part of letters, digits, _ + - only (no / \\ : * ? " < > | or spaces)."""
    return _UNSAFE.sub("", part.replace(texts.SCOPE_SEPARATOR, "+"))


def file_stem(template: str, filters: ExportFilter, moment: datetime | None = None) -> str:
    """A file name (without extension) saying scope, dates and when, in Beijing time, with
    safe characters only: 防返贫申报_水阳镇_20240901-20240930_导出于20241005-1432."""
    moment = (moment or datetime.now(UTC)).astimezone(LOCAL_TZ)
    return template.format(
        scope=_safe(scope_words(filters)),
        period=_safe(period_words(filters, stamp=True)),
        moment=moment,
    )


def export_file_name(filters: ExportFilter, fmt: str, moment: datetime | None = None) -> str:
    """防返贫申报_水阳镇_20240901-20240930_导出于20241005-1432.xlsx"""
    return f"{file_stem(texts.EXPORT_FILE_STEM, filters, moment)}.{fmt}"


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


def answer_steps(dialog: Dialog, column_keys: frozenset[str]) -> list[Step]:
    """The steps of `dialog` that get an answer column on its sheet, in the dialog's order:
    all but the consent step and the keys a fixed column shows (`column:` in YAML)."""
    return [s for s in dialog.steps if s.kind != "consent" and s.key not in column_keys]


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
    columns.append(Column(texts.ESTIMATED_HEADER, 24))
    return columns


def estimated_cell(answers: Mapping[str, Any], labels: Mapping[str, str]) -> Cell:
    """Which amounts the person gave only roughly (八万多, 两三万), by their labels."""
    rough = answers.get(APPROXIMATE_KEY) or ()
    return "、".join(labels.get(key, key) for key in rough) or None


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
MAX_SHEET_NAME = 31  # Excel's limit


def sheet_name(title: str, taken: set[str]) -> str:
    """A dialog's title as an Excel sheet name (and CSV file suffix): without the characters
    Excel forbids, at most 31 characters, unique."""
    name = _SHEET_FORBIDDEN.sub("", title).strip("' ")[:MAX_SHEET_NAME] or texts.OTHER_SHEET
    base, n = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f"({n})"
        name, n = base[: MAX_SHEET_NAME - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


@dataclass(frozen=True)
class DialogSheet:
    """One dialog's sheet: its submissions with the fixed columns and its own answers."""

    name: str
    dialogs: tuple[str, ...]  # the dialog names whose submissions it holds
    steps: tuple[Step, ...]
    columns: tuple[Column, ...]
    labels: Mapping[str, str] = field(default_factory=dict)  # every step's label, by key


def dialog_sheets(catalog: Catalog) -> list[DialogSheet]:
    """One sheet per dialog, in catalog order, named by the dialog's title."""
    keys = catalog.column_keys()
    taken = {HISTORY_SHEET, texts.OTHER_SHEET}
    sheets = []
    for dialog in catalog.dialogs.values():
        steps = answer_steps(dialog, keys)
        name = sheet_name(dialog.title, taken)
        labels = {step.key: step.label for step in dialog.steps}
        columns = tuple(submission_columns(steps))
        sheets.append(DialogSheet(name, (dialog.name,), tuple(steps), columns, labels))
    return sheets


def csv_path(out: Path, sheet: str) -> Path:
    """Where the CSV export puts one sheet: `<stem>_<sheet>.csv` next to `out`."""
    return out.with_name(f"{out.stem}_{sheet}.csv")


def count_submissions(db: Database, filters: ExportFilter) -> int:
    """How many submissions `export_submissions` would write (for a progress bar)."""
    with db.session() as session:
        stmt = select(func.count()).select_from(Submission).where(filters.where())
        return session.scalar(stmt) or 0


# --- rows -----------------------------------------------------------------------------------

_assigned = aliased(Person)
_actor = aliased(Person)

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
    _assigned.name.label("assigned_name"),
    Submission.answers,
)


def person_cell(user_id: int | None, name: str | None) -> str | None:
    """Someone as a cell: 王芳（9001）, or the id alone when no name is known — text either way,
    so Excel never shows an id as 1.23E+09."""
    if user_id is None:
        return None
    if name:
        return texts.PERSON_WITH_ID.format(name=name, user_id=user_id)
    return str(user_id)


def answer_cell(step: Step, value: Any) -> Cell:
    """One answer as a cell: numbers stay numbers, None stays empty, the rest reads as in the
    dialog's summary (lists joined with 、, booleans 是/否)."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return format_value(step, value)


def submission_cells(
    row: Any, steps: Sequence[Step], labels: Mapping[str, str] | None = None
) -> list[Cell]:
    answers = row.answers if isinstance(row.answers, dict) else {}
    cells: list[Cell] = [
        row.reference or reference_for(row.id),
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
        person_cell(row.assigned_to, row.assigned_name),
    ]
    cells.extend(answer_cell(step, answers.get(step.key)) for step in steps)
    if steps:  # a dialog's sheet ends with the estimates; the leftover sheet has no answers
        cells.append(estimated_cell(answers, labels or {}))
    return cells


def history_cells(row: Any) -> list[Cell]:
    return [
        row.reference or reference_for(row.submission_id),
        to_local(row.changed_at),
        person_cell(row.changed_by, row.actor_name),
        row.from_status,
        row.to_status,
        row.note,
    ]


# --- writers --------------------------------------------------------------------------------


class _Sink(Protocol):
    def sheet(self, name: str, columns: Sequence[Column]) -> None:
        """Start a sheet (a CSV file); the rows that follow go there."""

    def row(self, cells: Sequence[Cell]) -> None: ...

    def close(self) -> None: ...

    def finish(self) -> list[Path]:
        """Move the complete files to their names; the paths written."""
        ...

    def discard(self) -> None:
        """Remove every temporary file (after a failure)."""


def _defuse_rich_string(text: str) -> str:
    """In constant_memory mode xlsxwriter copies a string that looks like `<r>…</r>` into the
    XML unescaped (taking it for pre-built rich text). Such text is wrapped as real rich text
    holding the escaped original, so it is stored, and read back, exactly as typed."""
    if text.startswith("<r>") and text.endswith("</r>"):
        return f'<r><t xml:space="preserve">{xml_escape(text)}</t></r>'
    return text


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.part")


def _private_file(path: Path) -> int:
    """`path` created (or emptied) readable by its owner only — before any row is written, so
    the personal data is never readable by others; an open file descriptor."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a leftover file may have been created with other permissions
    return descriptor


class _XlsxSink:
    def __init__(self, path: Path):
        self.path = path
        self.temp = _temp_path(path)
        os.close(_private_file(self.temp))  # xlsxwriter rewrites it, keeping the permissions
        self.book = xlsxwriter.Workbook(str(self.temp), {"constant_memory": True})
        self.header_format = self.book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "valign": "vcenter"}
        )
        self.datetime_format = self.book.add_format({"num_format": EXCEL_DATETIME_FORMAT})
        self.sheets: list[tuple[Any, int]] = []  # (worksheet, number of columns)
        self.rows = 0

    def sheet(self, name: str, columns: Sequence[Column]) -> None:
        self._filter_last()
        sheet = self.book.add_worksheet(name)
        for col, column in enumerate(columns):
            sheet.set_column(col, col, column.width)
            sheet.write_string(0, col, column.header, self.header_format)
        sheet.freeze_panes(1, 0)
        sheet.set_row(0, 20)
        self.sheets.append((sheet, len(columns)))
        self.rows = 0

    def _filter_last(self) -> None:
        if self.sheets:
            sheet, width = self.sheets[-1]
            sheet.autofilter(0, 0, self.rows, width - 1)

    def row(self, cells: Sequence[Cell]) -> None:
        sheet, _ = self.sheets[-1]
        self.rows += 1
        for col, value in enumerate(cells):
            if value is None or value == "":
                continue
            if isinstance(value, str):
                sheet.write_string(self.rows, col, _defuse_rich_string(value))
            elif isinstance(value, datetime):
                sheet.write_datetime(self.rows, col, value, self.datetime_format)
            else:
                sheet.write_number(self.rows, col, value)

    def close(self) -> None:
        self._filter_last()
        self.book.close()

    def finish(self) -> list[Path]:
        os.replace(self.temp, self.path)
        return [self.path]

    def discard(self) -> None:
        self.temp.unlink(missing_ok=True)


def csv_text(value: Cell) -> str:
    """A cell as CSV text. Text that a spreadsheet would run as a formula gets a leading ';
    text of digits only (phones, ids) a leading tab, so that Excel keeps it as typed instead
    of turning 13812345678 into 1.38123E+10 or dropping a leading 0 (readers other than
    Excel get the digits back with strip())."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, str):
        if value.startswith(FORMULA_TRIGGERS):
            return "'" + value
        return "\t" + value if value.isascii() and value.isdigit() else value
    return str(value)


class _CsvSink:
    """One CSV file per sheet, `<stem>_<sheet>.csv` next to `out`."""

    def __init__(self, out: Path):
        self.out = out
        self.targets: list[Path] = []
        self.file: TextIO | None = None
        self.writer: Any = None

    def sheet(self, name: str, columns: Sequence[Column]) -> None:
        self._close_file()
        self.targets.append(csv_path(self.out, name))
        # utf-8-sig writes the BOM; newline="" lets csv write its own \r\n line ends.
        self.file = os.fdopen(
            _private_file(_temp_path(self.targets[-1])), "w", encoding="utf-8-sig", newline=""
        )
        self.writer = csv.writer(self.file)
        self.writer.writerow([c.header for c in columns])

    def row(self, cells: Sequence[Cell]) -> None:
        self.writer.writerow([csv_text(c) for c in cells])

    def _close_file(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None

    def close(self) -> None:
        self._close_file()

    def finish(self) -> list[Path]:
        for target in self.targets:
            os.replace(_temp_path(target), target)
        return list(self.targets)

    def discard(self) -> None:
        for target in self.targets:
            _temp_path(target).unlink(missing_ok=True)


# --- the export -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Exported:
    count: int  # submissions written
    files: list[Path]  # the workbook, or every CSV file, in sheet order


@contextmanager
def _snapshot(db: Database) -> Iterator[Connection]:
    """One read-only transaction for every query (one snapshot on PostgreSQL)."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def _stream(conn: Connection, stmt: Select) -> Iterable[Sequence[Any]]:
    """The statement's rows in batches of `BATCH`, never all at once."""
    result = conn.execute(stmt.execution_options(yield_per=BATCH))
    return result.partitions()


def _submissions(condition: ColumnElement[bool]) -> Select:
    return (
        select(*_SUBMISSION_FIELDS)
        .outerjoin(_assigned, _assigned.user_id == Submission.assigned_to)
        .where(condition)
        .order_by(Submission.id)
    )


def _history(condition: ColumnElement[bool], last_id: int) -> Select:
    return (
        select(
            StatusChange.submission_id,
            Submission.reference,
            StatusChange.changed_at,
            StatusChange.changed_by,
            _actor.name.label("actor_name"),
            StatusChange.from_status,
            StatusChange.to_status,
            StatusChange.note,
        )
        .join(Submission, Submission.id == StatusChange.submission_id)
        .outerjoin(_actor, _actor.user_id == StatusChange.changed_by)
        .where(condition, Submission.id <= last_id)
        .order_by(StatusChange.submission_id, StatusChange.changed_at, StatusChange.id)
    )


def _sheets(catalog: Catalog) -> list[tuple[DialogSheet, ColumnElement[bool]]]:
    """Every dialog's sheet with its condition, and a sheet for submissions of dialogs no
    longer in the catalog (written only when there are any)."""
    sheets: list[tuple[DialogSheet, ColumnElement[bool]]] = [
        (sheet, Submission.dialog.in_(sheet.dialogs)) for sheet in dialog_sheets(catalog)
    ]
    other = DialogSheet(texts.OTHER_SHEET, (), (), FIXED_COLUMNS)
    sheets.append((other, Submission.dialog.not_in(list(catalog.dialogs))))
    return sheets


def export_submissions(
    db: Database,
    catalog: Catalog,
    filters: ExportFilter,
    out: Path,
    fmt: str = "xlsx",
    progress: Callable[[int], object] | None = None,
) -> Exported:
    """Write matching submissions, one sheet (or CSV file) per dialog, and their history; the
    number of submissions and the files written. `progress(n)` is called with the rows done
    so far."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out)
    condition = filters.where()
    sink: _Sink = _XlsxSink(out) if fmt == "xlsx" else _CsvSink(out)
    count, last_id = 0, 0
    try:
        try:
            with _snapshot(db) as conn:
                for sheet, which in _sheets(catalog):
                    started = False
                    if sheet.dialogs:  # the other-dialogs sheet appears only when needed
                        sink.sheet(sheet.name, sheet.columns)
                        started = True
                    for batch in _stream(conn, _submissions(and_(condition, which))):
                        if not started:
                            sink.sheet(sheet.name, sheet.columns)
                            started = True
                        for row in batch:
                            sink.row(submission_cells(row, sheet.steps, sheet.labels))
                        count += len(batch)
                        last_id = max(last_id, batch[-1].id)
                        if progress is not None:
                            progress(count)
                sink.sheet(HISTORY_SHEET, HISTORY_COLUMNS)
                if count:
                    for batch in _stream(conn, _history(condition, last_id)):
                        for row in batch:
                            sink.row(history_cells(row))
        finally:
            sink.close()
        files = sink.finish()
    except BaseException:
        sink.discard()
        raise
    return Exported(count, files)
