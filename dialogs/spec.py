"""Dialog declarations: loading and validating `data/*.yaml` into `Dialog`s of `Step`s.

`blocks.yaml` declares shared blocks of steps; each dialog file lists its steps, inline or as
`block: name` (with optional per-step `overrides`). `places.yaml` lists the townships and their
villages; `triage.yaml` the triage rules (see `dialogs.triage`). `load_catalog()` reports every
problem as file:line through `DataError`. The kinds a step may have are the rows of
`dialogs.kinds.TABLE`; `applicable` says when a step's `when` holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from common.yamlfile import DataError, LineDict, Problem, load_yaml
from dialogs import kinds, texts

DATA_DIR = Path(__file__).resolve().parent / "data"

KINDS = frozenset(kinds.TABLE)  # one row per kind in `dialogs.kinds`
CHOICE_KINDS = frozenset(name for name, kind in kinds.TABLE.items() if kind.needs_choices)
CONDITION_OPERATORS = {"equals", "in", "contains", "is"}
STEP_FIELDS = {
    "key",
    "label",
    "kind",
    "prompt",
    "optional",
    "min",
    "max",
    "max_length",
    "choices",
    "none_choice",
    "example",
    "help",
    "when",
    "resets",
}
OTHER_CHOICE = texts.OTHER_CHOICE


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    kind: str
    prompt: str
    optional: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int = 50
    choices: tuple[str, ...] = ()
    none_choice: str | None = None
    example: str | None = None
    help: str | None = None
    when: dict[str, dict[str, Any]] = field(default_factory=dict)
    resets: tuple[str, ...] = ()  # answers cleared (and asked again) when this answer changes


def applicable(step: Step, answers: Mapping[str, Any]) -> bool:
    """Whether the step's `when` holds for the answers so far."""
    for key, condition in step.when.items():
        ((operator, expected),) = condition.items()
        value = answers.get(key)
        if operator == "equals" and value != expected:
            return False
        if operator == "in" and value not in expected:
            return False
        if operator == "contains" and (not isinstance(value, list) or expected not in value):
            return False
        if operator == "is" and value is not expected:
            return False
    return True


@dataclass(frozen=True)
class Dialog:
    name: str
    title: str
    command: str
    audience: str  # "anyone" or "staff"
    steps: tuple[Step, ...]
    submitted: str

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    def index(self, key: str) -> int:
        return [s.key for s in self.steps].index(key)


@dataclass(frozen=True)
class Township:
    name: str
    villages: tuple[str, ...]


@dataclass(frozen=True)
class Catalog:
    dialogs: dict[str, Dialog]
    townships: tuple[Township, ...]
    triage: dict[str, Any]

    def township_names(self) -> list[str]:
        return [t.name for t in self.townships]

    def villages_of(self, township: str | None) -> tuple[str, ...]:
        for t in self.townships:
            if t.name == township:
                return t.villages
        return ()


def _step(raw: LineDict, path: Path, problems: list[Problem]) -> Step | None:
    unknown = set(raw) - STEP_FIELDS
    if unknown:
        problems.append(
            Problem(
                path,
                raw.line,
                f"步骤 {raw.get('key', '?')} 有未知字段：{', '.join(sorted(unknown))}",
            )
        )
    missing = [f for f in ("key", "label", "kind", "prompt") if not raw.get(f)]
    if missing:
        problems.append(
            Problem(path, raw.line, f"步骤 {raw.get('key', '?')} 缺少字段：{', '.join(missing)}")
        )
        return None
    if raw["kind"] not in KINDS:
        problems.append(
            Problem(path, raw.key_line("kind"), f"步骤 {raw['key']} 的类型未知：{raw['kind']}")
        )
        return None
    choices = tuple(str(c) for c in raw.get("choices") or ())
    if raw["kind"] in CHOICE_KINDS and not choices:
        problems.append(Problem(path, raw.line, f"步骤 {raw['key']} 是选择题，但没有 choices"))
    none_choice = raw.get("none_choice")
    if none_choice is not None and none_choice not in choices:
        problems.append(
            Problem(
                path,
                raw.key_line("none_choice"),
                f"步骤 {raw['key']} 的 none_choice 不在 choices 中",
            )
        )
    when = raw.get("when") or {}
    if not isinstance(when, dict) or any(
        not isinstance(cond, dict) or len(cond) != 1 or next(iter(cond)) not in CONDITION_OPERATORS
        for cond in when.values()
    ):
        problems.append(
            Problem(
                path,
                raw.key_line("when"),
                f"步骤 {raw['key']} 的 when 格式应为 {{键: {{equals|in|contains|is: 值}}}}",
            )
        )
        when = {}
    return Step(
        key=str(raw["key"]),
        label=str(raw["label"]),
        kind=str(raw["kind"]),
        prompt=str(raw["prompt"]).strip(),
        optional=bool(raw.get("optional", False)),
        min=raw.get("min"),
        max=raw.get("max"),
        max_length=int(raw.get("max_length", 500 if raw["kind"] == "longtext" else 50)),
        choices=choices,
        none_choice=none_choice,
        example=raw.get("example"),
        help=raw.get("help"),
        when={str(k): dict(v) for k, v in when.items()},
        resets=tuple(str(k) for k in raw.get("resets") or ()),
    )


