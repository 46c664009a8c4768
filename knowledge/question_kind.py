"""What a question asks for, and which part of a long message is the question.

People write stories: "我常年在浙江干活，家里就老母亲一个人，听说村里要挨家挨户查，想问问这事归哪个
部门管". `QuestionKinds.read(text)` splits the message into clauses and keeps the asking ones
(those with a question word, 吗/呢, or 想问/请问 …; a clause a question mark closes, whatever its
words; in a message that uses question marks, only the sentences they close) as
`Asked.asking`; the story around them is context, not the query. It then tells the kind of
answer wanted — a date, a duration, a frequency, an amount, a count, a place, a person, a
person's name, a unit, a document number, or a verdict on the asker's own household — from
the question-word table in `data/question_kinds.yaml`, which includes colloquial and dialect
forms (哪个 = 谁, 多会儿, 几号, 咋 …). The knowledge base then answers only with an entry that
declares that kind (`answers:` in the entry's YAML).

    >>> kinds = QuestionKinds.load()
    >>> kinds.read("多长时间排查一回").kind, kinds.read("前后得折腾多少天").kind
    ('frequency', 'duration')
    >>> kinds.read("这个方案是哪个写的").kind, kinds.read("培训会在哪个会议室开的").kind
    ('person', 'place')
    >>> kinds.read("我家四口人一年收入两万八，能进监测吗").kind
    'verdict'
    >>> asked = kinds.read("我常年在浙江干活，家里就老母亲一个人，想问问这事归哪个部门管")
    >>> asked.kind, asked.asking
    ('unit', '想问问这事归哪个部门管')
    >>> kinds.read("什么是边缘易致贫户").kind is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from common.text import normalize
from common.yamlfile import DataError, LineDict, Problem, load_yaml
from knowledge.verdict_shape import VerdictShape

KINDS_FILE = Path(__file__).resolve().parent / "data" / "question_kinds.yaml"
VERDICT = "verdict"

# A question word, dialect forms too (几 but not 十几, 好几: those are told counts).
QUESTION_WORD = re.compile(
    r"什么|啥|撒子|啥子|么子|哪|谁|(?<![十好])几(?![十百千万])|多少|多久|多长|怎|咋|啷个|如何|为何|为什么"
)
# A clause that asks: a question word, a question particle, or a lead-in to a question.
_ASKING = re.compile(
    QUESTION_WORD.pattern + r"|吗|嘛$|呢|么$|"
    r"是不是|是否|会不会|能不能|有没有|算不算|要不要|可不可以|够不够|行不行|中不中|对不对|"
    r"真的假的|想问|请问|问问|问下|问一下|想知道|想了解|想确认|确认一下|说说|讲讲|介绍|"
    # "能纳入监测不", "够格不": a modal asked yes or no by the 不 closing the clause
    r"(能|可以|会|要|算|够|行|中|得|有)[^，。？！]{0,8}(?<![不没])[不没伐]$"
)
_QUESTION_MARK = re.compile(r"[?？﹖]")
# the last sentence of a message that ends without a full stop, an exclamation or a question mark
_UNCLOSED = re.compile(r"[^。！？!?﹖\s]\s*$")
# "去年有几户被标了风险消除": a number told, in a clause that says what happened.
# "有几户是近两年才识别的特困人员": some households described (是…的), not counted.
# "村里几个老干部在说", "我们几个驻村干部在宿舍里聊": a few people telling something.
_TOLD_COUNT = re.compile(
    r"有好?几(个|户|家|人|位|次|回|年)(?=.*([了过]|还没|没有|还不|一直))"
    r"|有好?几(个|户|家|位)(人家)?是[^，。？！]+的"
    r"|(?<![多少])几(个|位|名)[^，。？！]{0,10}(在|都|也|一起)?(说|讲|聊|议论|讨论|唠|摆龙门阵)"
)
# A sentence: up to and with its closing mark (or the end of the message).
_SENTENCE = re.compile(r"[^。！？!?﹖]+[。！？!?﹖]*|[。！？!?﹖]+")
# Marks around a title or a quoted term ("省局《工作指南》里规定…", "“回头看”是…") are part of
# the clause, not breaks in it.
_NAMING_MARKS = re.compile(r"[《》〈〉“”‘’「」『』\"]")
# "想跟他们讲讲这次排查的目的": what one wants to explain to others is what one asks; the
# words saying so name nothing asked, and the clause is read without them too
_EXPLAIN_TO = re.compile(
    r"想(跟|给|和|向|对)(他们|她们|村民|老乡|大家|老百姓|群众|乡亲|乡亲们|老人|他|她)"
    r"(讲讲|讲一讲|说说|说一说|解释解释|解释|讲清楚|说清楚|说明|宣传)"
    # (with no one named: "想讲讲这次排查的意义"; not 想说说, which may tell one's own case)
    r"|想(讲讲|讲一讲|解释解释|解释一下|讲清楚)"
)
# Words that introduce the question of a long message ("不知道像……这种情况，方案里有没有…":
# wondering is asking).
_LEAD_IN = re.compile(
    r"想问|请问|问问|问下|问一下|想知道|想了解|想确认|麻烦告诉|告诉我|请教|不知道|不晓得"
)
# What may close a lead-in that closes the message ("…能告诉我吗"): nothing is led into.
_CLOSING = re.compile(r"[吗呢吧啊呀哈嘛不]*|一下[吗呢吧啊呀哈嘛]*|好吗|行吗|可以吗|好不好|行不行")


def _leads_in(clauses: list[str], index: int) -> bool:
    """Whether clause `index` leads into the question ("想问下…", "请问…"): it holds a lead-in
    and something follows it — not "谁起草的，我答不上来，能告诉我吗", which asks back."""
    found = _LEAD_IN.search(clauses[index])
    if found is None:
        return False
    rest = clauses[index][found.end() :]
    return index < len(clauses) - 1 or not _CLOSING.fullmatch(rest)


def _ends_in_lead_in(clause: str) -> bool:
    """Whether nothing but closing words follows the clause's lead-in ("家里老人让我问问")."""
    last = None
    for last in _LEAD_IN.finditer(clause):  # noqa: B007 - the last lead-in is wanted
        continue
    return last is not None and bool(_CLOSING.fullmatch(clause[last.end() :]))


