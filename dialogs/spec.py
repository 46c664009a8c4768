"""Dialog declarations: loading and validating `data/*.yaml` into `Dialog`s of `Step`s.

`blocks.yaml` declares shared blocks of steps; each dialog file lists its steps, inline or as
`block: name` (with optional per-step `overrides`). `places.yaml` lists the townships and their
villages; `triage.yaml` the triage rules and which answers they read (see `dialogs.triage`).

Everything the code needs to know about a dialog is declared here, not spelled out in code:
- a step's `column:` says which column of the submission row its answer fills (the last
  answered step of a dialog wins, so 乡镇 “其他” is replaced by the typed name);
- a dialog's `subject:` says whose data it records (`self`: the submitter's own household —
  they are told of status changes and may see and delete it; `household`: someone else's, as
  in a cadre's visit), `menu:` describes its command in Telegram's command menu, and
  `after_submit:` offers the next one (a button that starts it again, keeping some answers);
  `queue_label:` is how the staff queue marks its records (回电请求; without it the web console
  says 自主申报 or 入户走访 by audience), and `handoff_button:` makes it the dialog offered as a
  button wherever the bot hands over to a person (转人工, 联系咨询, a question it cannot answer);
- a step's `photos:` says how many photos it takes beside its answer (the report's 情况说明):
  they are kept with the submission for staff (`storage.attachments`).

`load_catalog()` reads every file even after a broken one, cross-checks every answer key that
triage, the submission columns and `after_submit` name, and reports every problem as
file:line through `DataError`. The kinds a step may have are the rows of
`dialogs.kinds.TABLE`; `applicable` says when a step's `when` holds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from common.yamlfile import DataError, LineDict, Problem, load_yaml
from dialogs import kinds, texts
from dialogs.triage import KeyReference, TriageRules, parse_rules

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
    "column",
    "answers",
    "yes_means",
    "own_phone",
    "same_as",
    "group",
    "photos",
}
ANSWER_VALUES = {True: True, False: False, "neutral": None}  # `answers:` keys → stored value
# The submission row's own copies of answers (storage.models.Submission), filled by `column:`.
COLUMNS = ("township", "village", "contact_name", "phone", "household_size", "annual_income")
SUBJECTS = ("self", "household")
AUDIENCES = ("anyone", "staff")
OTHER_CHOICE = texts.OTHER_CHOICE
SPECIAL_FILES = {"blocks", "places", "triage"}
PHOTO_KINDS = frozenset({"text", "longtext"})  # the steps that may take photos (`photos:`)


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
    column: str | None = None  # the submission column this answer fills
    # yesno answered in words: (stored value, label), e.g. (True, 有人没参加), (None, 没有…)
    labels: tuple[tuple[bool | None, str], ...] = ()
    yes_means: bool | None = None  # with labels: what a typed 是/对 means (None: ambiguous)
    own_phone: bool = True  # a phone step asking for the sender's own number (contact key)
    same_as: str | None = None  # an earlier answer this one may copy with one tap …
    same_as_button: str | None = None  # … labelled so (联系人就是户主)
    group: str | None = None  # the heading staff see it under (a block's, or the step's own)
    photos: int = 0  # photos it takes beside its answer, kept for staff (0: none)


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
class AfterSubmit:
    """What a dialog offers once submitted: start it again, keeping some answers."""

    prompt: str
    button: str
    keep: tuple[str, ...]


@dataclass(frozen=True)
class Dialog:
    name: str
    title: str
    command: str
    menu: str | None  # the command's description in Telegram's command menu (None: unlisted)
    audience: str  # "anyone" or "staff"
    subject: str  # "self" (the submitter's own household) or "household" (someone else's)
    steps: tuple[Step, ...]
    submitted: str
    after_submit: AfterSubmit | None = None
    queue_label: str | None = None  # how the staff queue marks its records (回电请求)
    handoff_button: str | None = None  # offered as this button where the bot hands over

    def answer_groups(self, answers: Mapping[str, Any]) -> list[tuple[str, list[Step]]]:
        """The answered steps (consent aside) under their headings, in the dialog's order; a
        step without a heading of its own stays under the one before it."""
        groups: list[tuple[str, list[Step]]] = []
        for step in self.steps:
            if step.kind == "consent" or step.key not in answers:
                continue
            heading = step.group or (groups[-1][0] if groups else "")
            if not groups or groups[-1][0] != heading:
                groups.append((heading, []))
            groups[-1][1].append(step)
        return groups

    @property
    def about_submitter(self) -> bool:
        """The submitter is the person the record is about (told of changes, may delete it)."""
        return self.subject == "self"

    def columns(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The submission columns filled from `answers` (the last answered step wins)."""
        filled: dict[str, Any] = dict.fromkeys(COLUMNS)
        for step in self.steps:
            if step.column is not None and answers.get(step.key) is not None:
                filled[step.column] = answers[step.key]
        return filled

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
    triage: TriageRules

    def by_command(self, command: str) -> Dialog | None:
        return next((d for d in self.dialogs.values() if d.command == command), None)

    def resident_dialog(self) -> Dialog:
        """The dialog the menu's 申报困难 opens: the first open to anyone about oneself that
        is not the hand-over to a person."""
        return next(
            d
            for d in self.dialogs.values()
            if d.audience == "anyone" and d.about_submitter and d.handoff_button is None
        )

    def handoff_dialog(self) -> Dialog | None:
        """The dialog offered where the bot hands over to a person (请村干部联系我), if any."""
        return next((d for d in self.dialogs.values() if d.handoff_button is not None), None)

    def about_submitter(self) -> tuple[str, ...]:
        """Names of the dialogs whose records are about their submitter (self-reports)."""
        return tuple(name for name, d in self.dialogs.items() if d.about_submitter)

    def column_keys(self) -> frozenset[str]:
        """Answer keys whose value has a submission column of its own."""
        return frozenset(s.key for d in self.dialogs.values() for s in d.steps if s.column)

    def township_names(self) -> list[str]:
        return [t.name for t in self.townships]

    def villages_of(self, township: str | None) -> tuple[str, ...]:
        for t in self.townships:
            if t.name == township:
                return t.villages
        return ()


