"""Larger knowledge bases for the latency section, made by systematic variation of the real ones.

`build_base(size, target)` writes a directory laid out like `knowledge/data`: the real
parameters.yaml, synonyms.yaml, menu.yaml and entries/*.yaml copied as they are, plus
`entries/generated-NNN.yaml` holding `size - len(real entries)` variants, so that
`load_knowledge(target)` parses, validates and indexes every entry exactly as it would real ones.

How a variant is made (deterministic: the same size always gives the same files):

- The variants are spread round-robin over the real entries (each gets ⌊V/R⌋ or ⌈V/R⌉ of them)
  and numbered per entry: entry `monitoring-line` gets `monitoring-line-v1`, `-v2` … .
- Variant k of an entry applies one or two *axes* of variation, taken in turn from the cycle
  place / year / programme / aspect / place+year / place+aspect / year+programme /
  programme+aspect; the value of each axis is the next unused one for that entry (rotated by the
  entry's position, so neighbouring entries start at different values), and once an axis
  combination has used up its values the cycle skips it, so no two variants of one entry
  share question text.
  - place: one of `PLACES` (58 counties and towns of Anhui outside 宣州区). 宣城市宣州区 /
    宣州区 / 宣州 in the text become the place; text without them gets the place in front.
  - year: one of 2015–2023. Four-digit years 20xx and 今年/本年度 become that year; text
    without them gets "<year>年" in front.
  - programme: one of `PROGRAMMES` (雨露计划, 小额信贷 …, none a synonym of this base's own
    terms). The first of 防止返贫监测帮扶 / 防返贫监测 / 防止返贫 / 防返贫 / 防贫 becomes it;
    text without them gets the programme in front.
  - aspect: one of `ASPECTS` (资金来源, 考核办法 …): "关于<aspect>，" goes in front.
  The same change is made to the question and to every alternate. Keywords keep their form
  (a keyword is one word to jieba) with place, years and figures swapped as in the answer, and
  the inserted words are added as keywords, so each variant is as findable as a real entry.
- The answer is the real entry's rendered answer with every digit shifted by 3 (9100 → 2433,
  8月26日 → 1月59日, the phone number too) except in four-digit years, which become the
  variant's year (or stay), with 宣州区 → the place, prefixed "（示例变体：<place><year>
  <programme><aspect>）". So a variant never carries the real figures, and the benchmark counts
  a variant answering a real question as wrong whatever its text.
- Sources are the real entry's (documents registered in parameters.yaml); tags are the real
  ones plus 示例变体; `related` is left out. Text that `load_knowledge` renders as a template
  (alternates, keywords, answer) has its braces doubled.
"""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge import Entry, KnowledgeBase, load_knowledge
from knowledge.base import DATA_DIR
from knowledge.question_kind import VERDICT

PLACES: tuple[str, ...] = (
    # Xuancheng's other counties, then the rest of Anhui, then towns: none in 宣州区.
    *("郎溪县", "广德市", "泾县", "绩溪县", "旌德县", "宁国市"),
    *("歙县", "黟县", "休宁县", "祁门县", "太湖县", "潜山市", "岳西县", "宿松县", "望江县"),
    *("怀宁县", "桐城市", "枞阳县", "无为市", "含山县", "和县", "当涂县", "南陵县", "繁昌区"),
    *("肥西县", "肥东县", "长丰县", "庐江县", "舒城县", "霍山县", "金寨县", "霍邱县", "寿县"),
    *("凤台县", "怀远县", "五河县", "固镇县", "定远县", "凤阳县", "明光市", "天长市", "全椒县"),
    *("来安县", "萧县", "砀山县", "灵璧县", "泗县", "利辛县", "涡阳县", "蒙城县", "临泉县"),
    *("桃花潭镇", "云岭镇", "上庄镇", "宏村镇", "西递镇", "三河镇", "毛坦厂镇"),
)
YEARS: tuple[str, ...] = tuple(str(year) for year in range(2015, 2024))
PROGRAMMES: tuple[str, ...] = (
    *("雨露计划", "小额信贷", "光伏帮扶", "易地搬迁后续扶持", "消费帮扶", "以工代赈"),
    *("公益岗位", "产业奖补", "庭院经济", "衔接资金", "东西部协作", "定点帮扶"),
    *("电商扶贫", "金融扶贫", "健康扶贫", "教育资助", "生态护林员", "孝善养老"),
)
ASPECTS: tuple[str, ...] = (
    *("资金来源", "考核办法", "档案管理", "宣传方式", "督导检查", "信息公开", "责任分工"),
    *("时间节点", "统计口径", "经费保障", "工作流程", "材料清单", "监督举报", "结果运用"),
    *("表格填报", "年度总结", "绩效评价", "问责办法"),
)
AXIS_CYCLE: tuple[tuple[str, ...], ...] = (
    ("place",),
    ("year",),
    ("programme",),
    ("aspect",),
    ("place", "year"),
    ("place", "aspect"),
    ("year", "programme"),
    ("programme", "aspect"),
)
VARIANT_TAG = "示例变体"
ENTRIES_PER_FILE = 500