# A named word list in a pattern: {household}.
_WORD_LIST = re.compile(r"\{([a-z_]+)\}")
# A message this short is a question as a whole.
_SHORT = 24
# An asking clause this short leans on the clause before it ("…要和残联共享信息，是真的吗").
_BARE_ASK = 7
# An errand before a bare question ("……说有个标准，让我问清楚是多少"): what it asks leans on
# the clause before it as the bare question would
_ERRAND = re.compile(
    "^(他|她|家里|我妈|我爸|俺娘|俺爹)?(让|叫|托)(我|俺)(帮忙|帮他|帮她)?(问清楚|问问|问一下|问下|打听一下|打听)"
)
# An asking clause that starts with "also" / "all" and names no subject ("是不是也在关注范围里",
# "也算吗", "都要查吗") leans on the clause before it, which names what it says of.
_SUBJECTLESS_ALSO = re.compile(
    r"(那|那么)?(是不是|是否|会不会|算不算|能不能|可不可以)?(也|都|同样|一样)"
)
# Words that ask about the asking itself ("文件里具体是怎么表述的", "原话是这么写的吗"): a clause
# of nothing else leans on the clause before it, however long it is.
_META = re.compile(
    r"文件上|文件|工作方案|方案|原文|原话|里面|里头|上面|具体|真|到底|究竟|是|怎么|咋|如何|怎样|表述|"
    r"(有)?(提到|写到|说到|讲到|提及|提过|写过|说过|讲过)|说|讲|写|规定|提|"
    r"的|了|吗|呢|吧|啊|呀|这样|这么|那样|真的|假的|对不对|有没有|这个|那个|我|想|问问|问|一下|"
    r"这(?=是)"  # ("这是方案里写的吗" points at what was told)
)


@dataclass(frozen=True)
class Coverage:
    """Asking whether the screening covers something ("这次排查会不会把农产品价格低的风险考虑
    进去"): `asked` finds the question, `not_when` what only looks like it (what a figure
    consists of), `frame` the words around the thing asked about."""

    asked: re.Pattern[str]
    not_when: re.Pattern[str]
    frame: frozenset[str]

    def asks(self, clause: str) -> bool:
        return bool(self.asked.search(clause)) and not self.not_when.search(clause)


def _coverage(raw: LineDict, path: Path, problems: list[Problem]) -> Coverage | None:
    """The `coverage:` section (None when the file has none)."""
    spec = _section(raw, "coverage", path, problems)
    if spec is None:
        return None
    patterns = _section_patterns(spec, "coverage", ("asked", "not_when"), path, problems)
    words = _section_words(spec, "coverage", ("frame",), path, problems)
    if len(patterns) < 2 or not words:
        return None
    return Coverage(patterns["asked"], patterns["not_when"], words["frame"])


_SHAPE_PATTERNS = (
    "lead_in",
    "subject",
    "specific",
    "screening",
    "marker",
    "question_word",
    "strong_question_word",
    "closing_particle",
    "asks_yes_no",
    "content_free",
)
_SHAPE_WORDS = ("wanted", "bare", "weak", "alongside", "frame")


def _verdict_shape(
    raw: LineDict,
    path: Path,
    problems: list[Problem],
    expand: Callable[[str, int, str], str],
) -> VerdictShape | None:
    """The `verdict_shape:` section (None when the file has none)."""
    spec = _section(raw, "verdict_shape", path, problems)
    if spec is None:
        return None
    name = "verdict_shape"
    patterns = _section_patterns(spec, name, _SHAPE_PATTERNS, path, problems, expand)
    words = _section_words(spec, name, _SHAPE_WORDS, path, problems)
    if len(patterns) < len(_SHAPE_PATTERNS) or len(words) < len(_SHAPE_WORDS):
        return None
    if stray := sorted(words["bare"] - words["wanted"]):
        message = f"{name}.bare 的词也要写进 wanted：{'、'.join(stray)}"
        problems.append(Problem(path, spec.key_line("bare"), message))
    return VerdictShape(
        lead_in=patterns["lead_in"],
        subject=patterns["subject"],
        specific=patterns["specific"],
        screening=patterns["screening"],
        marker=patterns["marker"],
        question_word=patterns["question_word"],
        strong_question_word=patterns["strong_question_word"],
        closing_particle=patterns["closing_particle"],
        asks_yes_no=patterns["asks_yes_no"],
        content_free=patterns["content_free"],
        wanted=words["wanted"],
        bare=words["bare"],
        weak=words["weak"],
        alongside=words["alongside"],
        frame=words["frame"],
    )


