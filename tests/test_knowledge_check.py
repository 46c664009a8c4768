"""`bot.py check`: broken knowledge files are reported with file and line, all at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from common.yamlfile import DataError
from knowledge.base import DATA_DIR, load_knowledge


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text("utf-8").rstrip("\n") + "\n" + text, "utf-8")


def _problems(data_dir: Path) -> list[str]:
    with pytest.raises(DataError) as caught:
        load_knowledge(data_dir)
    return [str(p) for p in caught.value.problems]


def test_a_duplicate_id_names_both_places(data_copy):
    _append(
        data_copy / "entries" / "terms.yaml",
        """
  - id: monitoring-line
    question: 重复的问题
    alternates: [重复]
    answer: 重复
    source: {document: xuanzhou-2024-interpretation, section: 章节}
    tags: [测试]
    answers: []
""",
    )
    (problem,) = _problems(data_copy)
    assert (
        "terms.yaml:" in problem
        and "id 重复：monitoring-line" in problem
        and "plan.yaml" in problem
    )


def test_missing_fields_broken_related_ids_and_unknown_parameters_are_all_reported(data_copy):
    _append(
        data_copy / "entries" / "terms.yaml",
        """
  - id: no-answer
    question: 没有答案的条目
    alternates: [测试]
    source: {document: xuanzhou-2024-interpretation, section: 章节}
    tags: [测试]
    answers: []
  - id: bad-related
    question: 相关条目不存在
    alternates: [测试]
    answer: 答案提到 {next_year_line} 元
    source: {document: xuanzhou-2024-interpretation, section: 章节}
    tags: [测试]
    answers: []
  - id: bad-link
    question: 相关条目不存在
    alternates: [测试]
    answer: 答案
    source: {document: xuanzhou-2024-interpretation, section: 章节}
    tags: [测试]
    answers: []
    related: [nowhere]
""",
    )
    problems = _problems(data_copy)
    text = "\n".join(problems)
    assert "no-answer 缺少字段：answer" in text
    assert "未知参数：next_year_line" in text
    assert "指向不存在的条目：nowhere" in text
    lines = (data_copy / "entries" / "terms.yaml").read_text("utf-8").splitlines()
    for problem in problems:
        path, line, _ = problem.split(":", 2)
        assert path.endswith("terms.yaml")
        assert 1 <= int(line) <= len(lines)


def test_a_yaml_syntax_error_names_the_line(data_copy):
    _append(data_copy / "entries" / "service.yaml", "  - id: [unclosed\n")
    (problem,) = _problems(data_copy)
    assert "service.yaml:" in problem and "YAML 语法错误" in problem


def test_a_missing_monitoring_line_for_the_current_year_is_reported(data_copy):
    params = data_copy / "parameters.yaml"
    params.write_text(
        params.read_text("utf-8").replace("current_year: 2024", "current_year: 2031"), "utf-8"
    )
    (problem,) = _problems(data_copy)
    assert "parameters.yaml:" in problem and "2031" in problem


def test_answers_render_from_the_parameters_so_next_year_is_one_edit(data_copy):
    params = data_copy / "parameters.yaml"
    text = params.read_text("utf-8").replace("current_year: 2024", "current_year: 2025")
    text = text.replace(
        "monitoring_lines:\n",
        "monitoring_lines:\n  - year: 2025\n    province: 安徽\n"
        "    yuan_per_capita_per_year: 9500\n    source: 测试\n",
    )
    params.write_text(text, "utf-8")
    kb = load_knowledge(data_copy)
    entry = kb.get("monitoring-line")
    assert entry is not None
    answer = entry.answer
    assert "9500元" in answer and "2025" in answer and "9100" not in answer