def _step(raw: LineDict, path: Path, problems: list[Problem]) -> Step | None:
    name = raw.get("key", "?")
    unknown = set(raw) - STEP_FIELDS
    if unknown:
        problems.append(
            Problem(path, raw.line, f"步骤 {name} 有未知字段：{', '.join(sorted(unknown))}")
        )
    missing = [f for f in ("key", "label", "kind", "prompt") if not raw.get(f)]
    if missing:
        problems.append(Problem(path, raw.line, f"步骤 {name} 缺少字段：{', '.join(missing)}"))
        return None
    if raw["kind"] not in KINDS:
        problems.append(
            Problem(path, raw.key_line("kind"), f"步骤 {name} 的类型未知：{raw['kind']}")
        )
        return None
    choices = tuple(str(c) for c in raw.get("choices") or ())
    if raw["kind"] in CHOICE_KINDS and not choices:
        problems.append(Problem(path, raw.line, f"步骤 {name} 是选择题，但没有 choices"))
    none_choice = raw.get("none_choice")
    if none_choice is not None and none_choice not in choices:
        problems.append(
            Problem(
                path, raw.key_line("none_choice"), f"步骤 {name} 的 none_choice 不在 choices 中"
            )
        )
    column = raw.get("column")
    if column is not None and column not in COLUMNS:
        problems.append(
            Problem(
                path,
                raw.key_line("column"),
                f"步骤 {name} 的 column 未知：{column}（可用：{', '.join(COLUMNS)}）",
            )
        )
        column = None
    when = raw.get("when") or {}
    if not isinstance(when, dict) or any(
        not isinstance(cond, dict) or len(cond) != 1 or next(iter(cond)) not in CONDITION_OPERATORS
        for cond in when.values()
    ):
        problems.append(
            Problem(
                path,
                raw.key_line("when"),
                f"步骤 {name} 的 when 格式应为 {{键: {{equals|in|contains|is: 值}}}}",
            )
        )
        when = {}
    labels, yes_means = _worded_answers(raw, path, problems)
    same_as, same_as_button = _same_as(raw, path, problems)
    photos = raw.get("photos", 0)
    if not isinstance(photos, int) or isinstance(photos, bool) or photos < 0:
        problems.append(Problem(path, raw.key_line("photos"), f"步骤 {name} 的 photos 应为张数"))
        photos = 0
    elif photos and raw["kind"] not in PHOTO_KINDS:
        problems.append(
            Problem(path, raw.key_line("photos"), f"步骤 {name} 不是文字题，不能收照片（photos）")
        )
        photos = 0
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
        column=column,
        labels=labels,
        yes_means=yes_means,
        own_phone=bool(raw.get("own_phone", True)),
        same_as=same_as,
        same_as_button=same_as_button,
        group=str(raw["group"]) if raw.get("group") else None,
        photos=photos,
    )