def _section(raw: LineDict, name: str, path: Path, problems: list[Problem]) -> LineDict | None:
    """Top-level section `name` (None when absent, or not a mapping: a problem)."""
    spec = raw.get(name)
    if spec is None:
        return None
    if not isinstance(spec, LineDict):
        problems.append(Problem(path, raw.key_line(name), f"{name} 应为 名字 → 正则或词表"))
        return None
    return spec


def _section_patterns(
    spec: LineDict,
    name: str,
    keys: tuple[str, ...],
    path: Path,
    problems: list[Problem],
    expand: Callable[[str, int, str], str] | None = None,
) -> dict[str, re.Pattern[str]]:
    """The regular expressions under `keys` of section `name` ({word list}s expanded if
    `expand` is given); each one missing or broken is a problem."""
    patterns: dict[str, re.Pattern[str]] = {}
    for key in keys:
        value, line = spec.get(key), spec.key_line(key)
        if not isinstance(value, str) or not value:
            problems.append(Problem(path, line, f"{name}.{key} 应为正则"))
            continue
        try:
            patterns[key] = re.compile(expand(value, line, name) if expand else value)
        except re.error as exc:
            problems.append(Problem(path, line, f"{name}.{key} 有误：{exc}"))
    return patterns


def _section_words(
    spec: LineDict, name: str, keys: tuple[str, ...], path: Path, problems: list[Problem]
) -> dict[str, frozenset[str]]:
    """The word lists under `keys` of section `name`; each one that is not is a problem."""
    words: dict[str, frozenset[str]] = {}
    for key in keys:
        value = spec.get(key)
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            problems.append(Problem(path, spec.key_line(key), f"{name}.{key} 应为词语列表"))
            continue
        words[key] = frozenset(value)
    return words


def _flat(text: str) -> str:
    """`text` normalised, without the spaces between its clauses (as patterns see it)."""
    return "".join(normalize(text).split())


def _pattern_list(
    raw: LineDict, key: str, path: Path, problems: list[Problem], group: str | None = None
) -> tuple[re.Pattern[str], ...]:
    """The regular expressions listed under top-level `key`, each with the named `group` if
    given; each one that is not is a problem."""
    compiled = []
    for pattern in raw.get(key) or []:
        try:
            one = re.compile(str(pattern))
        except re.error as exc:
            problems.append(Problem(path, raw.key_line(key), f"{key} 的正则有误：{exc}"))
            continue
        if group is not None and group not in one.groupindex:
            problems.append(
                Problem(path, raw.key_line(key), f"{key} 的正则要有 (?P<{group}>…)：{pattern}")
            )
            continue
        compiled.append(one)
    return tuple(compiled)


# "…我这种情况在排查里会被关注吗": a question about "this" whose other words only ask
# whether the screening covers it is about what the story told.
_BACK_REFERENCE = re.compile(
    r"像这种情况|像这种|像这样|这种情况|这情况|这种事|这个事|这事|这类事|这类情况|这些事|"
    r"这样的事|这一块|这块|"
    # "……听说排查也看务工不稳的情况，方案里有这个说法吗": the story's claim, asked to confirm
    r"(这个|这种|这|这样的|这条|这句)(说法|提法|讲法|规定|要求)|"
    r"这种|这个|"
    # "……有刚申请特困供养的户，文件上写了的，是这样吗": what the story said, asked to confirm
    r"这些|这样|这么回事|这回事|"
    # "……村里说这回排查会关注因病困难的家庭，这是方案里写的吗"
    r"这是|这都是|这方面|这一方面|这点|这一点|"
    r"(都)?(有)?哪些"  # "……有几项创新举措，我没记全。能说一下都有哪些吗": those the story named
)
_ASKS_COVERAGE = re.compile(
    # (longest first where one word holds another: 听人 before 听)
    r"听人|集中排查|大排查|排查|这次|这回|今年|会不会|会|管不管|管|查不查|查|算不算|算|包不包括|包括|"
    r"关注|关心|考虑|留意|看|被|也|要|需要|不|吗|么|嘛|噻|呢|啊|的|是|这|在|里|进去|我|俺|家|"
    r"工作方案|方案|原来|当初|听|村里人|别人|有人|人家|能|给|可以|介绍|帮|有|没|"
    # who said so: "村干部说这次排查会关注这方面，是真的吗"
    r"村干部|干部|村里|镇里|镇上|乡里|区里|防止返贫|防返贫|书记|领导|网格员|大家|邻居|政策|"
    # "排查的时候会考虑进去吗", "排查时也会留意": during the screening
    r"时候|期间|时"
)


# "我不是问他家能不能进": the message says what it does not ask.
_NOT_ASKING_VERDICT = re.compile(
    r"(不是|并不是|不是要|没有|没)(在)?(问|想问|打听)[^，。？！]{0,12}"
    r"(能不能|算不算|够不够|可不可以|能否|行不行|符不符合)"
)