# libyaml's emitter when PyYAML has it (10,000 entries: seconds instead of tens of seconds).
_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOCAL_NAMES = ("宣城市宣州区", "宣州区", "宣州")
_PROGRAMME_WORDS = ("防止返贫监测帮扶", "防返贫监测", "防止返贫", "防返贫", "防贫")
_YEAR_IN_TEXT = re.compile(r"(?<!\d)20\d\d(?!\d)")
_RELATIVE_YEAR = re.compile("今年|本年度")
_DIGITS = re.compile(r"\d+")


@dataclass(frozen=True)
class Variation:
    """What one variant changes: the values of the axes it applies (None: left alone)."""

    place: str | None = None
    year: str | None = None
    programme: str | None = None
    aspect: str | None = None

    def label(self) -> str:
        parts = [self.place or "", f"{self.year}年" if self.year else "", self.programme or ""]
        return "".join(parts) + (f"·{self.aspect}" if self.aspect else "")

    def inserted_words(self) -> list[str]:
        words = [self.place, f"{self.year}年" if self.year else None, self.programme, self.aspect]
        return [w for w in words if w]

    def keyword(self, text: str) -> str:
        """A real keyword as this variant has it: place, year and figures swapped in place
        (nothing put in front: a keyword is one word, which jieba learns as such)."""
        for name in _LOCAL_NAMES:
            text = text.replace(name, self.place or name)
        return _DIGITS.sub(self._figure, text)

    def _figure(self, match: re.Match[str]) -> str:
        digits = match.group()
        if _YEAR_IN_TEXT.fullmatch(digits):
            return self.year or digits
        return "".join(str((int(d) + 3) % 10) for d in digits)

    def apply(self, text: str) -> str:
        """The question (or an alternate) as this variant asks it."""
        if self.place:
            replaced = text
            for name in _LOCAL_NAMES:
                replaced = replaced.replace(name, self.place)
            text = replaced if replaced != text else self.place + text
        if self.year:
            replaced = _YEAR_IN_TEXT.sub(str(self.year), text)
            replaced = _RELATIVE_YEAR.sub(f"{self.year}年", replaced)
            text = replaced if replaced != text else f"{self.year}年{text}"
        if self.programme:
            word = next((w for w in _PROGRAMME_WORDS if w in text), None)
            text = text.replace(word, self.programme, 1) if word else self.programme + text
        if self.aspect:
            text = f"关于{self.aspect}，{text}"
        return text

    def answer(self, text: str) -> str:
        """The real answer with its figures changed, so it cannot pass for the real one."""
        text = _DIGITS.sub(self._figure, text)
        for name in _LOCAL_NAMES:
            text = text.replace(name, self.place or name)
        text = _RELATIVE_YEAR.sub(f"{self.year}年" if self.year else "该年", text)
        return f"（{VARIANT_TAG}：{self.label()}）{text}"


