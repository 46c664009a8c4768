"""Triage of a submission for staff: per-capita income against the current monitoring line,
plus the declared rules of `data/triage.yaml`. Residents never see the result.

    per capita = household net income ÷ household size

`triage.yaml` declares everything the code reads: the priority levels (most urgent first, the
one vocabulary the queue and the charts sort by), the rules, and under `answers:` which dialog
answers hold the household size, the income, the rigid expenses, the hardship causes and the
三保障 / drinking-water problems. `parse_rules` turns the file into `TriageRules` and lists every
answer key it names as a `KeyReference`, so `dialogs.spec.load_catalog` can check that each one
exists in a dialog, with the right kind of step (and, for `answer_in`, the right choices);
`dialog_in` names whole dialogs (a call-back request), each checked the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common.yamlfile import LineDict, Problem

CONDITIONS = {
    "per_capita_below",
    "per_capita_at_least",
    "has_causes",
    "guarantee_problem",
    "any_yes",
    "expenditure_share_at_least",
    "answer_in",
    "dialog_in",
}
ANSWER_ROLES = ("household_size", "income", "expenses", "causes", "guarantees")
# The kind of step each declared answer must be (`bot.py check` verifies it).
ROLE_KINDS = {
    "household_size": frozenset({"integer"}),
    "income": frozenset({"money"}),
    "expenses": frozenset({"money"}),
    "causes": frozenset({"multi"}),
    "guarantees": frozenset({"yesno"}),
}
YES_NO = frozenset({"yesno"})
CHOICE = frozenset({"single", "multi"})


@dataclass(frozen=True)
class KeyReference:
    """An answer key named in triage.yaml: where, and what kind of step it must be."""

    key: str
    line: int
    kinds: frozenset[str]
    values: tuple[str, ...] = ()  # answer_in: values that must be among the step's choices


@dataclass(frozen=True)
class AnswerKeys:
    """Which answers triage (and the statistics) read."""

    household_size: str
    income: str
    expenses: tuple[str, ...]
    causes: str
    guarantees: dict[str, str]  # yes/no key → short label of the problem (义务教育 …)


@dataclass(frozen=True)
class Rule:
    level: str
    conditions: dict[str, Any]
    reason: str


@dataclass(frozen=True)
class TriageRules:
    path: Path
    levels: tuple[str, ...]  # most urgent first
    default: str
    rules: tuple[Rule, ...]
    answers: AnswerKeys
    references: tuple[KeyReference, ...]
    no_cause: frozenset[str] = field(default_factory=frozenset)  # the causes step's none-choice
    dialogs: tuple[tuple[str, int], ...] = ()  # (dialog name, line) that `dialog_in` names

    def rank(self, level: str) -> int:
        """Sort key of a priority level: most urgent 0; unknown levels last."""
        return self.levels.index(level) if level in self.levels else len(self.levels)

    def causes_of(self, answers: Any) -> list[str]:
        """The hardship causes in one submission's answers, each once, without the none-choice."""
        if not isinstance(answers, dict):
            return []
        causes = answers.get(self.answers.causes)
        if isinstance(causes, str):
            causes = [causes]
        if not isinstance(causes, list):
            return []
        seen: list[str] = []
        for cause in causes:
            cause = cause.strip() if isinstance(cause, str) else ""
            if cause and cause not in self.no_cause and cause not in seen:
                seen.append(cause)
        return seen


@dataclass(frozen=True)
class Triage:
    level: str
    reasons: tuple[str, ...]
    per_capita_income: int | None


def _key_list(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(k, str) for k in value):
        return list(value)
    return None