# Words that only lead into or frame a question, beside `_META`'s
_LEAD_IN_WORDS = re.compile(
    "请问|想问|问下|那|麻烦|帮我|看看|查查|是不是|是否|不是|确认一下|确认下|确认|"
    # "能不能帮我概括一下": a request to put what the story asked about in short
    "(能不能|可不可以|能否|可否|可以)?(帮我|给我|帮忙)?(概括|总结|归纳|梳理|捋一捋|捋捋|解释|科普)"
)


def asks_nothing_itself(clause: str) -> bool:
    """Words of asking alone ("请问文件里具体是怎么说的", "是真的吗"): what is asked about is
    what the story told. (里 of 文件里 last: `_META` holds 里面 and 里头 whole.)"""
    return not _META.sub("", _LEAD_IN_WORDS.sub("", clause)).replace("里", "")


_LIKE_CASE = re.compile("^像|的?情况$")
# What must be left of a question once its frames are gone for them to go (`without_frames`)
_LEAST_LEFT = 4


def told_thing(clause: str) -> str:
    """The thing a clause of the story names, without the words pointing at it ("像这种区域性
    务工不稳的情况" → 区域性务工不稳); the clause itself when none points."""
    return _LIKE_CASE.sub("", _BACK_REFERENCE.sub("", clause))


def _refers_back(clause: str) -> bool:
    """About what the story told: "这种情况会被关注吗", or words of asking alone."""
    if asks_nothing_itself(clause):
        return True
    # "……这次排查会关注吗": whether the screening covers it, with nothing named but the story
    return not _ASKS_COVERAGE.sub("", _META.sub("", _BACK_REFERENCE.sub("", clause)))


# "想问下那个会是哪天开的": a thing pointed at, which the story named in full.
_POINTED = re.compile(r"(这个|那个|这次|那次|这场|那场|这项|那项|这份|那份|这些|那些|该)")
# Where a name told in the story starts: after these ("开过一个排查的动员培训会" → 动员培训会).
_NAME_START = re.compile(r".*[的个了过是说在开一]")
_LONGEST_POINTED = 4
# What may follow a thing named or pointed at: the end of the clause, or a word after it.
_THING_END = re.compile(r"$|[是在的有哪几什啥怎要会能上里我你他她了那这也就还都]")


def _resolve(question: str, told: list[str]) -> str | None:
    """`question` with the thing it points at ("那个会", "这个通知") written as the story
    `told` names it last, or None: the story names no such thing."""
    for pointed in _POINTED.finditer(question):
        rest = question[pointed.end() :]
        for size in range(min(_LONGEST_POINTED, len(rest)), 0, -1):
            thing = rest[:size]
            if not _THING_END.match(rest[size:]):  # "这个要求…": not 要 alone
                continue
            named = _named(thing, told)
            if named is not None:
                return question[: pointed.start()] + named + rest[size:]
    return None


# "……要引用区里这篇政策解读，想确认一下它的发布时间": 它 is the document the story pointed at
_POINTED_DOCUMENT = re.compile(
    "(?:这篇|这份|那篇|那份|这个|那个)((?:政策)?(?:解读|方案|工作方案|文件|通知|文章|指南|意见))"
)


def _it_resolved(question: str, told: list[str]) -> str | None:
    """`question` with its 它 written as the document the story pointed at last, or None."""
    if "它" not in question:
        return None
    for clause in reversed(told):
        named = _POINTED_DOCUMENT.findall(clause)
        if named:
            return question.replace("它", named[-1], 1)
    return None


_COUNTED = re.compile("[几两多些一二三四五六七八九十百0-9]$")


def _named(thing: str, told: list[str]) -> str | None:
    """The last name ending in `thing` the story tells, two characters longer at least."""
    for clause in reversed(told):
        end = clause.rfind(thing)
        while end > 0:
            head = _NAME_START.sub("", clause[:end])
            # (not a count of them: "有好几户是……" names no kind of household)
            counted = _COUNTED.search(head) is not None
            if len(head) >= 2 and not counted and _THING_END.match(clause[end + len(thing) :]):
                return head + thing
            end = clause.rfind(thing, 0, end)
    return None


# A clause ending, and the next starting, with a Latin letter or digit: one English sentence.
_LATIN_END = re.compile(r"[a-z0-9]$")
_LATIN_START = re.compile(r"[a-z0-9]")


# A clause that only names what the next one asks about: 对 / 对于 / 关于 / 针对 … (not 对不对)
# (a clause that says something of it is told: "对防返贫这块不熟")
_TOPIC = re.compile(
    r"^(请问|想问|想问下|想问一下|我想问|问下|问一下)?"
    r"(对于|关于|针对|对(?!不|吧|啊|的|了|呀|头|象|着))[^吗呢么啊嘛？?不没了很太挺]{2,}$"
)


def _clauses_of(sentence: str) -> list[str]:
    """The clauses of a normalised sentence: its spaces part clauses, except between Latin
    words ("is there a phone number i can call" is one clause, written without its spaces as
    every clause is read: the kinds' patterns expect "isthereaphonenumber…"), and after a
    topic the question is about ("对已经风险消除的监测对象，这次排查要开展什么工作")."""
    clauses: list[str] = []
    topic = False
    for piece in sentence.split():
        if clauses and (topic or (_LATIN_END.search(clauses[-1]) and _LATIN_START.match(piece))):
            clauses[-1] += piece
        else:
            clauses.append(piece)
        topic = bool(_TOPIC.match(piece))
    return clauses