def _values(axis: str, start: int) -> list[str]:
    pool: tuple[str, ...] = {
        "place": PLACES,
        "year": YEARS,
        "programme": PROGRAMMES,
        "aspect": ASPECTS,
    }[axis]
    return [pool[(start + i) % len(pool)] for i in range(len(pool))]


def variations(position: int) -> Iterator[Variation]:
    """The variations of the real entry at `position`, in the order variants take them."""
    combos: list[Iterator[tuple[str, ...]]] = [
        itertools.product(*(_values(axis, position * (n + 3)) for n, axis in enumerate(axes)))
        for axes in AXIS_CYCLE
    ]
    live = list(range(len(AXIS_CYCLE)))
    while live:
        for index in list(live):
            values = next(combos[index], None)
            if values is None:
                live.remove(index)
                continue
            yield Variation(**dict(zip(AXIS_CYCLE[index], values, strict=True)))


def _template(text: str) -> str:
    """`text` as a template `load_knowledge` renders back to itself."""
    return text.replace("{", "{{").replace("}", "}}")


def variant_entry(entry: Entry, number: int, variation: Variation) -> dict[str, object]:
    """One variant of `entry` as a YAML mapping, as an entries/*.yaml file holds it."""
    keywords = [variation.keyword(k) for k in entry.keywords] + variation.inserted_words()
    return {
        "id": f"{entry.id}-v{number}",
        "question": variation.apply(entry.question),
        "alternates": [_template(variation.apply(a)) for a in entry.alternates],
        "keywords": [_template(k) for k in dict.fromkeys(keywords)],
        "answer": _template(variation.answer(entry.answer)),
        "source": [{"document": s.document.key, "section": s.section} for s in entry.sources],
        "tags": [*entry.tags, VARIANT_TAG],
        # the same kinds of answer, but never the one eligibility reply (it stays unique)
        "answers": [kind for kind in entry.answers if kind != VERDICT],
    }


def variant_entries(real: KnowledgeBase, count: int) -> list[dict[str, object]]:
    """`count` variants spread round-robin over the real entries."""
    entries = list(real.entries.values())
    generators = [variations(position) for position in range(len(entries))]
    made = [0] * len(entries)
    result: list[dict[str, object]] = []
    while len(result) < count:
        for position, entry in enumerate(entries):
            if len(result) == count:
                break
            made[position] += 1
            result.append(variant_entry(entry, made[position], next(generators[position])))
    return result


@dataclass(frozen=True)
class GeneratedBase:
    directory: Path
    real_ids: frozenset[str]
    variant_count: int

    @property
    def size(self) -> int:
        return len(self.real_ids) + self.variant_count


def build_base(
    size: int, target: Path, real: KnowledgeBase | None = None, source: Path = DATA_DIR
) -> GeneratedBase:
    """Write a knowledge base of `size` entries (the real ones and variants) into `target`."""
    real = real if real is not None else load_knowledge(source)
    if size < len(real.entries):
        raise ValueError(f"size {size} is below the {len(real.entries)} real entries")
    (target / "entries").mkdir(parents=True, exist_ok=True)
    # parameters, synonyms, menu, question kinds; the learned models (*.tsv)
    for path in sorted([*source.glob("*.yaml"), *source.glob("*.tsv")]):
        shutil.copyfile(path, target / path.name)
    for path in sorted((source / "entries").glob("*.yaml")):
        shutil.copyfile(path, target / "entries" / path.name)
    generated = variant_entries(real, size - len(real.entries))
    for number, start in enumerate(range(0, len(generated), ENTRIES_PER_FILE)):
        chunk = generated[start : start + ENTRIES_PER_FILE]
        text = yaml.dump(
            {"entries": chunk}, Dumper=_DUMPER, allow_unicode=True, sort_keys=False, width=10_000
        )
        (target / "entries" / f"generated-{number:03d}.yaml").write_text(text, "utf-8")
    return GeneratedBase(target, frozenset(real.entries), len(generated))
