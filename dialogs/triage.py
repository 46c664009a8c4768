"""Triage of a submission for staff: per-capita income against the current monitoring line,
plus the declared rules of `data/triage.yaml`. Residents never see the result.

    per capita = household net income ÷ household size
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common.yamlfile import LineDict, Problem

CONDITIONS = {
    "per_capita_below",
    "per_capita_at_least",
    "has_causes",
    "any_yes",
    "expenditure_share_at_least",
    "answer_in",
}
EXPENSE_KEYS = ("medical_expense", "education_expense", "other_expense")
GUARANTEE_LABELS = {
    "child_out_of_school": "义务教育",
    "no_medical_insurance": "基本医疗",
    "unsafe_housing": "住房安全",
    "unsafe_water": "饮水安全",
}
NO_CAUSE = {"暂无明显困难"}


@dataclass(frozen=True)
class Triage:
    level: str
    reasons: tuple[str, ...]
    per_capita_income: int | None


def validate_rules(raw: Any, path: Path) -> list[Problem]:
    problems: list[Problem] = []
    if (
        not isinstance(raw, LineDict)
        or not isinstance(raw.get("rules"), list)
        or not raw.get("levels")
    ):
        return [Problem(path, 1, "triage.yaml 需要 levels 和 rules")]
    levels = raw["levels"]
    if raw.get("default") not in levels:
        problems.append(Problem(path, raw.key_line("default"), "default 必须是 levels 之一"))
    for rule in raw["rules"]:
        line = rule.line if isinstance(rule, LineDict) else raw.key_line("rules")
        if not isinstance(rule, dict) or rule.get("level") not in levels:
            problems.append(Problem(path, line, f"规则的 level 必须是 {levels} 之一"))
            continue
        unknown = set(rule.get("if") or {}) - CONDITIONS
        if unknown or not rule.get("if"):
            problems.append(
                Problem(path, line, f"规则条件未知或为空：{', '.join(sorted(unknown)) or '（空）'}")
            )
        if not rule.get("reason"):
            problems.append(Problem(path, line, "规则缺少 reason"))
    return problems


def _facts(answers: dict[str, Any], line: int, year: int) -> dict[str, Any]:
    size = answers.get("household_size") or 0
    income = answers.get("annual_income")
    per_capita = round(income / size) if size and income is not None else None
    expenditure = sum(answers.get(k) or 0 for k in EXPENSE_KEYS)
    causes = [c for c in answers.get("causes") or [] if c not in NO_CAUSE]
    return {
        "per_capita": per_capita,
        "line": line,
        "year": year,
        "expenditure": expenditure,
        "share": f"{expenditure / income:.0%}" if income else "—",
        "causes": "、".join(causes),
        "cause_list": causes,
        "flags": "、".join(
            label for key, label in GUARANTEE_LABELS.items() if answers.get(key) is True
        ),
    }


def _holds(name: str, arg: Any, answers: dict[str, Any], facts: dict[str, Any]) -> bool:
    if name == "per_capita_below":
        return facts["per_capita"] is not None and facts["per_capita"] < facts["line"] * float(arg)
    if name == "per_capita_at_least":
        return facts["per_capita"] is not None and facts["per_capita"] >= facts["line"] * float(arg)
    if name == "has_causes":
        return bool(facts["cause_list"]) == bool(arg)
    if name == "any_yes":
        return any(answers.get(key) is True for key in arg)
    if name == "expenditure_share_at_least":
        income = answers.get("annual_income")
        if income is None or facts["expenditure"] == 0:
            return False
        return income == 0 or facts["expenditure"] / income >= float(arg)
    if name == "answer_in":
        return any(answers.get(key) in values for key, values in arg.items())
    raise KeyError(name)


def triage(answers: dict[str, Any], rules: dict[str, Any], line: int, year: int) -> Triage:
    """The level and reasons for one submission's answers."""
    facts = _facts(answers, line, year)
    levels: list[str] = list(rules["levels"])
    best = levels.index(rules["default"])
    reasons: list[str] = []
    for rule in rules["rules"]:
        condition = rule["if"]
        if all(_holds(name, arg, answers, facts) for name, arg in condition.items()):
            ratio = condition.get("per_capita_below", "")
            reason = str(rule["reason"]).format(ratio=ratio, **facts)
            if reason not in reasons:
                reasons.append(reason)
            best = min(best, levels.index(rule["level"]))
    return Triage(levels[best], tuple(reasons), facts["per_capita"])