# A phrase the message quotes (“不漏一人、不漏一户”), and "this" said of it after.
_QUOTED = re.compile(r"[“「『\"]([^“”「」『』\"]{2,24})[”」』\"]")
_THIS = re.compile(r"这(是|个|句话|句|话|条|些|一条|一句)?(?!次|回|种|样|么|里|边)")


def _quoted_in(questions: list[str], quoted: list[str]) -> tuple[str, ...]:
    """ "他看了通知说要「不漏一人、不漏一户」，问我这是哪个会上提出来的": the question with its
    "this" written as the phrase quoted last before it."""
    if not quoted:
        return ()
    phrase = normalize(_NAMING_MARKS.sub("", quoted[-1]))
    readings: list[str] = []
    for question in questions:
        this = _THIS.search(question)
        if phrase in question or this is None:
            continue
        readings.append(_THIS.sub(phrase, question, count=1))
        if this.start() > 0:
            # and from "this" on alone: what comes before it is the way to the question
            # ("我回来想在村里宣传，这句话出自哪里")
            readings.append(phrase + question[this.end() :])
    return tuple(readings)


# "……听人说这次排查把务工不稳也当成风险来看，是真的吗": the claim heard, asked to confirm —
# what follows the first 说 / 讲 before a tail asking whether it is so
_IN_THE_PLAN = r"(工作方案|方案|文件|政策)(里|上)?(面|头)?"
_CONFIRMING = re.compile(
    # (a tail that is a word of its own, or one a particle closes: not the 对 of 核对)
    r"(是不是真的|真的假的|对不对|是不是这样|有没有这回事)(呀|啊|呢|哦)?$|"
    r"(是真的|真的|有这回事|有这事|是这样|对|没错|"
    # "方案里是这样写的吗"
    rf"{_IN_THE_PLAN}(真的|真|是|有)?(是|有)?(这么|这样|这个)(写|说|讲|规定|说法|提法)?(的|了|过)?|"
    # "这是方案里写的吗"
    rf"这(真的|真|也|都)?是{_IN_THE_PLAN}(写|说|讲|规定|提)(的|了|过|到)?)"
    r"(吗|吧|不|没|呢|啊|么|嘛)+$"
)
_HEARD = re.compile("说|讲")
_SHORTEST_CLAIM = 4


def _claim_in(question: str) -> str | None:
    """The claim a question asks to confirm, or None: it asks no such thing.

    >>> _claim_in("网格员说农产品价格低迷也会排查对不对")
    '农产品价格低迷也会排查'
    >>> _claim_in("村里人说务工不稳也算风险方案里真的这么写了吗")
    '务工不稳也算风险'
    >>> _claim_in("镇里讲要跟残联信息核对") is None  # 核对 asks nothing to be confirmed
    True
    """
    tail = _CONFIRMING.search(question)
    heard = _HEARD.search(question, 0, tail.start()) if tail else None
    if tail is None or heard is None:
        return None
    claim = question[heard.end() : tail.start()]
    return claim if len(claim) >= _SHORTEST_CLAIM else None


def _claims(questions: list[str], clauses: list[str]) -> tuple[str, ...]:
    """The claims the asking clauses ask to confirm: said in the question itself ("听说……，是
    真的吗"), or, when it only asks whether it is so ("我想确认方案里是不是这么写的"), told in
    the clauses just before it from the last 说 / 讲 on ("村里说排查要跟卫健、医保部门信息共享")."""
    found = []
    for question in questions:
        claim = _claim_in(question)
        if claim is None and asks_nothing_itself(question) and question in clauses:
            told = "".join(clauses[: clauses.index(question)])
            heard = list(_HEARD.finditer(told))
            if heard and len(told) - heard[-1].end() >= _SHORTEST_CLAIM:
                claim = told[heard[-1].end() :]
        if claim is not None:
            found.append(claim)
    return tuple(found)


def _told(clause: str) -> str:
    """The clause without the counts it tells ("有几户…了" is not "有几户？")."""
    return _TOLD_COUNT.sub("", clause)


# (not "能给俺多少钱": there 给 is what is asked about)
_FOR_US = re.compile("(给|帮|替)(我|俺|咱)(们|家)?(?!多|几|啥|什么|好多|$)")


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    # Things that happen ("开始", "公示", "领"): asked next to this kind's question word, the
    # answer must name one of them (the issue date does not say when the screening starts).
    events: tuple[str, ...] = ()
    # Events that count only as whole words of the entry (局长 is not named by 副局长).
    whole_words: bool = False
    # Words anywhere in the asking clauses that the answering entry must name as well
    # ("明年的排查几月份搞": the entries tell this year's dates, not next year's).
    qualifiers: tuple[str, ...] = ()
    # Asked parts this kind is not, whatever its patterns found in the whole message (a
    # household's story asking which papers to bring asks for materials, not a verdict).
    unless: tuple[re.Pattern[str], ...] = ()
    # A lower score at which the best-ranked entry answers, when it declares this kind: a
    # question for whom to ask or call, and the one entry that tells it ranked first, is
    # evidence enough (None: the usual threshold).
    answer_at: float | None = None

    def asked_in(self, target: str, part: str) -> bool:
        return self.found_in(target) and not self.ruled_out(part)

    def found_in(self, target: str) -> bool:
        return any(p.search(target) for p in self.patterns)

    def ruled_out(self, part: str) -> bool:
        """Whether the asked `part` asks something else (`unless`)."""
        return any(u.search(part) for u in self.unless)