def _answer_keys(raw: Any, path: Path, problems: list[Problem]) -> AnswerKeys | None:
    if not isinstance(raw, LineDict):
        problems.append(
            Problem(path, 1, f"triage.yaml 需要 answers，声明 {', '.join(ANSWER_ROLES)}")
        )
        return None
    missing = [role for role in ANSWER_ROLES if not raw.get(role)]
    if missing:
        problems.append(Problem(path, raw.line, f"answers 缺少：{', '.join(missing)}"))
        return None
    expenses = _key_list(raw["expenses"])
    guarantees = raw["guarantees"]
    if expenses is None:
        problems.append(
            Problem(path, raw.key_line("expenses"), "answers.expenses 应为回答 key 的列表")
        )
    if not isinstance(guarantees, dict) or not all(isinstance(v, str) for v in guarantees.values()):
        problems.append(
            Problem(path, raw.key_line("guarantees"), "answers.guarantees 应为 {回答 key: 简称}")
        )
        return None
    if expenses is None:
        return None
    return AnswerKeys(
        household_size=str(raw["household_size"]),
        income=str(raw["income"]),
        expenses=tuple(expenses),
        causes=str(raw["causes"]),
        guarantees={str(k): str(v) for k, v in guarantees.items()},
    )


def _answer_references(keys: AnswerKeys, raw: LineDict) -> list[KeyReference]:
    def at(role: str) -> int:
        return raw.key_line(role)

    refs = [
        KeyReference(keys.household_size, at("household_size"), ROLE_KINDS["household_size"]),
        KeyReference(keys.income, at("income"), ROLE_KINDS["income"]),
        KeyReference(keys.causes, at("causes"), ROLE_KINDS["causes"]),
    ]
    refs += [KeyReference(k, at("expenses"), ROLE_KINDS["expenses"]) for k in keys.expenses]
    refs += [KeyReference(k, at("guarantees"), ROLE_KINDS["guarantees"]) for k in keys.guarantees]
    return refs


def _rule(
    raw: Any, levels: list[str], path: Path, line: int, problems: list[Problem]
) -> tuple[Rule | None, list[KeyReference]]:
    if not isinstance(raw, dict) or raw.get("level") not in levels:
        problems.append(Problem(path, line, f"规则的 level 必须是 {levels} 之一"))
        return None, []
    conditions = raw.get("if")
    unknown = set(conditions or {}) - CONDITIONS if isinstance(conditions, dict) else set()
    if not isinstance(conditions, dict) or not conditions or unknown:
        problems.append(
            Problem(path, line, f"规则条件未知或为空：{', '.join(sorted(unknown)) or '（空）'}")
        )
        return None, []
    if not raw.get("reason"):
        problems.append(Problem(path, line, "规则缺少 reason"))
        return None, []
    line = raw.key_line("if") if isinstance(raw, LineDict) else line  # where the keys are named
    refs: list[KeyReference] = []
    if "any_yes" in conditions:
        keys = _key_list(conditions["any_yes"])
        if keys is None:
            problems.append(Problem(path, line, "any_yes 应为是/否题的 key 列表"))
            return None, []
        refs += [KeyReference(key, line, YES_NO) for key in keys]
    if "answer_in" in conditions:
        pairs = conditions["answer_in"]
        if not isinstance(pairs, dict) or not all(_key_list(v) for v in pairs.values()):
            problems.append(Problem(path, line, "answer_in 应为 {回答 key: [选项…]}"))
            return None, []
        refs += [KeyReference(str(k), line, CHOICE, tuple(v)) for k, v in pairs.items()]
    if "dialog_in" in conditions and _key_list(conditions["dialog_in"]) is None:
        problems.append(Problem(path, line, "dialog_in 应为对话名称（name）的列表"))
        return None, []
    return Rule(str(raw["level"]), dict(conditions), str(raw["reason"])), refs


