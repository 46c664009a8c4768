"""Policy parameters (`data/parameters.yaml`): the monitoring line per year and province, the
current screening's dates, the contact office, and the documents entries may cite.

Answers refer to them through placeholders (`{monitoring_line}`, `{contact_phone}` …) so that
next year's update is one edit in one file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from common.yamlfile import DataError, LineDict, Problem, load_yaml


@dataclass(frozen=True)
class MonitoringLine:
    year: int
    province: str
    yuan_per_capita_per_year: int
    source: str


@dataclass(frozen=True)
class Document:
    """A document entries may cite: its full title (with 文号 where it has one), issuer, date."""

    key: str
    title: str
    issuer: str
    date: str


@dataclass(frozen=True)
class PolicyParameters:
    current_year: int
    province: str
    monitoring_lines: tuple[MonitoringLine, ...]
    screening: dict[str, str]
    contact: dict[str, str]
    documents: dict[str, Document] = field(default_factory=dict)
    year_note: str = ""

    def monitoring_line(
        self, year: int | None = None, province: str | None = None
    ) -> MonitoringLine:
        """The monitoring line for `year` (default: the current year) in `province`."""
        year = year or self.current_year
        province = province or self.province
        for line in self.monitoring_lines:
            if line.year == year and line.province == province:
                return line
        raise KeyError(f"没有 {year} 年 {province} 的监测范围")

    def placeholders(self) -> dict[str, str]:
        """Values that answer templates may use, by placeholder name."""
        current = self.monitoring_line()
        values = {
            "year": str(self.current_year),
            "province": self.province,
            "monitoring_line": str(current.yuan_per_capita_per_year),
        }
        values.update({key: str(value) for key, value in self.screening.items()})
        values.update({f"contact_{key}": str(value) for key, value in self.contact.items()})
        values["year_note"] = self.year_note.format(year=self.current_year)
        return values

    @property
    def contact_phone(self) -> str:
        return self.contact["phone"]

    @property
    def contact_office(self) -> str:
        return self.contact["office"]


def load_parameters(path: Path) -> PolicyParameters:
    """Read and validate the parameters file; raise `DataError` naming file and line."""
    raw = load_yaml(path)
    problems: list[Problem] = []
    if not isinstance(raw, LineDict):
        raise DataError([Problem(path, 1, "参数文件应为一个映射（key: value）")])
    for key in (
        "current_year",
        "province",
        "monitoring_lines",
        "screening",
        "contact",
        "documents",
        "year_note",
    ):
        if key not in raw:
            problems.append(Problem(path, raw.line, f"缺少参数 {key}"))
    if problems:
        raise DataError(problems)

    lines = []
    for item in raw["monitoring_lines"] or []:
        try:
            lines.append(
                MonitoringLine(
                    year=int(item["year"]),
                    province=str(item["province"]),
                    yuan_per_capita_per_year=int(item["yuan_per_capita_per_year"]),
                    source=str(item["source"]),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            line = item.line if isinstance(item, LineDict) else raw.key_line("monitoring_lines")
            problems.append(Problem(path, line, f"监测范围条目不完整或数值无效：{exc}"))
    for key in ("phone", "office"):
        if key not in (raw["contact"] or {}):
            problems.append(Problem(path, raw.key_line("contact"), f"contact 缺少 {key}"))
    try:
        current_year = int(raw["current_year"])
    except (TypeError, ValueError):
        problems.append(
            Problem(path, raw.key_line("current_year"), "current_year 应为年份数字，例如 2024")
        )
        raise DataError(problems) from None
    documents = _documents(raw, path, problems)
    year_note = str(raw["year_note"] or "")
    if "{year}" not in year_note:
        problems.append(
            Problem(path, raw.key_line("year_note"), "year_note 应写明年份：包含 {year}")
        )
    params = PolicyParameters(
        current_year=current_year,
        province=str(raw["province"]),
        monitoring_lines=tuple(lines),
        screening=dict(raw["screening"] or {}),
        contact=dict(raw["contact"] or {}),
        documents=documents,
        year_note=year_note,
    )
    if not problems:
        try:
            params.monitoring_line()
        except KeyError as exc:
            problems.append(Problem(path, raw.key_line("current_year"), str(exc.args[0])))
    if problems:
        raise DataError(problems)
    return params


def _documents(raw: LineDict, path: Path, problems: list[Problem]) -> dict[str, Document]:
    """The citable documents: each needs a title, an issuer and a date."""
    section = raw["documents"]
    if not isinstance(section, dict) or not section:
        problems.append(Problem(path, raw.key_line("documents"), "documents 应为文件映射"))
        return {}
    documents = {}
    for key, item in section.items():
        line = section.key_line(str(key)) if isinstance(section, LineDict) else raw.line
        fields = item if isinstance(item, dict) else {}
        missing = [name for name in ("title", "issuer", "date") if not fields.get(name)]
        if missing:
            problems.append(Problem(path, line, f"文件 {key} 缺少：{', '.join(missing)}"))
            continue
        issued = fields["date"]
        documents[str(key)] = Document(
            key=str(key),
            title=str(fields["title"]),
            issuer=str(fields["issuer"]),
            date=issued.isoformat() if isinstance(issued, date) else str(issued),
        )
    return documents