@dataclass(frozen=True)
class Asked:
    """`kind`: the kind of answer wanted (None: not one the table tells); `asking`: the asking
    clauses of the message (the whole message when it is short or none is found), and each of
    them on its own in `clauses`."""

    kind: str | None
    asking: str
    clauses: tuple[str, ...] = ()
    led: bool = False  # the question follows a lead-in ("想问…"): what came before is story
    # where the kind was read: from the lead-in on, else the asking clauses
    part: str = ""
    # the asking clause only points back at the story ("我这种情况在排查里会被关注吗"): the
    # story's clauses, each of which may be what "this" is
    story: tuple[str, ...] = ()
    # asking clauses with "那个会" written as the story names it ("动员培训会是哪天开的")
    resolved: tuple[str, ...] = ()
    # every clause of the message, in order, each with whether a question mark closes it
    told: tuple[tuple[str, bool], ...] = ()
    # the message asks something else than a verdict on its household, by the verdict kind's
    # `unless` (papers to bring, reporting again …) or in so many words ("我不是问能不能进")
    not_verdict: bool = False
    # the other kinds the asked part asks too ("能补多少钱，什么时候申请": an amount and a date)
    others: tuple[str, ...] = ()
    # claims heard that the message asks to confirm ("听说务工不稳也算风险，是真的吗")
    claims: tuple[str, ...] = ()


