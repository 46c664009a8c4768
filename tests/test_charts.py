"""Statistics for staff: counts within a scope, the PNG chart with Chinese text, the caption."""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime, timedelta
from io import BytesIO

import pytest
from matplotlib import font_manager
from matplotlib.font_manager import FontProperties
from matplotlib.image import imread

from assistant.service import Assistant
from dialogs.spec import load_catalog
from review.access import Role, Scope, StaffRole
from review.charts import (
    Stats,
    chart_heading,
    cjk_font_family,
    cjk_font_path,
    collect_stats,
    draw_chart,
    render_chart,
    summary_text,
)
from review.export import ExportFilter, export_filter
from storage.repository import StaffDirectory
from tests.chat import say, shown

CATALOG = load_catalog()
RULES = CATALOG.triage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def county(make_submission):
    """Six households in three townships; two of them were reported more than a week ago."""
    yesterday = NOW - timedelta(days=1)

    def household(township, causes, priority, **more):
        fields = {"created_at": yesterday, **more}
        return make_submission(
            township=township, answers={"causes": causes}, priority=priority, **fields
        )

    return [
        household("水阳镇", ["因病", "缺劳动力"], "优先核实", status="核实中"),
        household("水阳镇", ["因病"], "重点关注"),
        household("水阳镇", ["暂无明显困难"], "一般", created_at=NOW - timedelta(days=10)),
        household("狸桥镇", ["因学", "因病"], "优先核实", submitted_by=200, status="已纳入监测"),
        household("狸桥镇", [], "一般", submitted_by=200),
        household("金坝街道", ["因残"], "重点关注", created_at=NOW - timedelta(days=30)),
    ]


def sample_stats() -> Stats:
    return Stats(
        total=12,
        by_township=[("水阳镇", 5), ("狸桥镇", 4), ("金坝街道", 3)],
        by_cause=[("因病", 6), ("缺劳动力", 3), ("因学", 2), ("因自然灾害", 1)],
        by_status=[("待核实", 8), ("核实中", 3), ("已纳入监测", 1)],
        by_priority=[("重点关注", 5), ("优先核实", 4), ("一般", 3)],
        last_7_days=3,
    )


def empty_stats() -> Stats:
    return Stats(0, [], [], [], [], 0)


def decoded(png: bytes):
    assert png.startswith(PNG_SIGNATURE)
    return imread(BytesIO(png), format="png")


# -- counting ------------------------------------------------------------------------------


def test_an_admin_sees_every_township_cause_and_status_counted(db, county):
    stats = collect_stats(db, Scope(everything=True), RULES, now=NOW)
    assert stats.total == 6
    assert stats.by_township == [("水阳镇", 3), ("狸桥镇", 2), ("金坝街道", 1)]
    assert stats.by_cause == [("因病", 3), ("因学", 1), ("因残", 1), ("缺劳动力", 1)]
    assert stats.by_status == [("待核实", 4), ("已纳入监测", 1), ("核实中", 1)]
    assert stats.by_priority == [("一般", 2), ("优先核实", 2), ("重点关注", 2)]
    assert stats.last_7_days == 4


def test_a_household_with_no_hardship_is_counted_but_not_as_a_cause(db, make_submission):
    make_submission(answers={"causes": ["暂无明显困难"]})
    stats = collect_stats(db, Scope(everything=True), RULES, now=NOW)
    assert stats.total == 1 and stats.by_cause == []


def test_a_reviewer_counts_only_the_townships_in_their_scope(db, county):
    reviewer = StaffRole(7, Role.REVIEWER, ("狸桥镇",))
    stats = collect_stats(db, reviewer.scope, RULES, now=NOW)
    assert stats.total == 2
    assert stats.by_township == [("狸桥镇", 2)]
    assert stats.by_cause == [("因学", 1), ("因病", 1)]
    assert stats.by_status == [("已纳入监测", 1), ("待核实", 1)]
    assert stats.last_7_days == 2