def _load_blocks(path: Path, problems: list[Problem]) -> dict[str, list[tuple[Step, int]]]:
    raw = load_yaml(path)
    blocks: dict[str, list[tuple[Step, int]]] = {}
    if not isinstance(raw, dict) or not isinstance(raw.get("blocks"), dict):
        problems.append(Problem(path, 1, "blocks.yaml 应有顶层键 blocks: {名称: 步骤列表}"))
        return blocks
    for name, steps in raw["blocks"].items():
        blocks[name] = []
        for item in steps or []:
            step = _step(item, path, problems) if isinstance(item, LineDict) else None
            if step is not None:
                blocks[name].append((step, item.line))
    return blocks


def _load_dialog(
    path: Path, blocks: dict[str, list[tuple[Step, int]]], problems: list[Problem]
) -> Dialog | None:
    raw = load_yaml(path)
    if not isinstance(raw, LineDict):
        problems.append(Problem(path, 1, "对话文件应为映射"))
        return None
    missing = [
        f for f in ("name", "title", "command", "audience", "steps", "submitted") if not raw.get(f)
    ]
    if missing:
        problems.append(Problem(path, raw.line, f"对话缺少字段：{', '.join(missing)}"))
        return None
    steps: list[tuple[Step, Path, int]] = []
    for item in raw["steps"]:
        if "block" in item:
            block = blocks.get(item["block"])
            if block is None:
                problems.append(Problem(path, item.line, f"未知的步骤块：{item['block']}"))
                continue
            overrides = item.get("overrides") or {}
            known = {s.key for s, _ in block}
            for key in set(overrides) - known:
                problems.append(
                    Problem(
                        path, item.key_line("overrides"), f"overrides 指向块中不存在的步骤：{key}"
                    )
                )
            for step, _line in block:
                change = dict(overrides.get(step.key) or {})
                if change.pop("skip", False):
                    continue
                if set(change) - STEP_FIELDS:
                    problems.append(
                        Problem(
                            path,
                            item.key_line("overrides"),
                            f"overrides 有未知字段：{', '.join(set(change) - STEP_FIELDS)}",
                        )
                    )
                    continue
                steps.append((replace(step, **change), path, item.line))
        else:
            inline = _step(item, path, problems)
            if inline is not None:
                steps.append((inline, path, item.line))
    all_keys = {step.key for step, _, _ in steps}
    for step, where, line in steps:
        for key in set(step.resets) - all_keys:
            problems.append(
                Problem(where, line, f"步骤 {step.key} 的 resets 引用了不存在的步骤：{key}")
            )
    seen: set[str] = set()
    for step, where, line in steps:
        if step.key in seen:
            problems.append(Problem(where, line, f"对话 {raw['name']} 中步骤 key 重复：{step.key}"))
        for key in step.when:
            if key not in seen:
                problems.append(
                    Problem(
                        where, line, f"步骤 {step.key} 的 when 引用了未出现在它之前的步骤：{key}"
                    )
                )
        seen.add(step.key)
    if raw["audience"] not in {"anyone", "staff"}:
        problems.append(Problem(path, raw.key_line("audience"), "audience 应为 anyone 或 staff"))
    if "{reference}" not in str(raw["submitted"]):
        problems.append(Problem(path, raw.key_line("submitted"), "submitted 应包含 {reference}"))
    return Dialog(
        name=str(raw["name"]),
        title=str(raw["title"]),
        command=str(raw["command"]),
        audience=str(raw["audience"]),
        steps=tuple(step for step, _, _ in steps),
        submitted=str(raw["submitted"]).strip(),
    )


def _load_places(path: Path, problems: list[Problem]) -> tuple[Township, ...]:
    raw = load_yaml(path)
    townships = []
    for item in (raw or {}).get("townships") or []:
        if not isinstance(item, dict) or not item.get("name"):
            problems.append(Problem(path, getattr(item, "line", 1), "每个乡镇需要 name"))
            continue
        townships.append(
            Township(str(item["name"]), tuple(str(v) for v in item.get("villages") or ()))
        )
    if not townships:
        problems.append(Problem(path, 1, "places.yaml 没有乡镇"))
    return tuple(townships)


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """All dialogs, places and triage rules, validated."""
    from dialogs.triage import validate_rules

    problems: list[Problem] = []
    blocks = _load_blocks(data_dir / "blocks.yaml", problems)
    dialogs: dict[str, Dialog] = {}
    for path in sorted(data_dir.glob("*.yaml")):
        if path.stem in {"blocks", "places", "triage"}:
            continue
        dialog = _load_dialog(path, blocks, problems)
        if dialog is not None:
            if dialog.name in dialogs:
                problems.append(Problem(path, 1, f"对话名称重复：{dialog.name}"))
            dialogs[dialog.name] = dialog
    townships = _load_places(data_dir / "places.yaml", problems)
    triage_path = data_dir / "triage.yaml"
    triage = load_yaml(triage_path)
    problems.extend(validate_rules(triage, triage_path))
    if problems:
        raise DataError(problems)
    return Catalog(dialogs, townships, triage)