class QuestionKinds:
    def __init__(
        self,
        kinds: list[Kind],
        times: tuple[re.Pattern[str], ...] = (),
        contents: tuple[re.Pattern[str], ...] = (),
        shape: VerdictShape | None = None,
        coverage: Coverage | None = None,
        frames: tuple[re.Pattern[str], ...] = (),
    ):
        self.kinds = kinds
        self.names = {kind.name for kind in kinds}
        self._verdict = next((kind for kind in kinds if kind.name == VERDICT), None)
        # Another year than the entries' asked about, whatever the kind (`times:`, its word
        # in the group named `word`): the answering entry must name that word.
        self.times = times
        # Asking what something holds ("具体包括哪些人", `contents:`): an entry that only names
        # it (its `not_listed:`) does not answer.
        self.contents = contents
        # A verdict asked in a way no `verdict` pattern knows, read from its shape.
        self.shape = shape
        # Asking whether the screening covers something (`coverage:`).
        self.coverage = coverage
        # Words that only say what the answer is for ("我要写汇报，请给我一句……的原话",
        # `frames:`): left out of what is ranked.
        self.frames = frames

    @classmethod
    def load(cls, path: Path = KINDS_FILE) -> QuestionKinds:
        raw = load_yaml(path)
        table = raw.get("kinds") if isinstance(raw, LineDict) else None
        if not isinstance(table, LineDict) or not table:
            raise DataError([Problem(path, 1, "应有顶层键 kinds：类型名 → label、patterns")])
        problems: list[Problem] = []
        shared = raw.get("words") or {}
        if not isinstance(shared, LineDict) or not all(
            isinstance(v, list) and v for v in shared.values()
        ):
            problems.append(Problem(path, raw.key_line("words"), "words 应为 名字 → 词语列表"))
            shared = {}
        # {name} in a pattern stands for one of its words (digits in braces stay quantifiers)
        lists = {str(k): "(?:" + "|".join(str(w) for w in v) + ")" for k, v in shared.items()}

        def expand(pattern: str, line: int, name: str) -> str:
            def word_list(match: re.Match[str]) -> str:
                if match.group(1) not in lists:
                    problems.append(
                        Problem(
                            path, line, f"问题类型 {name} 用了未定义的词表 {{{match.group(1)}}}"
                        )
                    )
                return lists.get(match.group(1), "")

            return _WORD_LIST.sub(word_list, pattern)

        def compile_all(spec: LineDict, name: str, key: str) -> tuple[re.Pattern[str], ...]:
            compiled = []
            for pattern in spec.get(key) or []:
                try:
                    compiled.append(re.compile(expand(str(pattern), spec.key_line(key), name)))
                except re.error as exc:
                    problems.append(
                        Problem(
                            path,
                            spec.key_line(key),
                            f"问题类型 {name} 的正则有误：{pattern}（{exc}）",
                        )
                    )
            return tuple(compiled)

        kinds: list[Kind] = []
        for name, spec in table.items():
            line = table.key_line(name)
            if not isinstance(spec, LineDict) or not spec.get("label"):
                problems.append(Problem(path, line, f"问题类型 {name} 需要 label 和 patterns"))
                continue
            patterns = spec.get("patterns")
            if not isinstance(patterns, list) or not patterns:
                problems.append(Problem(path, line, f"问题类型 {name} 的 patterns 应为正则列表"))
                continue
            compiled = compile_all(spec, str(name), "patterns")
            unless: tuple[re.Pattern[str], ...] = ()
            if isinstance(spec.get("unless") or [], list):
                unless = compile_all(spec, str(name), "unless")
            else:
                problems.append(
                    Problem(
                        path, spec.key_line("unless"), f"问题类型 {name} 的 unless 应为正则列表"
                    )
                )
            events = spec.get("events") or []
            if not isinstance(events, list) or not all(isinstance(e, str) and e for e in events):
                problems.append(
                    Problem(
                        path, spec.key_line("events"), f"问题类型 {name} 的 events 应为词语列表"
                    )
                )
                events = []
            whole = bool(spec.get("whole_words", False))
            qualifiers = spec.get("qualifiers") or []
            if not isinstance(qualifiers, list) or not all(
                isinstance(q, str) and q for q in qualifiers
            ):
                problems.append(
                    Problem(
                        path,
                        spec.key_line("qualifiers"),
                        f"问题类型 {name} 的 qualifiers 应为词语列表",
                    )
                )
                qualifiers = []
            answer_at = spec.get("answer_at")
            if answer_at is not None and (
                isinstance(answer_at, bool)
                or not isinstance(answer_at, int | float)
                or not 0 < answer_at < 1
            ):
                problems.append(
                    Problem(
                        path,
                        spec.key_line("answer_at"),
                        f"问题类型 {name} 的 answer_at 应为 0 到 1 之间的分数",
                    )
                )
                answer_at = None
            kinds.append(
                Kind(
                    str(name),
                    str(spec["label"]),
                    compiled,
                    tuple(events),
                    whole,
                    tuple(qualifiers),
                    unless,
                    float(answer_at) if answer_at is not None else None,
                )
            )
        times = _pattern_list(raw, "times", path, problems, group="word")
        contents = _pattern_list(raw, "contents", path, problems)
        frames = _pattern_list(raw, "frames", path, problems)
        shape = _verdict_shape(raw, path, problems, expand)
        coverage = _coverage(raw, path, problems)
        if problems:
            raise DataError(problems)
        return cls(kinds, times, contents, shape, coverage, frames)

    def asks_contents(self, asked: str) -> bool:
        """Whether `asked` asks what something holds or consists of ("特殊群体具体包括哪些人")."""
        found = _flat(asked)
        return any(pattern.search(found) for pattern in self.contents)

    def must_name(self, name: str | None, asked: str) -> set[str]:
        """Words the `asked` text says that an entry answering it must name too: kind `name`'s
        qualifiers ("明年的排查几号开始" → 明年; "手机号" → 手机) and another year asked about,
        whatever the kind ("去年的集中排查" → 去年)."""
        found = _flat(asked)
        words = {q for k in self.kinds if k.name == name for q in k.qualifiers if q in found}
        return words | {m.group("word") for p in self.times for m in p.finditer(found)}

    def without_frames(self, text: str) -> str:
        """`text` without the words that only say what the answer is for (`frames:`) — unless
        that would leave next to nothing."""
        stripped = text
        for frame in self.frames:
            stripped = frame.sub("", stripped)
        return stripped if len(stripped) >= _LEAST_LEFT else text

    def whole_words(self, name: str) -> bool:
        """Whether kind `name`'s events must be whole words of the entry."""
        return any(kind.whole_words for kind in self.kinds if kind.name == name)

    def answer_at(self, name: str | None) -> float | None:
        """The lower score at which kind `name` is answered by an entry that declares it and
        ranks first (None: the usual threshold)."""
        return next((kind.answer_at for kind in self.kinds if kind.name == name), None)

    def label(self, name: str) -> str:
        return next(kind.label for kind in self.kinds if kind.name == name)

    def events_asked(self, name: str | None, text: str, reach: int = 4) -> tuple[set[str], str]:
        """The events of kind `name` found within `reach` characters of its question words in
        `text` ("几号开始" → 开始, "公示几天" → 公示); events of one character ("领") are
        returned with the text around the question words, for the caller to check that they
        stand as words there (领 in "能领多少钱", not 发 inside 发布)."""
        kind = next((k for k in self.kinds if k.name == name), None)
        if kind is None or not kind.events:
            return set(), ""
        around = []
        # (来着 asks to be reminded — "哪天开的来着" — nobody comes; nor in 出来: "什么时候发出来
        # 的" asks when it came out)
        # (给我们 says for whom — "多久能给我们修好" — not what is done)
        said = normalize(text).replace("来着", "").replace("出来", "出")
        for clause in _FOR_US.sub("", said).split():
            for pattern in kind.patterns:
                for match in pattern.finditer(clause):
                    around.append(clause[max(0, match.start() - reach) : match.end() + reach])
        near = " ".join(around)
        found = {event for event in kind.events if event in near}
        # the longest event said: 副局长, not the 局长 inside it
        return {e for e in found if not any(e != other and e in other for other in found)}, near

    def read(self, text: str) -> Asked:
        # Clauses a question mark closes ask, whatever their words ("是按户查还是按人查？")
        # and the other clauses of a sentence it closes may ask too; in a message that uses
        # question marks, a sentence closed otherwise ("之前有几户风险消除了。") is story.
        clauses: list[str] = []
        marked: set[int] = set()
        in_question: set[int] = set()
        for sentence in _SENTENCE.findall(text):
            first = len(clauses)
            clauses += _clauses_of(normalize(_NAMING_MARKS.sub("", sentence)))
            if clauses and _QUESTION_MARK.search(sentence[-1:]):
                marked.add(len(clauses) - 1)
                in_question.update(range(first, len(clauses)))
            elif _UNCLOSED.search(sentence):
                # the message ends without closing its last sentence ("……是按人均算还是全家算？能
                # 纳入吗"): its clauses may ask, as those of a sentence a question mark closes
                in_question.update(range(first, len(clauses)))
        whole = "".join(clauses)
        asking = whole
        questions: list[str] = []
        # Where the message says "想问…" the question follows; a clause before it that only
        # happens to hold a question word ("去年有几户风险消除了") is story.
        led = next((i for i, c in enumerate(clauses) if _leads_in(clauses, i)), None)
        if led is not None and marked and led > max(marked):
            # "……今年是多少？我就想知道个大概，不是要申请啥。": after the last question closed
            # by "？" a "想知道…" says why it was asked; it leads into no question
            led = None
        if (
            led is not None
            and _ends_in_lead_in(clauses[led])
            and not any(_ASKING.search(_told(c)) for c in clauses[led + 1 :])
        ):
            # "……具体是八月几号印发的她记不清了，让我问问，要填表用": the errand, after the
            # question, leads into nothing that asks
            led = None
        if len(whole) > _SHORT and len(clauses) > 1:
            picked: list[str] = []
            for i, clause in enumerate(clauses):
                if led is not None and i < led:
                    continue
                if i == led and i + 1 < len(clauses) and _ends_in_lead_in(clause):
                    # "家里老人让我问问：……": the door to the question, not a question
                    continue
                # Who closes questions with "？" marks them: a question word in a clause without
                # one is story ("之前有几户风险消除了，……会不会再看看？")
                told = _told(clause)
                if i in marked or ((not marked or i in in_question) and _ASKING.search(told)):
                    # (an errand before it says only who wants to know: "让我问清楚是多少")
                    asked_alone = _ERRAND.sub("", clause)
                    # "…按户查，还是按人查": the other half of a choice leans on the first
                    bare = (
                        len(asked_alone) <= _BARE_ASK
                        or len(_META.sub("", clause)) <= 1
                        or clause.startswith("还是")
                        # "方案里说的因意外事故导致困难的户，是不是也在关注范围里": "also"
                        # with no subject of its own says of what the clause before names
                        or bool(_SUBJECTLESS_ALSO.match(clause))
                        # "除了自然灾害和农产品价格，还列了哪几条风险"
                        or (i > 0 and clauses[i - 1].startswith("除了"))
                    )
                    if bare and i > 0:
                        questions.append(clauses[i - 1] + asked_alone)
                        if clauses[i - 1] not in picked:
                            picked.append(clauses[i - 1])
                    else:
                        questions.append(clause)
                    picked.append(clause)
            if picked:
                asking = "".join(picked)
        long_with_lead_in = led is not None and len(whole) > _SHORT
        # (what follows the lead-in, but not a sentence after the question closed otherwise:
        # "……是怎么打算的？我是村会计，想提前准备材料。" asks no materials)
        after_lead_in = [
            c for i, c in enumerate(clauses[led:], start=led or 0) if not marked or i in in_question
        ]
        asked_part = "".join(after_lead_in or clauses[led:]) if long_with_lead_in else asking
        if long_with_lead_in and asked_part not in questions and led is not None:
            # "想问问排查是挨个人查，还是以一家一户为单位来查": all that follows the lead-in
            questions.append(asked_part)
        for question in list(questions):
            opening = _EXPLAIN_TO.search(question)
            rest = question[opening.end() :] if opening else ""
            if len(rest) >= _LEAST_LEFT and rest not in questions:
                questions.append(rest)
        story: tuple[str, ...] = ()
        if len(questions) == 1 and _refers_back(questions[0]):
            story = tuple(c for c in clauses if c not in questions[0])
        story_told = [c for c in clauses if not any(c in q for q in questions)]
        resolved = tuple(
            r
            for r in (_resolve(q, story_told) or _it_resolved(q, story_told) for q in questions)
            if r is not None
        )
        resolved += _quoted_in(questions, _QUOTED.findall(text))
        every_clause = tuple((clause, i in marked) for i, clause in enumerate(clauses))
        # A verdict is asked about the household the whole message describes — unless the
        # message says it is not asking that ("我不是问他家能不能进，就想知道……") or what it asks
        # is something else (the verdict kind's `unless`: papers to bring, reporting again).
        not_verdict = bool(_NOT_ASKING_VERDICT.search(whole)) or (
            self._verdict is not None and self._verdict.ruled_out(asked_part)
        )
        asked_kinds = [
            k.name
            for k in self.kinds
            if (
                not not_verdict and k.found_in(whole)
                if k.name == VERDICT
                else k.asked_in(asked_part, asked_part)
            )
        ]
        kind = asked_kinds[0] if asked_kinds else None
        # (a verdict asked is answered by the guidance alone, whatever else is asked with it)
        others = tuple(k for k in asked_kinds[1:] if k != VERDICT) if kind != VERDICT else ()
        return Asked(
            kind,
            asking,
            tuple(questions),
            long_with_lead_in,
            asked_part,
            story,
            resolved,
            every_clause,
            not_verdict,
            others,
            _claims(questions, clauses),
        )