def test_a_cadre_counts_only_the_households_they_recorded(db, county):
    stats = collect_stats(db, StaffRole(200, Role.CADRE).scope, RULES, now=NOW)
    assert stats.total == 2 and stats.by_township == [("狸桥镇", 2)]


def test_someone_without_a_role_counts_nothing(db, county):
    stats = collect_stats(db, StaffRole(999, None).scope, RULES, now=NOW)
    assert stats == empty_stats()


def test_a_submission_without_a_township_is_still_counted(db, make_submission):
    make_submission(township=None)
    stats = collect_stats(db, Scope(everything=True), RULES, now=NOW)
    assert stats.total == 1 and stats.by_township == [("未填写乡镇", 1)]


def test_the_last_seven_days_follow_the_clock_passed_in(db, county):
    a_month_later = NOW + timedelta(days=30)
    assert collect_stats(db, Scope(everything=True), RULES, now=a_month_later).last_7_days == 0
    assert (
        collect_stats(db, Scope(everything=True), RULES, now=NOW.replace(tzinfo=None)).last_7_days
        == 4
    )


def test_without_a_clock_fresh_submissions_are_recent(db, make_submission):
    make_submission()
    assert collect_stats(db, Scope(everything=True), RULES).last_7_days == 1


# -- the font ------------------------------------------------------------------------------


def test_the_chinese_font_ships_with_mplfonts_and_matplotlib_finds_it_by_name():
    path = cjk_font_path()
    assert path.is_file() and path.name == "NotoSansCJKsc-Regular.otf"
    assert path.stat().st_size > 1_000_000
    assert cjk_font_path() == path  # registered once, same answer
    family = cjk_font_family()
    assert family == "Noto Sans CJK SC"
    # by name matplotlib finds it — or, on a machine with Debian's fonts-noto-cjk, the same
    # family from /usr/share/fonts; the charts name the shipped file itself either way
    found = font_manager.findfont(FontProperties(family=family), fallback_to_default=False)
    assert FontProperties(fname=found).get_name() == family


def test_chinese_labels_render_without_missing_glyph_or_findfont_warnings(caplog):
    stats = sample_stats()
    caplog.set_level(logging.DEBUG, logger="matplotlib.font_manager")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = render_chart(stats)
        render_chart(empty_stats())
    messages = [str(w.message) for w in caught]
    assert not [m for m in messages if "missing from" in m or "Glyph" in m or "findfont" in m]
    font_logs = [r.getMessage() for r in caplog.records if r.name == "matplotlib.font_manager"]
    assert not [m for m in font_logs if "findfont: Font family" in m or "not found" in m]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    decoded(png)


# -- the chart -----------------------------------------------------------------------------


def test_the_chart_is_a_valid_png_of_a_reasonable_size():
    png = render_chart(sample_stats())
    image = decoded(png)
    height, width = image.shape[:2]
    assert 700 <= width <= 1400 and 500 <= height <= 2500
    assert 10_000 < len(png) < 1_000_000
    assert image.std() > 0.05  # something was drawn, not a blank page


def test_an_empty_dataset_still_renders_a_chart(db):
    stats = collect_stats(db, Scope(everything=True), RULES, now=NOW)
    assert stats == empty_stats()
    height, width = decoded(render_chart(stats)).shape[:2]
    assert width >= 700 and height >= 300


def test_every_township_gets_its_own_bar_and_the_chart_grows_with_them():
    many = [(f"第{i}镇", 100 - i) for i in range(40)]
    stats = Stats(sum(n for _, n in many), many, [], [("待核实", 10)], [], 0)
    figure = draw_chart(stats, "全区 · 全部时间")
    townships = figure.axes[0]
    labels = [label.get_text() for label in townships.get_yticklabels()]
    assert labels == [name for name, _ in many]  # no "其余乡镇" bar dwarfing the rest
    few = draw_chart(sample_stats(), "全区 · 全部时间")
    assert figure.get_figheight() > few.get_figheight() + 8
    height, _ = decoded(render_chart(stats)).shape[:2]
    assert height < 3500