def parse_rules(raw: Any, path: Path, problems: list[Problem]) -> TriageRules | None:
    """`triage.yaml` as `TriageRules`; every mistake appended to `problems` with its line."""
    if not isinstance(raw, LineDict) or not isinstance(raw.get("rules"), list):
        problems.append(Problem(path, 1, "triage.yaml 需要 levels、default、answers 和 rules"))
        return None
    levels = raw.get("levels")
    if not isinstance(levels, list) or not levels or len(set(levels)) != len(levels):
        problems.append(Problem(path, raw.key_line("levels"), "levels 应为不重复的优先级列表"))
        return None
    levels = [str(level) for level in levels]
    if raw.get("default") not in levels:
        problems.append(Problem(path, raw.key_line("default"), "default 必须是 levels 之一"))
    keys = _answer_keys(raw.get("answers"), path, problems)
    references = _answer_references(keys, raw["answers"]) if keys is not None else []
    rules: list[Rule] = []
    dialogs: list[tuple[str, int]] = []
    for item in raw["rules"]:
        line = item.line if isinstance(item, LineDict) else raw.key_line("rules")
        rule, refs = _rule(item, levels, path, line, problems)
        if rule is not None:
            rules.append(rule)
            references += refs
            names = rule.conditions.get("dialog_in") or []
            where = item.key_line("if") if isinstance(item, LineDict) else line
            dialogs += [(str(name), where) for name in names]
    if keys is None or raw.get("default") not in levels:
        return None
    return TriageRules(
        path=path,
        levels=tuple(levels),
        default=str(raw["default"]),
        rules=tuple(rules),
        answers=keys,
        references=tuple(references),
        dialogs=tuple(dialogs),
    )


def _facts(
    answers: dict[str, Any], rules: TriageRules, line: int, year: int, dialog: str | None
) -> dict[str, Any]:
    keys = rules.answers
    size = answers.get(keys.household_size) or 0
    income = answers.get(keys.income)
    per_capita = round(income / size) if size and income is not None else None
    expenditure = sum(answers.get(k) or 0 for k in keys.expenses)
    causes = rules.causes_of(answers)
    return {
        "dialog": dialog,
        "per_capita": per_capita,
        "line": line,
        "year": year,
        "income": income,
        "expenditure": expenditure,
        "share": f"{expenditure / income:.0%}" if income else "—",
        "causes": "、".join(causes),
        "cause_list": causes,
        "flags": "、".join(
            label for key, label in keys.guarantees.items() if answers.get(key) is True
        ),
    }


def _holds(name: str, arg: Any, answers: dict[str, Any], facts: dict[str, Any]) -> bool:
    if name == "dialog_in":
        return facts["dialog"] in arg
    if name == "per_capita_below":
        return facts["per_capita"] is not None and facts["per_capita"] < facts["line"] * float(arg)
    if name == "per_capita_at_least":
        return facts["per_capita"] is not None and facts["per_capita"] >= facts["line"] * float(arg)
    if name == "has_causes":
        return bool(facts["cause_list"]) == bool(arg)
    if name == "guarantee_problem":
        return bool(facts["flags"]) == bool(arg)
    if name == "any_yes":
        return any(answers.get(key) is True for key in arg)
    if name == "expenditure_share_at_least":
        income = facts["income"]
        if income is None or facts["expenditure"] == 0:
            return False
        return bool(income == 0 or facts["expenditure"] / income >= float(arg))
    if name == "answer_in":
        return any(answers.get(key) in values for key, values in arg.items())
    raise KeyError(name)


def triage(
    answers: dict[str, Any], rules: TriageRules, line: int, year: int, dialog: str | None = None
) -> Triage:
    """The level and reasons for one submission's answers (of the dialog named `dialog`)."""
    facts = _facts(answers, rules, line, year, dialog)
    best = rules.levels.index(rules.default)
    reasons: list[str] = []
    for rule in rules.rules:
        if all(_holds(name, arg, answers, facts) for name, arg in rule.conditions.items()):
            ratio = rule.conditions.get("per_capita_below", "")
            reason = rule.reason.format(ratio=ratio, **facts)
            if reason not in reasons:
                reasons.append(reason)
            best = min(best, rules.levels.index(rule.level))
    return Triage(rules.levels[best], tuple(reasons), facts["per_capita"])