def _worded_answers(
    raw: LineDict, path: Path, problems: list[Problem]
) -> tuple[tuple[tuple[bool | None, str], ...], bool | None]:
    """`answers: {false: 都参加了, true: 有人没参加, neutral: …}` and `yes_means` of a yesno."""
    answers = raw.get("answers")
    yes_means = raw.get("yes_means")
    if answers is None:
        if yes_means is not None:
            problems.append(Problem(path, raw.key_line("yes_means"), "yes_means 需要 answers"))
        return (), None
    line = raw.key_line("answers")
    if (
        raw.get("kind") != "yesno"
        or not isinstance(answers, dict)
        or not {True, False} <= set(answers) <= set(ANSWER_VALUES)
        or not all(isinstance(v, str) and v for v in answers.values())
    ):
        problems.append(
            Problem(path, line, "answers 只用于 yesno：{true: 文字, false: 文字, neutral: 文字}")
        )
        return (), None
    if yes_means not in (None, True, False):
        problems.append(Problem(path, raw.key_line("yes_means"), "yes_means 应为 true 或 false"))
        yes_means = None
    return tuple((ANSWER_VALUES[k], str(v)) for k, v in answers.items()), yes_means


def _same_as(raw: LineDict, path: Path, problems: list[Problem]) -> tuple[str | None, str | None]:
    """`same_as: {key: head_name, button: 联系人就是户主}`."""
    value = raw.get("same_as")
    if value is None:
        return None, None
    if not isinstance(value, dict) or not value.get("key") or not value.get("button"):
        problems.append(Problem(path, raw.key_line("same_as"), "same_as 需要 key 和 button"))
        return None, None
    return str(value["key"]), str(value["button"])


def _load(path: Path, problems: list[Problem]) -> Any:
    """The parsed file, or None after recording why it could not be read."""
    try:
        return load_yaml(path)
    except DataError as exc:
        problems.extend(exc.problems)
    except OSError as exc:
        problems.append(Problem(path, 0, f"无法读取：{exc.strerror or exc}"))
    return None


Placed = tuple[Step, Path, int]  # a step with the file and line it was declared at


def _load_blocks(path: Path, problems: list[Problem]) -> dict[str, list[Placed]] | None:
    """The shared blocks by name; None when the file could not be read at all."""
    raw = _load(path, problems)
    if raw is None:
        return None
    if not isinstance(raw, LineDict) or not isinstance(raw.get("blocks"), dict):
        problems.append(Problem(path, 1, "blocks.yaml 应有顶层键 blocks: {名称: 步骤列表}"))
        return None
    headings = raw.get("headings") or {}
    if not isinstance(headings, dict):
        problems.append(Problem(path, raw.key_line("headings"), "headings 应为 {块名称: 标题}"))
        headings = {}
    for name in sorted(set(headings) - set(raw["blocks"])):
        problems.append(Problem(path, raw.key_line("headings"), f"headings 中的块不存在：{name}"))
    blocks: dict[str, list[Placed]] = {}
    for name, steps in raw["blocks"].items():
        blocks[name] = []
        if not headings.get(name):
            missing = f"块 {name} 在 headings 中没有标题"
            problems.append(Problem(path, raw.key_line("blocks"), missing))
        for item in steps or []:
            if not isinstance(item, LineDict):
                problems.append(Problem(path, raw.key_line("blocks"), f"块 {name} 的步骤应为映射"))
                continue
            step = _step(item, path, problems)
            if step is not None:
                heading = step.group or (str(headings[name]) if headings.get(name) else None)
                blocks[name].append((replace(step, group=heading), path, item.line))
    return blocks


def _block_steps(
    item: LineDict, blocks: dict[str, list[Placed]] | None, path: Path, problems: list[Problem]
) -> list[Placed]:
    if blocks is None:  # blocks.yaml is broken: its problems are reported already
        return []
    block = blocks.get(item["block"])
    if block is None:
        problems.append(Problem(path, item.line, f"未知的步骤块：{item['block']}"))
        return []
    overrides = item.get("overrides") or {}
    known = {step.key for step, _, _ in block}
    for key in sorted(set(overrides) - known):
        problems.append(
            Problem(path, item.key_line("overrides"), f"overrides 指向块中不存在的步骤：{key}")
        )
    steps: list[Placed] = []
    for step, _, _ in block:
        change = dict(overrides.get(step.key) or {})
        if change.pop("skip", False):
            continue
        if set(change) - STEP_FIELDS or "answers" in change:
            fields = ", ".join(sorted((set(change) - STEP_FIELDS) | ({"answers"} & set(change))))
            problems.append(
                Problem(path, item.key_line("overrides"), f"overrides 有未知字段：{fields}")
            )
            continue
        if isinstance(change.get("same_as"), dict):  # the YAML form, as in `_same_as`
            same_as = change.pop("same_as")
            change.update(same_as=same_as.get("key"), same_as_button=same_as.get("button"))
        steps.append((replace(step, **change), path, item.line))
    return steps