def test_the_chart_title_names_the_scope_and_the_dates(db, county):
    june = export_filter(Scope(everything=True), CATALOG, "水阳镇", "2024-09-01", "2024-09-30")
    assert chart_heading(june) == "水阳镇 · 2024-09-01 至 2024-09-30"
    assert chart_heading(ExportFilter(Scope(everything=True))) == "全区 · 全部时间"
    reviewer = ExportFilter(Scope(townships=frozenset({"狸桥镇", "水阳镇"})))
    assert chart_heading(reviewer) == "水阳镇、狸桥镇 · 全部时间"
    since = export_filter(Scope(everything=True), CATALOG, since="2024-09-01")
    assert chart_heading(since) == "全区 · 2024-09-01 起"
    stats = collect_stats(db, june, RULES, now=NOW)
    title = draw_chart(stats, chart_heading(june)).get_suptitle()
    assert "水阳镇 · 2024-09-01 至 2024-09-30" in title and "共 0 份" in title


def test_stats_for_one_township_and_month_count_only_those(db, county):
    shuiyang = export_filter(Scope(everything=True), CATALOG, "水阳镇")
    assert collect_stats(db, shuiyang, RULES, now=NOW).by_township == [("水阳镇", 3)]
    march = export_filter(Scope(everything=True), CATALOG, since="2025-03-05")
    assert collect_stats(db, march, RULES, now=NOW).total == 4


def test_stats_for_a_township_that_does_not_exist_say_so(kb, db, county):
    assistant = Assistant(kb, db, admin_ids=frozenset({1}))
    replies = say(assistant, 1, "/stats 水羊镇")
    assert "没有「水羊镇」这个乡镇" in shown(replies) and not replies[0].photo
    replies = say(assistant, 1, "/stats 水阳镇 2025-03-01 2025-03-31")
    assert replies[0].photo and "共 2 份" in replies[0].text
    assert replies[0].text.startswith("水阳镇 · 2025-03-01 至 2025-03-31")
    assert "用法" in shown(say(assistant, 1, "/stats 水阳镇 2025-03-01 2025-03-31 2025-04-01"))


def test_a_reviewer_asking_for_stats_of_another_township_is_refused(kb, db, county):
    assistant = Assistant(kb, db)
    StaffDirectory(db).add(7, "reviewer", ["狸桥镇"], added_by=1)
    replies = say(assistant, 7, "/stats 水阳镇")
    assert "您不负责「水阳镇」" in shown(replies) and not replies[0].photo


def test_the_chart_of_real_submissions_renders(db, county):
    decoded(render_chart(collect_stats(db, Scope(everything=True), RULES, now=NOW)))


# -- the caption ---------------------------------------------------------------------------


def test_the_summary_mentions_totals_priorities_and_the_busiest_township():
    text = summary_text(sample_stats(), RULES.levels)
    assert text.startswith("共 12 份申报，近 7 天 3 份。")
    assert "优先核实 4 份、重点关注 5 份、一般 3 份" in text  # most urgent first
    assert "待核实 8 份" in text and "水阳镇 5 份" in text and "因病 6 户" in text
    assert len(text) < 300


def test_the_summary_of_nothing_says_so():
    assert summary_text(empty_stats(), RULES.levels) == "暂无申报数据。"


def test_the_summary_of_a_reviewers_scope_counts_only_that_scope(db, county):
    stats = collect_stats(db, StaffRole(7, Role.REVIEWER, ("狸桥镇",)).scope, RULES, now=NOW)
    text = summary_text(stats, RULES.levels)
    assert text.startswith("共 2 份申报，近 7 天 2 份。")
    assert "水阳镇" not in text and "狸桥镇 2 份" in text


def test_a_township_name_with_dollar_signs_does_not_break_the_chart():
    stats = Stats(
        total=1,
        by_township=[(r"$\foo$镇", 1)],
        by_cause=[],
        by_status=[("待核实", 1)],
        by_priority=[("一般", 1)],
        last_7_days=1,
    )
    image = decoded(render_chart(stats))  # the dollar signs are not read as mathtext
    assert image.std() > 0.05