def _check_steps(name: str, steps: list[Placed], problems: list[Problem]) -> None:
    all_keys = {step.key for step, _, _ in steps}
    seen: set[str] = set()
    for step, where, line in steps:
        for key in sorted(set(step.resets) - all_keys):
            problems.append(
                Problem(where, line, f"步骤 {step.key} 的 resets 引用了不存在的步骤：{key}")
            )
        if step.key in seen:
            problems.append(Problem(where, line, f"对话 {name} 中步骤 key 重复：{step.key}"))
        if step.same_as is not None and step.same_as not in seen:
            problems.append(
                Problem(
                    where,
                    line,
                    f"步骤 {step.key} 的 same_as 引用了未出现在它之前的步骤：{step.same_as}",
                )
            )
        for key in step.when:
            if key not in seen:
                problems.append(
                    Problem(
                        where, line, f"步骤 {step.key} 的 when 引用了未出现在它之前的步骤：{key}"
                    )
                )
        seen.add(step.key)


def _after_submit(raw: LineDict, keys: set[str], path: Path, problems: list[Problem]):
    value = raw.get("after_submit")
    if value is None:
        return None
    line = raw.key_line("after_submit")
    if not isinstance(value, dict) or not value.get("prompt") or not value.get("button"):
        problems.append(Problem(path, line, "after_submit 需要 prompt、button（和可选的 keep）"))
        return None
    keep = tuple(str(k) for k in value.get("keep") or ())
    for key in keep:
        if key not in keys:
            problems.append(Problem(path, line, f"after_submit.keep 引用了不存在的步骤：{key}"))
    return AfterSubmit(str(value["prompt"]), str(value["button"]), keep)


DIALOG_FIELDS = ("name", "title", "command", "audience", "subject", "steps", "submitted")


def _load_dialog(
    path: Path, blocks: dict[str, list[Placed]] | None, problems: list[Problem]
) -> Dialog | None:
    raw = _load(path, problems)
    if raw is None:
        return None
    if not isinstance(raw, LineDict):
        problems.append(Problem(path, 1, "对话文件应为映射"))
        return None
    missing = [f for f in DIALOG_FIELDS if not raw.get(f)]
    if missing:
        problems.append(Problem(path, raw.line, f"对话缺少字段：{', '.join(missing)}"))
        return None
    steps: list[Placed] = []
    for item in raw["steps"]:
        if not isinstance(item, LineDict):
            problems.append(Problem(path, raw.key_line("steps"), "steps 的每一项应为映射"))
        elif "block" in item:
            steps.extend(_block_steps(item, blocks, path, problems))
        else:
            step = _step(item, path, problems)
            if step is not None:
                steps.append((step, path, item.line))
    _check_steps(str(raw["name"]), steps, problems)
    for field_name, allowed in (("audience", AUDIENCES), ("subject", SUBJECTS)):
        if raw[field_name] not in allowed:
            problems.append(
                Problem(path, raw.key_line(field_name), f"{field_name} 应为 {' 或 '.join(allowed)}")
            )
    if "{reference}" not in str(raw["submitted"]):
        problems.append(Problem(path, raw.key_line("submitted"), "submitted 应包含 {reference}"))
    handoff = raw.get("handoff_button")
    if handoff is not None and raw["audience"] != "anyone":
        problems.append(
            Problem(path, raw.key_line("handoff_button"), "handoff_button 只用于 audience: anyone")
        )
    return Dialog(
        name=str(raw["name"]),
        title=str(raw["title"]),
        command=str(raw["command"]),
        menu=str(raw["menu"]) if raw.get("menu") else None,
        audience=str(raw["audience"]),
        subject=str(raw["subject"]),
        steps=tuple(step for step, _, _ in steps),
        submitted=str(raw["submitted"]).strip(),
        after_submit=_after_submit(raw, {step.key for step, _, _ in steps}, path, problems),
        queue_label=str(raw["queue_label"]) if raw.get("queue_label") else None,
        handoff_button=str(handoff) if handoff else None,
    )


def _load_places(path: Path, problems: list[Problem]) -> tuple[Township, ...]:
    raw = _load(path, problems)
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        problems.append(Problem(path, 1, "places.yaml 应有顶层键 townships"))
        return ()
    townships = []
    for item in raw.get("townships") or []:
        if not isinstance(item, dict) or not item.get("name"):
            problems.append(Problem(path, getattr(item, "line", 1), "每个乡镇需要 name"))
            continue
        villages = tuple(str(v) for v in item.get("villages") or ())
        townships.append(Township(str(item["name"]), villages))
    if not townships:
        problems.append(Problem(path, 1, "places.yaml 没有乡镇"))
    return tuple(townships)


def _check_references(
    rules: TriageRules, dialogs: dict[str, Dialog], problems: list[Problem]
) -> None:
    """Every answer key triage.yaml names exists in some dialog, as the right kind of step."""
    steps: dict[str, list[Step]] = {}
    for dialog in dialogs.values():
        for step in dialog.steps:
            steps.setdefault(step.key, []).append(step)
    for ref in rules.references:
        found = steps.get(ref.key)
        if not found:
            problems.append(
                Problem(rules.path, ref.line, f"引用的回答 {ref.key} 在任何对话中都不存在")
            )
            continue
        wrong = sorted({s.kind for s in found if s.kind not in ref.kinds})
        if wrong:
            expected = "、".join(sorted(ref.kinds))
            problems.append(
                Problem(
                    rules.path,
                    ref.line,
                    f"回答 {ref.key} 的类型是 {'、'.join(wrong)}，这里需要 {expected}",
                )
            )
        for value in ref.values:
            if any(value not in s.choices for s in found):
                problems.append(Problem(rules.path, ref.line, f"{value} 不是回答 {ref.key} 的选项"))


def _no_cause(rules: TriageRules, dialogs: dict[str, Dialog]) -> frozenset[str]:
    return frozenset(
        step.none_choice
        for dialog in dialogs.values()
        for step in dialog.steps
        if step.key == rules.answers.causes and step.none_choice
    )


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """All dialogs, places and triage rules, validated: every problem in every file at once."""
    problems: list[Problem] = []
    blocks = _load_blocks(data_dir / "blocks.yaml", problems)
    dialogs: dict[str, Dialog] = {}
    commands: dict[str, str] = {}
    complete = blocks is not None  # every dialog read: missing keys are really missing
    for path in sorted(data_dir.glob("*.yaml")):
        if path.stem in SPECIAL_FILES:
            continue
        dialog = _load_dialog(path, blocks, problems)
        if dialog is None:
            complete = False
            continue
        if dialog.name in dialogs:
            problems.append(Problem(path, 1, f"对话名称重复：{dialog.name}"))
        if dialog.command in commands:
            problems.append(
                Problem(path, 1, f"命令 /{dialog.command} 已被对话 {commands[dialog.command]} 使用")
            )
        if dialog.handoff_button is not None and any(
            d.handoff_button is not None for d in dialogs.values()
        ):
            problems.append(Problem(path, 1, "只能有一个对话声明 handoff_button"))
        dialogs[dialog.name] = dialog
        commands[dialog.command] = dialog.name
    townships = _load_places(data_dir / "places.yaml", problems)
    triage_path = data_dir / "triage.yaml"
    raw_rules = _load(triage_path, problems)
    rules = parse_rules(raw_rules, triage_path, problems) if raw_rules is not None else None
    if rules is not None and complete:
        _check_references(rules, dialogs, problems)
        problems.extend(
            Problem(rules.path, line, f"规则引用的对话 {name} 不存在")
            for name, line in rules.dialogs
            if name not in dialogs
        )
    if not problems and not any(
        d.audience == "anyone" and d.about_submitter and d.handoff_button is None
        for d in dialogs.values()
    ):
        problems.append(Problem(data_dir, 0, "需要一个 audience: anyone、subject: self 的申报对话"))
    if problems or rules is None:
        raise DataError(problems)
    rules = replace(rules, no_cause=_no_cause(rules, dialogs))
    # File-name order, the hand-over (a call-back request, an aside to the forms) last: the
    # command menu, the export's sheets and the queue's filter list them so.
    ordered = sorted(dialogs.values(), key=lambda d: d.handoff_button is not None)
    return Catalog({d.name: d for d in ordered}, townships, rules)


__all__ = [
    "COLUMNS",
    "KINDS",
    "OTHER_CHOICE",
    "AfterSubmit",
    "Catalog",
    "Dialog",
    "KeyReference",
    "Step",
    "Township",
    "applicable",
    "load_catalog",
]
