"""Loading, validating and querying the knowledge base.

Entries live in `data/entries/*.yaml` (see `Entry` for the fields); answers are templates over
the policy parameters. `load_knowledge()` validates everything and raises `DataError` listing
each problem with file and line; `KnowledgeBase.ask()` answers or abstains.
"""

from __future__ import annotations

import copy
import dataclasses
import re
import string
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import TypeVar

from rapidfuzz import fuzz, process

from common.yamlfile import DataError, LineDict, Problem, load_yaml
from knowledge import index_cache
from knowledge.answer_memo import AnswerMemo
from knowledge.entry_model import ENTRY_MODEL, EntryModel, Reading
from knowledge.learned import LearnedLayer, LearnedSource, SetAside, Taught, phrasing_key
from knowledge.ngram_model import (
    UNANSWERABLE_MODEL,
    VERDICT_MODEL,
    ModelFileError,
    ModelScores,
    NgramModel,
)
from knowledge.params import Document, PolicyParameters, load_parameters
from knowledge.question_kind import (
    KINDS_FILE,
    VERDICT,
    Asked,
    QuestionKinds,
    asks_nothing_itself,
    told_thing,
)
from knowledge.retrieval import Analyzer, Ranked, Retriever
from knowledge.set_aside_file import SET_ASIDE_FILE, load_set_aside
from knowledge.several_questions import (
    clauses_each_asking,
    questions_in,
    says_it_is_another,
    without_another,
)

T = TypeVar("T")

DATA_DIR = Path(__file__).resolve().parent / "data"

# A verdict the rules read in a message the verdict model gives less than this is no verdict.
VERDICT_UNLIKE_BELOW = 0.05
# An answer scoring below this is withheld when the unanswerable model finds the message.
GATE_BELOW = 0.8
# At or above this score the best entry is answered; below it the bot abstains.
ANSWER_THRESHOLD = 0.45
# How much surer than its threshold the entry model (knowledge.entry_model) must be to overrule
# the rules, per point of the rules' first score above ANSWER_THRESHOLD: that no entry answers
# (0.5 → 0.76 against a rules' 0.97), that another entry does (0.3 → 0.79 against 0.94).
# Thresholds that ignore the rules' score overruled confident right answers the project's
# stories keep ("搞这个大排查图啥呢"); on the development sets, in a simulation with models
# learned without each set, these scored 21 more in scope right and 13 fewer out of scope.
UNANSWERED_SURER = 0.5
ANSWER_SURER = 1.0
# Asked for one of these kinds, and the rules' first entry tells it, the entry model does not
# overrule the rules with "no entry answers": a phone number, a date, a duration are stated or
# not, and the rules' checks tell which. (For every kind, as for the unanswerable model's gate:
# 11 fewer out-of-scope questions abstained on the development sets, learned without each.)
KINDS_THE_MODEL_LEAVES = frozenset({"phone", "date", "duration"})
# … or at or above this one, when the unanswerable model gives the message less than
# ANSWERABLE_BELOW: it is all but sure the documents answer it.
ANSWERABLE_AT = 0.4
ANSWERABLE_BELOW = 0.1
# Entries scoring at least this much are offered as "您是不是想问…" suggestions.
SUGGESTION_FLOOR = 0.2
# After a lead-in ("想问…"), an entry the asked part scores below this is held to that score.
ASKED_SUPPORT = 0.3
# How many of the entries a thing told in a story ranks first vote for (`_ask_one`)
STORY_VOTES = 3
MAX_SUGGESTIONS = 3
# An abstention names the kind asked as not stated (`Answer.unstated`) when the nearest entry
# scores this much and does not tell that kind.
UNSTATED_NEAR = 0.38
# A verdict asked about getting another programme unless the message speaks of monitoring too
_MONITORING = re.compile("监测|返贫")
# The knowledge base's own subject named: the screening, monitoring
_OWN_SUBJECT = re.compile(f"排查|方案|{_MONITORING.pattern}")
# The knowledge base's subject as a word to read a thing told with ("……这种情况排查管不管")
_SCREENING = "排查"
# The date kind, and a day or month as the entries write it
_DATE = "date"
_A_DATE = re.compile(
    r"\d{1,2}月\d{1,2}日|\d{4}年\d{1,2}月|\d{4}-\d{2}-\d{2}|\d{1,2}月[上中下]旬|\d{1,2}月[底初]"
)
_SENTENCE_END = re.compile("[。；;！？!?]")
# A benefit asked for ("有没有租房补贴可以申请", "能不能领救助金"), not one told of
_BENEFIT = re.compile(
    "(有没有|申请|领|领取|享受|办)[^，。？]{0,6}(补贴|补助|救助|津贴|救济)"
    "|(补贴|补助|救助|津贴|救济)[^，。？]{0,4}(可以|能|可)?(申请|领|办|享受)"
)
_CAN = re.compile("能不能|可不可以|能否|可以|能|够不够|算不算|有没有资格")
# jieba's parts of speech that only say how or how much (conjunction, adverb, numeral, preposition,
# pronoun, particle): no topic of their own
_HOW_WORDS = frozenset("cdmpru")
# One's own household named: 我家, 俺们家, 咱屋里
_OWN_HOUSEHOLD = re.compile("(我|俺|咱)们?(家|屋)")

# What a reply may offer next: "report" opens the self-report.
ACTIONS = ("report",)
REQUIRED_FIELDS = ("id", "question", "alternates", "answer", "source", "tags")
SOURCE_FIELDS = ("document", "section")
# An answer is read in later years too: it names the year ({year}) instead of saying 今年.
RELATIVE_YEAR_WORDS = ("今年", "本年度", "明年", "去年")


@dataclass(frozen=True)
class Source:
    """Where an answer's claims come from: one registered document and the section of it."""

    document: Document
    section: str

    def __str__(self) -> str:
        doc = self.document
        return f"{doc.title}（{doc.issuer}，{doc.date}）·{self.section}"


@dataclass(frozen=True)
class Entry:
    id: str
    question: str
    alternates: tuple[str, ...]
    keywords: tuple[str, ...]
    answer: str  # rendered from the template with the policy parameters
    sources: tuple[Source, ...]  # the first is the main one
    tags: tuple[str, ...]
    related: tuple[str, ...]
    # The kinds of question it answers (question_kinds.yaml): a question asking for a date is
    # answered only by an entry that gives one.
    answers: tuple[str, ...] = ()
    # What the reply offers to do next ("report": the button that starts the self-report).
    action: str | None = None
    # Words the answer names without listing what they hold (特殊群体, 《工作指南》): asked
    # what they contain, the entry does not answer.
    not_listed: tuple[str, ...] = ()

    @property
    def source(self) -> Source:
        return self.sources[0]

    def cited(self) -> str:
        """Every source, as shown under the answer."""
        return "；".join(str(s) for s in self.sources)


@dataclass(frozen=True)
class Suggestion:
    entry_id: str
    question: str


@dataclass(frozen=True)
class Answer:
    """The outcome of one question: an entry (answered) or None (abstained)."""

    question: str
    entry: Entry | None
    score: float
    suggestions: tuple[Suggestion, ...]
    best_entry_id: str | None = None
    # Abstained because the question asks for something no near entry states (a date, an
    # amount …): what, in words, for "文件没有写明…".
    unstated: str | None = None
    # Answered: the entries ranked next (ids, best first), should the answer be wrong.
    runners_up: tuple[str, ...] = ()
    # A message of several questions (knowledge.several_questions): the entries answering the
    # others, in order after `entry`; the question each of `entries` answers; the abstentions
    # on the questions no entry answers (each its `question`, suggestions and best entry).
    more: tuple[Entry, ...] = ()
    parts: tuple[str, ...] = ()
    unanswered: tuple[Answer, ...] = ()

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry answering: `entry` and `more` (none when abstained)."""
        return (self.entry, *self.more) if self.entry is not None else ()


# Said when an entry names what was asked about but not what it holds.
CONTENTS_LABEL = "具体包括哪些"
# A keyword of this many entries at most is a topic of its own (工作指南), not a common word.
TOPIC_OWNERS = 2


class KnowledgeBase:
    def __init__(
        self,
        entries: list[Entry],
        parameters: PolicyParameters,
        retriever: Retriever,
        featured_ids: list[str],
        kinds: QuestionKinds,
        set_aside: Sequence[str] = (),
        verdict_model: NgramModel | None = None,
        unanswerable_model: NgramModel | None = None,
        entry_model: EntryModel | None = None,
    ):
        self.entries = {entry.id: entry for entry in entries}
        self.parameters = parameters
        self.retriever = retriever
        self.featured_ids = featured_ids
        self.kinds = kinds
        # The reply to "can my household be included?" (`answers: [verdict]`), if there is one.
        self.verdict_entry = next((e for e in entries if VERDICT in e.answers), None)
        # … recognised also in words no rule knows (knowledge.ngram_model)
        self.verdict_model = verdict_model
        # What the documents do not answer, though its words are near an entry's: an answer
        # below GATE_BELOW is withheld (knowledge.ngram_model)
        self.unanswerable_model = unanswerable_model
        # Which entry answers, or none, read by characters; it overrules the rules where sure
        # (knowledge.entry_model)
        self.entry_model = entry_model
        # each entry's own phrasings, as `phrasing_key` reads them: asked word for word or
        # nearly (`OWN_NEAR`), the entry model does not overrule what the rules answer (staff
        # wrote them for the entry)
        self._own_phrasings = {
            e.id: tuple(phrasing_key(text) for text in (e.question, *e.alternates)) for e in entries
        }
        # Questions the documents do not answer (set_aside.yaml): abstained on, as are those
        # staff set aside while the bot runs (`learning_from`).
        self.set_aside = tuple(set_aside)
        self._listed_aside = SetAside(self.set_aside)
        # Phrasings staff taught while the bot runs (`learning_from`); None: the YAML's only.
        self.learned: LearnedLayer | None = None
        # Answers given lately, for the taught phrasings they were read with.
        self._memo: AnswerMemo[Answer] = AnswerMemo()

    def _is_set_aside(self, taught: Taught | None, question: str) -> bool:
        """Whether staff set this question aside as one the documents do not answer (in
        set_aside.yaml, or since in the database: `taught`)."""
        aside = taught.set_aside if taught is not None else self._listed_aside
        return aside.holds(question)

    def learning_from(self, source: LearnedSource) -> KnowledgeBase:
        """This knowledge base, also answering the phrasings `source` holds as they are
        taught (see knowledge.learned); this one is left as it is."""
        taught = copy.copy(self)
        taught.learned = LearnedLayer(self.retriever, source, self.entries, self.set_aside)
        taught._memo = AnswerMemo()
        return taught

    def featured(self) -> list[Entry]:
        """Entries offered as examples in the menu."""
        return [self.entries[i] for i in self.featured_ids]

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def ask(self, question: str) -> Answer:
        """Answer `question`; a message of several questions ("收入线多少？排查多久？谁来
        查？") is answered question by question when two or more of them are answered by
        different entries, else read whole (see `_ask_one`). A question asked before in the
        same words, with the same phrasings taught, gets the answer it got then
        (`knowledge.answer_memo`)."""
        # the taught phrasings as they are now, read once for all the readings below
        taught = self.learned.current() if self.learned is not None else None
        return self._memo.get(taught, question, lambda: self._read(question, taught))

    def forget_answers(self) -> None:
        """Read every question anew from now on (benchmarks time the reading itself)."""
        self._memo.clear()

    def _read(self, question: str, taught: Taught | None) -> Answer:
        whole = cache(lambda: self._ask_one(question, taught))
        parts = questions_in(question)
        leaning = True
        if not parts:
            parts, leaning = clauses_each_asking(question), False
        if (
            parts
            and _taught_entry(taught, question) is None
            and not self._is_set_aside(taught, question)
        ):
            each = self._ask_each(question, parts, taught, whole, leaning)
            if each is not None:
                return each
        return whole()

    def _ask_each(
        self,
        question: str,
        parts: list[str],
        taught: Taught | None,
        whole: Callable[[], Answer],
        leaning: bool = True,
    ) -> Answer | None:
        """The message's `parts` answered one by one, or None when that is no reading of it
        (fewer than two answered by different entries, unless one is the household's own
        case: the others are then named as not answered). `whole`: the message read whole,
        read at most once whoever asks for it."""
        alone = [says_it_is_another(part) for part in parts]
        parts = [
            without_another(part) if another else part
            for part, another in zip(parts, alone, strict=True)
        ]
        answers = [self._ask_one(part, taught) for part in parts]
        # A question after the first may lean on it ("…才能风险消除？收入要超过多少？" asks the
        # income for removing the risk, not the monitoring line): answered alone, it must be
        # answered with the one before it too (if that one is answered: one the documents do
        # not answer takes nothing from the next).
        for i in range(1, len(parts)):
            if not leaning or alone[i]:  # (comma parts; "……？另外有问题该打哪个电话？")
                continue
            if answers[i].entry is not None and answers[i - 1].entry is not None:
                # (two questions together are no message the entry model learned to read)
                with_before = self._ask_one(parts[i - 1] + parts[i], taught, read_by_model=False)
                if with_before.entry is None:
                    answers[i] = with_before
        answering: dict[str, tuple[Answer, str]] = {}
        for part, answer in zip(parts, answers, strict=True):
            if answer.entry is not None:
                answering.setdefault(answer.entry.id, (answer, part))
        guidance = self.verdict_entry
        if guidance is not None and guidance.id in answering:
            # A verdict asked in one question is the message's when that question names one's
            # own household ("……收入算不算他的？我家能进不？") or the message read whole asks
            # it ("……算么子户？能进监测不？"), and then comes first; not when the message asks
            # what the screening covers ("是不是所有农村户口的人都要查？我们这种户口在村里人
            # 不在的也算吗？").
            if _OWN_HOUSEHOLD.search(answering[guidance.id][1]) or (whole().entry is guidance):
                answering = {guidance.id: answering[guidance.id], **answering}
            else:
                del answering[guidance.id]
        found = list(answering.values())
        if not found or (len(found) == 1 and found[0][0].entry is not guidance):
            return None
        first = found[0][0]
        return Answer(
            question,
            first.entry,
            first.score,
            (),
            first.best_entry_id,
            more=tuple(answer.entry for answer, _ in found[1:] if answer.entry is not None),
            parts=tuple(part for _, part in found),
            unanswered=tuple(a for a in answers if a.entry is None),
        )

    def _ask_one(self, question: str, taught: Taught | None, read_by_model: bool = True) -> Answer:
        """Answer with the best entry that answers the kind of question asked, or abstain.

        A long message is ranked as a whole and by its asking clauses; the entry they agree on
        most is chosen, with its best score, so a story around the question neither hides the
        answer nor supplies one. A question for a date, a duration or an amount of some event
        ("几号开始", "公示几天", "能领多少钱") is answered only by an entry naming that event.
        A request for a verdict on one's own household is always answered with the entry that
        declares `verdict` (no verdict, the reference line, the report button). A question
        staff set aside (knowledge.learned) is abstained on, with the suggestions as ever.
        Where the entry model is sure which entry answers, or that none does, it overrules the
        rules' choice (`_entry_reading`); `read_by_model` False reads by the rules alone."""
        retriever = taught.retriever if taught is not None else self.retriever
        # ("我要写汇报，请给我一句……的原话": only what the quote is about is ranked)
        text = self.kinds.without_frames(retriever.analyzer.from_pinyin(question))
        entry_id = _taught_entry(taught, question, text)
        if entry_id is not None:
            return Answer(question, self.entries[entry_id], 1.0, (), entry_id)
        asked = self.kinds.read(text)
        scored = ModelScores(question, self.verdict_model, self.unanswerable_model)
        if (
            asked.kind != VERDICT
            and not asked.not_verdict
            and (self._asks_verdict_by_shape(retriever, asked) or scored.asks_verdict())
        ):
            asked = dataclasses.replace(asked, kind=VERDICT)
        if asked.kind == VERDICT and scored.no_verdict(VERDICT_UNLIKE_BELOW):
            # "我是驻村第一书记……能不能提拔？": a pattern's words, nothing like a household
            # asking to be included (knowledge.ngram_model)
            asked = dataclasses.replace(asked, kind=None)
        if asked.kind == VERDICT and self._asks_for_another_programme(retriever, asked.part, text):
            # "脱贫户能不能申请贴息贷款": whether one gets another programme, not whether one is
            # monitored — the programme check below answers that (with the contact)
            asked = dataclasses.replace(asked, kind=None)
        guidance = self.verdict_entry
        if asked.kind == VERDICT and guidance is not None:
            return Answer(question, guidance, 1.0, (), guidance.id)
        # staff said the documents do not answer it: no entry does, however near
        aside = self._is_set_aside(taught, question)
        terms, ranked = retriever.rank(text)
        # A fact asked about another programme the question names (低保, 医保 …) must come from
        # an entry that speaks of it: a screening entry that never mentions 低保 does not answer
        # "低保多久复查一次", nor "监测户能不能申请小额信贷". (Without a fact asked for or a word
        # asking how to get it, 低保 may be context: "吃上低保以后算不算风险消除" is about the
        # screening.)
        words = {t.text for t in terms}
        if (asked.led or asked.clauses) and _OWN_SUBJECT.search(asked.part):
            # a programme named in the story before "想问…" or before the asking clause is
            # context when the question names the screening itself ("平时收收医保……请问这次集中
            # 排查要搞多长时间", "我爸在残联领补贴。这次排查会不会和残联的信息对接")
            words = {t.text for t in retriever.analyzer.terms(asked.part)}
            if not words & retriever.analyzer.other_programmes:
                # … and the unanswerable model (below) reads the message without them: "我妈吃
                # 低保好几年了……这次排查会跟民政那边对接信息吗" asks what the screening does
                scored = ModelScores(
                    retriever.analyzer.without_programmes(question), None, self.unanswerable_model
                )
        programmes = (
            words & retriever.analyzer.other_programmes
            if asked.kind is not None or words & retriever.analyzer.programme_asks
            else set()
        )
        covered = self._coverage_readings(retriever, asked)
        # a long message with asking clauses picked out of it, or a question of coverage
        if asked.clauses or covered:
            # in order: ties repeatable
            readings = dict.fromkeys((asked.asking, *asked.clauses, *asked.resolved, *covered))
            foreign = retriever.foreign_counties(terms, text)
            by_asking = [r for text in readings for r in retriever.rank(text, context=foreign)[1]]
            # readings that may lend an entry confidence but do not choose it (below)
            quiet: list[Ranked] = []
            if asked.story:
                # "…我这种情况会被关注吗": the asking clause names nothing but the screening; it
                # points at the story, and alone it matches whatever entry speaks of 排查 and
                # 关注 — it may vouch for the entry the story chooses, not choose one itself.
                quiet = by_asking
                bare: dict[str, float] = {}
                for r in quiet:
                    bare[r.entry_id] = max(bare.get(r.entry_id, 0.0), r.score)
                # Each thing told may be what "this" is, read as the question asks it: "does the
                # screening look at this?" — with the screening (排查) as its subject, not the
                # asking clause's own words (关注, 考虑进去, 村干部说), which match entries of
                # their own ("下一步考虑…"); words of asking alone ("文件里是怎么说的") add
                # nothing. A clause the question points at ("像这种区域性务工不稳的情况") is
                # also read as the thing it names, without the pointing words; pronouns are left
                # out of what is told ("我们这边"). A reading votes for the first few entries it
                # ranks, where it raises them above the bare question: a clause that tells
                # nothing ("听村里老人说", "老百姓有意见也没处说") would otherwise lift, reading
                # after reading, whatever entry is always near.
                asking = "" if asks_nothing_itself(asked.asking) else _SCREENING
                things = [thing for told in asked.story if (thing := told_thing(told)) != told]
                by_asking = [
                    r
                    for reading in (
                        *(f"{_without_pronouns(retriever, told)}{asking}" for told in asked.story),
                        *things,
                    )
                    for r in retriever.rank(reading, context=foreign)[1][:STORY_VOTES]
                    if r.score > bare.get(r.entry_id, 0.0)
                ]
            # A claim heard, asked to confirm ("听人说务工不稳也算风险，方案里真这么写了吗"), is
            # what is asked; read alone it vouches for the entry the message chooses (alone
            # its few words may match another entry better: "吃水难也算风险" → 风险消除).
            quiet += [
                r for claim in asked.claims for r in retriever.rank(claim, context=foreign)[1]
            ]
            # Each reading votes: the entry chosen is the one the readings agree on most (sum of
            # scores), its confidence the best single reading's, so a short clause that happens
            # to match some entry well does not outvote the message and its question together.
            best_of: dict[str, float] = {}
            votes: dict[str, float] = {}
            for r in quiet:
                best_of[r.entry_id] = max(best_of.get(r.entry_id, 0.0), r.score)
                votes.setdefault(r.entry_id, 0.0)
            for r in (*ranked, *by_asking):
                best_of[r.entry_id] = max(best_of.get(r.entry_id, 0.0), r.score)
                votes[r.entry_id] = votes.get(r.entry_id, 0.0) + r.score
            if asked.led and by_asking:
                # After "想问…" the question is what follows: an entry only the story matches
                # ("户口还在村里" → who is screened) is not what was asked about. (Unless what
                # follows has no words of its own — "我想知道具体是怎么说的" — and so asks
                # about the story's topic.)
                asked_for: dict[str, float] = {}
                for r in by_asking:
                    asked_for[r.entry_id] = max(asked_for.get(r.entry_id, 0.0), r.score)
                for entry_id in best_of:
                    if asked_for.get(entry_id, 0.0) < ASKED_SUPPORT:
                        best_of[entry_id] = min(best_of[entry_id], asked_for.get(entry_id, 0.0))
            ranked = [
                Ranked(entry_id, best_of[entry_id])
                for entry_id in sorted(best_of, key=lambda e: -votes[e])
            ]
        best = ranked[0] if ranked else None
        unstated = None
        # "0563后面号码多少": asked for whom to ask or call, the entry that tells it, ranked
        # first of those that do, answers at a lower score (the kind's `answer_at`)
        answer_at = self.kinds.answer_at(asked.kind)
        # (the first that tells this kind: an entry above it that does not tell it is no rival)
        telling = (
            next((r for r in ranked if asked.kind in self.entries[r.entry_id].answers), None)
            if answer_at is not None
            else None
        )
        # a message the unanswerable model all but rules out as unanswerable: its first entry
        # answers at a lower score
        first_at = (
            ANSWERABLE_AT
            if ranked
            and ANSWERABLE_AT <= ranked[0].score < ANSWER_THRESHOLD
            and scored.surely_answerable(ANSWERABLE_BELOW)
            else None
        )
        # the entry model's reading (knowledge.entry_model): an entry it is sure of is a
        # candidate whatever its score, and the only one — the checks below still apply to it
        # (a programme the rules take for context — named only in the story, or no fact asked
        # of it, no way to get it — is no part of what the model reads either: "吃上低保以后算
        # 不算风险消除")
        context_programmes = scored.text != question or bool(
            not programmes and words & retriever.analyzer.other_programmes
        )
        reading = (
            self._entry_reading(
                question,
                ranked,
                context_programmes,
                asked.kind,
                lambda: bool(retriever.foreign_counties(terms, text)),
            )
            if read_by_model and not aside and not _near_taught(taught, question)
            else None
        )
        sure_of: Ranked | None = None
        if reading is not None and reading.entry_id is not None:
            sure_of = next((r for r in ranked if r.entry_id == reading.entry_id), None)
            sure_of = sure_of or Ranked(reading.entry_id, reading.probability)
            ranked = [sure_of, *(r for r in ranked if r is not sure_of)]
        confident = [
            r
            for r in ranked
            if (
                r is sure_of
                or r.score >= ANSWER_THRESHOLD
                or (
                    answer_at is not None  # (telling is None without one)
                    and r is telling
                    and r.score >= answer_at
                )
                or (first_at is not None and r is ranked[0])
            )
            and programmes <= retriever.words_of(r.entry_id)
            # asking which papers to bring, or whether to report again, is no verdict: the
            # guidance for one is not its answer, however near its words
            and not (asked.not_verdict and guidance is not None and r.entry_id == guidance.id)
        ]
        # The asked part's words, read once, for the checks below that need them.
        contents_asked = self.kinds.asks_contents(asked.part)
        part_words = (
            {t.text for t in retriever.analyzer.terms(asked.part)}
            if asked.kind is not None or contents_asked
            else set()
        )
        if (
            not confident
            and asked.kind is not None
            and best is not None
            and best.score >= UNSTATED_NEAR
            and asked.kind not in self.entries[best.entry_id].answers
        ):
            # "政策咨询电话几点到几点有人接": the nearest entry, close though not answering,
            # does not tell this kind — said so, as when it would have answered
            unstated = self.kinds.label(asked.kind)
        if asked.kind is not None:
            events = self._asked_events(asked.kind, asked.part or text)
            whole = self.kinds.whole_words(asked.kind)
            fitting = [
                r
                for r in confident
                if asked.kind in self.entries[r.entry_id].answers
                and (not events or self._names_any(retriever, r.entry_id, events, whole))
                # "排查具体哪几天入户": a day asked of an event is told only by an entry that
                # gives a day in the sentence naming it (the plan's issue date is no visit's)
                and (
                    asked.kind != _DATE or not events or self._dates(retriever, r.entry_id, events)
                )
            ]
            # "省局的《工作指南》是哪天下发的": asked of the topic of an entry that does not tell
            # this kind (the guide's date), an entry that never names that topic does not answer
            if fitting:
                topics = self._topics_without(asked.kind, retriever, part_words)
                fitting = [r for r in fitting if self._names_topics(retriever, r.entry_id, topics)]
            if confident and not fitting:
                unstated = self.kinds.label(asked.kind)
            confident = fitting
        for other in asked.others:
            # "能补多少钱，什么时候申请": the amount of a grant is asked as well as a date; an
            # entry that never names the grant answers neither
            other_events = self._asked_events(other, asked.part)
            if not other_events:
                continue
            whole = self.kinds.whole_words(other)
            naming = [
                r for r in confident if self._names_any(retriever, r.entry_id, other_events, whole)
            ]
            if confident and not naming:
                unstated = self.kinds.label(other)
            confident = naming
        if confident and self._unknown_object(retriever, asked.part):
            # "去哪里申诉，申诉流程是什么": the way to do a thing no entry ever names is asked;
            # the procedure of another thing (纳入监测的流程) is no answer
            confident = []
        # "去年的集中排查…", "明年几号开始", "手机号": the entries tell this year's, and no
        # mobile; one that does not name the word does not answer, whatever else it says
        must = self.kinds.must_name(asked.kind, asked.part)
        named = [r for r in confident if self._names_all(retriever, r.entry_id, must, True)]
        if confident and not named and asked.kind is not None:
            unstated = self.kinds.label(asked.kind)
        confident = named
        if confident and contents_asked:
            # "特殊群体具体包括哪些人": what 特殊群体 holds, from an entry that names it and
            # lists it — not from one that only names it, nor from one that never does
            subject = part_words & self._all_not_listed
            if subject:
                listing = [
                    r
                    for r in confident
                    if not subject & self._not_listed[r.entry_id]
                    and self._names_all(retriever, r.entry_id, subject)
                ]
                if not listing:
                    unstated = CONTENTS_LABEL
                confident = listing
        if sure_of is not None and confident and confident[0] is sure_of:
            chosen = sure_of
        elif reading is not None and reading.entry_id is None:  # sure that no entry answers
            chosen = None
        else:
            chosen = (
                confident[0]
                if confident and not self._withheld(scored, confident[0], asked.kind)
                else None
            )
        if chosen is not None and not aside:
            others = tuple(r.entry_id for r in ranked if r.entry_id != chosen.entry_id)
            return Answer(
                question,
                self.entries[chosen.entry_id],
                chosen.score,
                (),
                chosen.entry_id,
                runners_up=others[:MAX_SUGGESTIONS],
            )
        suggestions = tuple(
            Suggestion(r.entry_id, self.entries[r.entry_id].question)
            for r in ranked[:MAX_SUGGESTIONS]
            if r.score >= SUGGESTION_FLOOR
        )
        if best is None:
            return Answer(question, None, 0.0, suggestions)
        return Answer(question, None, best.score, suggestions, best.entry_id, unstated)

    def _entry_reading(
        self,
        question: str,
        ranked: list[Ranked],
        context_programmes: bool,
        kind: str | None,
        foreign: Callable[[], bool],
    ) -> Reading | None:
        """What the entry model is sure of (knowledge.entry_model): an entry that answers, or
        that none does (`entry_id` None); None when it is not sure, or not consulted — for an
        entry's own phrasing asked word for word or nearly (`OWN_NEAR`), or when the rules'
        first entry is one it was not learned with (added since: the rules' to answer).
        `context_programmes`: the model reads the question without the programmes it names (the
        rules take them for context). `kind`: what the rules read is asked; `foreign`: whether
        the question names another county."""
        model = self.entry_model
        if model is None or (ranked and not model.knows(ranked[0].entry_id)):
            return None
        key = phrasing_key(question)
        # (the phrasings of the rules' first entries only: a scan of every entry's would grow
        # with the knowledge base, ~15 ms a question at 10,000 entries)
        if any(
            _near(key, self._own_phrasings[r.entry_id], OWN_NEAR) for r in ranked[:OWN_NEAR_AMONG]
        ):
            return None
        analyzer = self.retriever.analyzer
        said = analyzer.without_programmes(question) if context_programmes else question
        reading = model.reading(analyzer.from_pinyin(said))
        if reading is None:
            return None
        # the surer the rules are of their first entry, the surer the model must be to overrule
        # them ("这次排查主要查哪些人": the rules 0.94 for whom, the model 0.77 for what)
        above = max(0.0, ranked[0].score - ANSWER_THRESHOLD) if ranked else 0.0
        if reading.entry_id is None:
            if (
                ranked
                and kind in KINDS_THE_MODEL_LEAVES
                and kind in self.entries[ranked[0].entry_id].answers
            ):
                # "0563后面号码多少": the rules know the kind asked for and their entry tells it
                return None
            enough = model.unanswered_at + UNANSWERED_SURER * above
            return reading if reading.probability >= enough else None
        if reading.entry_id not in self.entries:
            return None
        other = bool(ranked) and ranked[0].entry_id != reading.entry_id
        enough = model.answer_at + (ANSWER_SURER * above if other else 0.0)
        if reading.probability < enough or foreign():
            # "旌德那边的排查方案是什么时候发的": the entries are this district's; which one
            # another county's question is near is the rules' to weigh (none, as a rule)
            return None
        return reading

    def _withheld(self, scored: ModelScores, chosen: Ranked, kind: str | None) -> bool:
        """An answer not confident enough (below GATE_BELOW) to a message the unanswerable
        model finds is no answer: its words are near the entry's, what it asks is not. Where
        the rules know the kind asked for and the entry tells it ("收入低到多少才算监测对象":
        an amount, from the entry with the line), the model's doubt does not overrule them."""
        if chosen.score >= GATE_BELOW:
            return False
        if kind is not None and kind in self.entries[chosen.entry_id].answers:
            return False
        return scored.finds_unanswerable()

    def _coverage_readings(self, retriever: Retriever, asked: Asked) -> list[str]:
        """ "这次排查会不会把农产品价格低的风险考虑进去": a question whether the screening
        covers something, read also as that thing alone (农产品价格低的风险), the frame's
        words (排查, 会不会, 考虑进去) left out."""
        coverage = self.kinds.coverage
        readings: list[str] = []
        if coverage is None:
            return readings
        clauses = asked.clauses or (asked.asking,)
        if not asked.clauses and len(asked.told) > 1:
            # a short message of several clauses: the one asking ("……一到夏天就没水 排查查不
            # 查吃水") names the thing itself
            clauses = (asked.asking, *(clause for clause, _ in asked.told))
        for clause in clauses:
            if not coverage.asks(clause):
                continue
            terms = retriever.analyzer.terms(clause)
            # (the asker's own pronouns and "this" point, they name nothing: "排查到俺家这类")
            content = [
                t.text
                for t in terms
                if t.text not in coverage.frame
                and not (t.pos == _PRONOUN and _POINTING.match(t.text))
            ]
            # one word is enough when it is a term of ours (饮水安全), not any word
            # (a clause of several read alone, whatever it holds: its frame words may be
            # stopwords already, "吃水安全查不查哦 俺村井水不太行")
            if (len(content) < len(terms) or len(clauses) > 1) and (
                len(content) >= 2
                or (len(content) == 1 and content[0] in retriever.analyzer.canonical)
            ):
                readings.append("".join(content))
        return readings

    def _asks_verdict_by_shape(self, retriever: Retriever, asked: Asked) -> bool:
        """A verdict on a household asked in a way no `verdict` pattern knows
        (knowledge.verdict_shape)."""
        shape = self.kinds.shape
        if shape is None:
            return False
        analyzer = retriever.analyzer
        return shape.asks(
            asked.told,
            asked.part or asked.asking,
            lambda said: [t.text for t in analyzer.terms(said)],
        )

    @staticmethod
    def _asks_for_another_programme(retriever: Retriever, part: str, message: str) -> bool:
        """What the asked part asks whether one can get is another programme (低保, 小额信贷
        …), not monitoring: "脱贫户能不能申请贴息贷款", not "靠几千块养老金，能进吗"; the
        programme may be named in the `message` before it ("贷了小额信贷……能不能申请延期")."""
        if _MONITORING.search(part):
            return False
        if _BENEFIT.search(part):  # "城里有没有租房补贴可以申请": a benefit, not monitoring
            return True
        asks = list(_CAN.finditer(part))
        if not asks:
            return False
        analyzer = retriever.analyzer
        after = analyzer.terms(part[asks[-1].end() :])
        wanted = {t.text for t in after}
        if wanted & analyzer.other_programmes:
            return True
        # "残疾证怎么办理，几级残疾能享受补贴", "小额信贷还不上，能不能申请延期": what is
        # wanted is a benefit or a request (享受, 补贴, 申请) of the programme named before
        # (and nothing else the knowledge base speaks of is wanted: not 纳入, 评上 …)
        # (a lone character — 再, 还 — is no topic: "还能再申请吗"; nor is a word that only
        # says how, 同时 or 一起: "两项补贴和低保能不能同时享受")
        others = {
            t.text
            for t in after
            if len(t.text) > 1
            and t.pos[:1] not in _HOW_WORDS
            and t.text not in analyzer.programme_asks
        }
        return (
            bool(wanted & analyzer.programme_asks)
            and not others & retriever.index.vocabulary
            and bool({t.text for t in analyzer.terms(message)} & analyzer.other_programmes)
        )

    def _unknown_object(self, retriever: Retriever, part: str) -> bool:
        """Whether the asked part asks the way to do something (去哪里申诉, 怎么投诉) or the
        procedure of something (申诉流程) that is a real word no entry holds. (Only verbs after
        哪里 / 怎么: "在哪里标的" holds 标的, a noun jieba reads into "标 + 的".)"""
        terms = retriever.analyzer.terms(part)
        for i, t in enumerate(terms):
            if (
                len(t.text) < 2
                or t.text in retriever.vocabulary
                or not retriever.analyzer.is_word(t.text)
                or t.pos[:1] not in ("v", "n")
            ):
                continue
            after = terms[i + 1].text if i + 1 < len(terms) else ""
            before = terms[i - 1].text if i > 0 else ""
            if after in _PROCEDURE_HEADS or (before in _WAY_ASKS and t.pos.startswith("v")):
                return True
        return False

    def _topics_without(self, kind: str, retriever: Retriever, words: set[str]) -> set[str]:
        """The `words` that are a topic (a keyword of `TOPIC_OWNERS` entries at most) of an
        entry not answering `kind`; the knowledge base's own subject (集中排查) is none."""
        topics = set()
        for word in words:
            owners = retriever.keyword_owners.get(word, ())
            if (
                0 < len(owners) <= TOPIC_OWNERS
                and len(word) > 1
                and word not in retriever.analyzer.topic_terms
                and any(kind not in self.entries[e].answers for e in owners if e in self.entries)
            ):
                topics.add(word)
        return topics

    @cached_property
    def _not_listed(self) -> dict[str, frozenset[str]]:
        """Each entry's `not_listed` words as the analyzer reads them (every retriever of this
        knowledge base shares the analyzer)."""
        terms = self.retriever.analyzer.terms
        return {
            e.id: frozenset(t.text for w in e.not_listed for t in terms(w))
            for e in self.entries.values()
        }

    @cached_property
    def _all_not_listed(self) -> frozenset[str]:
        return frozenset().union(*self._not_listed.values())

    def _names_topics(self, retriever: Retriever, entry_id: str, topics: set[str]) -> bool:
        """Whether the entry names every topic: among its words (`_names_any`), or as written
        inside a word the analyzer reads as a synonym of another (数据 in 数据比对, read as
        信息共享)."""
        text = self._texts[entry_id]
        return all(
            self._names_any(retriever, entry_id, {topic}) or topic in text for topic in topics
        )

    @cached_property
    def _texts(self) -> dict[str, str]:
        return {
            e.id: "\n".join([e.question, *e.alternates, *e.keywords, e.answer])
            for e in self.entries.values()
        }

    @classmethod
    def _names_all(
        cls, retriever: Retriever, entry_id: str, words: set[str], whole: bool = False
    ) -> bool:
        """Whether the entry names every one of `words` (see `_names_any`)."""
        return all(cls._names_any(retriever, entry_id, {w}, whole) for w in words)

    @staticmethod
    def _names_any(
        retriever: Retriever, entry_id: str, events: set[str], whole: bool = False
    ) -> bool:
        """Whether the entry names one of the events: a word of two characters or more also
        inside a longer word (集中 in 集中一个月) unless `whole`, one character only as a word
        of its own (领 is not in 领导)."""
        words = retriever.words_of(entry_id)
        return any(
            event in words
            or (not whole and len(event) > 1 and any(event in word for word in words))
            for event in events
        )

    def _dates(self, retriever: Retriever, entry_id: str, events: set[str]) -> bool:
        """Whether a sentence of the entry's answer gives a day (`_A_DATE`) and names one of
        the events."""
        for sentence in _SENTENCE_END.split(self.entries[entry_id].answer):
            if not _A_DATE.search(sentence):
                continue
            words = {t.text for t in retriever.analyzer.terms(sentence)}
            if any(e in words or (len(e) > 1 and e in sentence) for e in events):
                return True
        return False

    def _asked_events(self, kind: str | None, question: str) -> set[str]:
        """The events a date, duration or amount question asks about (the kind's `events:`
        in question_kinds.yaml found next to its question words); one-character events only
        where they stand as a word."""
        events, near = self.kinds.events_asked(kind, question)
        analyzer = self.retriever.analyzer
        short = {e for e in events if len(e) == 1}
        if short:
            standing = analyzer.words(near) | {t.text for t in analyzer.terms(near)}
            events -= short - standing
        # as the entries' words are: 下发 is 印发时间 there
        return {analyzer.canonical.get(e, e) for e in events}


def _without_pronouns(retriever: Retriever, told: str) -> str:
    """A thing told without its pronouns ("我们这边夏天发大水" → 夏天发大水 …): 这边, 我家
    point at the teller, not at a topic, and match entries that speak of 这次, 我们."""
    kept = [t.text for t in retriever.analyzer.terms(told) if t.pos != _PRONOUN]
    return "".join(kept) or told


_PRONOUN = "r"  # jieba's part of speech for pronouns
_PROCEDURE_HEADS = frozenset(["流程", "程序", "手续", "步骤"])
_WAY_ASKS = frozenset(["哪里", "哪儿", "怎么", "如何", "咋", "咋个", "怎样", "去哪"])
_POINTING = re.compile("我|俺|咱|阿拉|额|这|那|其")


# How alike (rapidfuzz ratio of the `phrasing_key`s) a question must be to a phrasing staff
# taught for the entry model to leave it to the rules: staff said what such words ask
# ("我住的房子是危房该怎么办呢" after "住的房子是危房怎么办" was taught).
TAUGHT_NEAR = 80


# … and to one of an entry's own phrasings, for the same reason ("四个不摘具体是哪四个" beside
# "四个不摘指哪四个": 78). On the development sets, models learned without each: in scope +2,
# out of scope −1 — one of those sets' writers put "“四个不摘”具体是指哪四个？" out of scope,
# another "“四个不摘”具体是哪四个？" in.
OWN_NEAR = 75
OWN_NEAR_AMONG = 3


def _near_taught(taught: Taught | None, question: str) -> bool:
    """Whether `question` is near a phrasing staff taught (`TAUGHT_NEAR`)."""
    return (
        taught is not None
        and bool(taught.exact)
        and _near(phrasing_key(question), taught.exact.keys(), TAUGHT_NEAR)
    )


def _near(key: str, phrasings: Iterable[str], at: float) -> bool:
    """Whether a question's `phrasing_key` is this near (rapidfuzz ratio) one of `phrasings`
    (`phrasing_key`s too)."""
    return process.extractOne(key, phrasings, scorer=fuzz.ratio, score_cutoff=at) is not None


def _taught_entry(taught: Taught | None, question: str, text: str | None = None) -> str | None:
    """The entry staff taught this phrasing to, asked word for word (or typed in pinyin:
    `text`, as read); None when it was not taught."""
    if taught is None:
        return None
    return taught.exact.get(phrasing_key(question)) or (
        taught.exact.get(phrasing_key(text)) if text is not None else None
    )


def entry_titles(data_dir: Path = DATA_DIR) -> dict[str, str]:
    """Each entry's id → its question, in file order: the entries read and checked, without
    building the retriever (for the web console, which names entries but asks nothing)."""
    parameters = load_parameters(data_dir / "parameters.yaml")
    return {entry.id: entry.question for entry in load_entries(data_dir, parameters)}


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _parse_sources(
    raw: LineDict,
    path: Path,
    documents: dict[str, Document] | None,
    problems: list[Problem],
) -> tuple[Source, ...] | None:
    """`source:` is one {document, section} mapping or a list of them; each document must be
    one of those listed in parameters.yaml (`documents` None: the parameters are broken)."""
    items = raw["source"] if isinstance(raw["source"], list) else [raw["source"]]
    line = raw.key_line("source")
    sources = []
    for item in items:
        if not isinstance(item, dict) or any(not item.get(f) for f in SOURCE_FIELDS):
            problems.append(
                Problem(path, line, f"条目 {raw['id']} 的 source 需要 document、section")
            )
            return None
        if "date" in item:
            problems.append(
                Problem(
                    path,
                    line,
                    f"条目 {raw['id']} 的 source 不写 date：文件的日期只写在 parameters.yaml 的 "
                    "documents 里",
                )
            )
            return None
        key = str(item["document"])
        if documents is None:
            document = Document(key, key, "", "")
        elif key in documents:
            document = documents[key]
        else:
            problems.append(
                Problem(
                    path,
                    line,
                    f"条目 {raw['id']} 引用了未登记的文件：{key}"
                    f"（可引用：{', '.join(documents)}；"
                    "新文件先登记在 parameters.yaml 的 documents）",
                )
            )
            return None
        sources.append(Source(document, str(item["section"])))
    return tuple(sources)


def _parse_entry(
    raw: LineDict,
    path: Path,
    parameters: PolicyParameters | None,
    problems: list[Problem],
    kinds: QuestionKinds | None = None,
) -> Entry | None:
    """One entry; `parameters` None: they are broken, so answers are not rendered (their
    placeholders cannot be checked either) and citations are not checked; `kinds` None: the
    question kinds are broken, so `answers:` names are not checked."""
    where = raw.line
    missing = [name for name in REQUIRED_FIELDS if not raw.get(name)]
    if missing:
        problems.append(
            Problem(path, where, f"条目 {raw.get('id', '?')} 缺少字段：{', '.join(missing)}")
        )
        return None
    placeholders = parameters.placeholders() if parameters is not None else None
    sources = _parse_sources(
        raw, path, parameters.documents if parameters is not None else None, problems
    )
    if sources is None:
        return None
    template = str(raw["answer"])
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        problems.append(
            Problem(path, raw.key_line("answer"), f"条目 {raw['id']} 的答案模板有误：{exc}")
        )
        return None
    unknown = sorted(fields - placeholders.keys()) if placeholders is not None else []
    if unknown:
        problems.append(
            Problem(
                path,
                raw.key_line("answer"),
                f"条目 {raw['id']} 引用了未知参数：{', '.join(unknown)}",
            )
        )
        return None
    relative = [word for word in RELATIVE_YEAR_WORDS if word in template]
    if relative:
        problems.append(
            Problem(
                path,
                raw.key_line("answer"),
                f"条目 {raw['id']} 的答案写了“{relative[0]}”：请写明年份（{{year}}年）",
            )
        )
        return None

    def render(text: str) -> str:
        return text.format_map(placeholders) if placeholders is not None else text

    try:
        alternates = tuple(render(str(a)).strip() for a in _as_list(raw["alternates"]))
        keywords = tuple(render(str(k)) for k in _as_list(raw.get("keywords")))
    except (KeyError, ValueError) as exc:
        problems.append(
            Problem(path, where, f"条目 {raw['id']} 的问法或关键词引用了未知参数：{exc}")
        )
        return None
    answers = tuple(str(a) for a in _as_list(raw.get("answers")))
    unknown_kinds = [a for a in answers if kinds is not None and a not in kinds.names]
    if "answers" not in raw or unknown_kinds:
        known = ", ".join(sorted(kinds.names)) if kinds is not None else ""
        problems.append(
            Problem(
                path,
                raw.key_line("answers"),
                f"条目 {raw['id']} 的 answers 有未知的问题类型：{', '.join(unknown_kinds)}"
                f"（可用：{known}）"
                if unknown_kinds
                else f"条目 {raw['id']} 缺少 answers：写明它回答哪些类型的问题"
                f"（{known}），都不回答写 answers: []",
            )
        )
        return None
    action = str(raw["action"]) if raw.get("action") else None
    if action is not None and action not in ACTIONS:
        problems.append(
            Problem(
                path,
                raw.key_line("action"),
                f"条目 {raw['id']} 的 action 只能是：{', '.join(ACTIONS)}",
            )
        )
        return None
    not_listed = tuple(str(w) for w in _as_list(raw.get("not_listed")))
    missing = [w for w in not_listed if w not in render(template)]
    if missing:
        problems.append(
            Problem(
                path,
                raw.key_line("not_listed"),
                f"条目 {raw['id']} 的 not_listed 里的词答案里没有：{', '.join(missing)}",
            )
        )
        return None
    return Entry(
        id=str(raw["id"]),
        question=str(raw["question"]).strip(),
        alternates=alternates,
        keywords=keywords,
        answer=render(template).strip(),
        sources=sources,
        tags=tuple(str(t) for t in _as_list(raw["tags"])),
        related=tuple(str(r) for r in _as_list(raw.get("related"))),
        answers=answers,
        action=action,
        not_listed=not_listed,
    )


def load_entries(
    data_dir: Path, parameters: PolicyParameters | None, kinds: QuestionKinds | None = None
) -> list[Entry]:
    problems: list[Problem] = []
    entries: list[Entry] = []
    first_seen: dict[str, tuple[Path, int]] = {}
    related_refs: list[tuple[Path, int, str, str]] = []
    unparsed = False
    files = sorted((data_dir / "entries").glob("*.yaml"))
    if not files:
        raise DataError([Problem(data_dir / "entries", 0, "没有任何知识条目文件")])
    for path in files:
        try:
            raw_file = load_yaml(path)
        except DataError as exc:
            problems.extend(exc.problems)
            unparsed = True
            continue
        if not isinstance(raw_file, LineDict) or not isinstance(raw_file.get("entries"), list):
            problems.append(Problem(path, 1, "文件应有顶层键 entries: 条目列表"))
            continue
        for raw in raw_file["entries"]:
            if not isinstance(raw, LineDict):
                problems.append(Problem(path, raw_file.line, "每个条目应为映射"))
                continue
            entry = _parse_entry(raw, path, parameters, problems, kinds)
            if entry is None:
                continue
            if entry.id in first_seen:
                other_path, other_line = first_seen[entry.id]
                problems.append(
                    Problem(
                        path,
                        raw.line,
                        f"条目 id 重复：{entry.id}（首次出现在 {other_path.name}:{other_line}）",
                    )
                )
                continue
            first_seen[entry.id] = (path, raw.line)
            entries.append(entry)
            related_refs.extend((path, raw.key_line("related"), entry.id, r) for r in entry.related)
    # After a file failed to parse, its ids are unknown: checking links would only add noise.
    for path, line, entry_id, target in related_refs:
        if not unparsed and target not in first_seen:
            problems.append(
                Problem(path, line, f"条目 {entry_id} 的 related 指向不存在的条目：{target}")
            )
    if problems:
        raise DataError(problems)
    return entries


@dataclass(frozen=True)
class Vocabulary:
    """synonyms.yaml: synonym groups (first word canonical), stop words, the other
    programmes (低保, 特困 …) with the words that ask how to get them (申请, 报销 …), other
    places, and words to read whole (哪天: not 哪 + 天开 in 哪天开的)."""

    groups: list[list[str]]
    stopwords: list[str]
    other_programmes: list[str]
    programme_asks: list[str]
    other_places: list[str] = field(default_factory=list)
    keep_whole: list[str] = field(default_factory=list)


def load_synonyms(path: Path) -> Vocabulary:
    raw = load_yaml(path)
    problems = []
    groups = raw.get("synonyms") if isinstance(raw, dict) else None
    stopwords = raw.get("stopwords") if isinstance(raw, dict) else None
    if not isinstance(groups, list) or not all(isinstance(g, list) and len(g) >= 2 for g in groups):
        problems.append(Problem(path, 1, "synonyms 应为列表，每组至少两个词（第一个为标准词）"))
    if not isinstance(stopwords, list):
        problems.append(Problem(path, 1, "stopwords 应为词语列表"))
    lists = {}
    for key in ("other_programmes", "programme_asks", "other_places", "keep_whole"):
        value = raw.get(key, []) if isinstance(raw, dict) else []
        if not isinstance(value, list):
            problems.append(Problem(path, raw.key_line(key), f"{key} 应为词语列表"))
            value = []
        lists[key] = [str(w) for w in value]
    if isinstance(groups, list):
        # a word in two groups would read as whichever group comes last, silently
        first_group: dict[str, str] = {}
        for group in groups:
            if not isinstance(group, list) or not group:
                continue
            for word in map(str, group):
                if word in first_group and first_group[word] != str(group[0]):
                    problems.append(
                        Problem(
                            path,
                            1,
                            f"“{word}”出现在两组同义词里（{first_group[word]}、{group[0]}），"
                            "每个说法只能归一组",
                        )
                    )
                first_group.setdefault(word, str(group[0]))
    if problems:
        raise DataError(problems)
    assert isinstance(groups, list) and isinstance(stopwords, list)  # both checked just above
    return Vocabulary(
        [[str(w) for w in g] for g in groups],
        [str(w) for w in stopwords],
        lists["other_programmes"],
        lists["programme_asks"],
        lists["other_places"],
        lists["keep_whole"],
    )


def load_featured(path: Path, known_ids: set[str] | None) -> list[str]:
    """The menu's example entry ids; `known_ids` None: the entries are broken, so the ids
    cannot be checked."""
    raw = load_yaml(path)
    ids = raw.get("featured") if isinstance(raw, dict) else None
    if not isinstance(ids, list) or not ids:
        raise DataError([Problem(path, 1, "featured 应为条目 id 列表")])
    unknown = [str(i) for i in ids if known_ids is not None and str(i) not in known_ids]
    if unknown:
        raise DataError(
            [
                Problem(
                    path,
                    raw.key_line("featured"),
                    f"featured 指向不存在的条目：{', '.join(unknown)}",
                )
            ]
        )
    return [str(i) for i in ids]


def load_knowledge(data_dir: Path = DATA_DIR, cache_dir: Path | None = None) -> KnowledgeBase:
    """Load parameters, synonyms and entries; validate them; build the retriever.

    Every file is checked even after a broken one, so `DataError` lists every problem. With
    `cache_dir`, a knowledge base built from exactly these files before is read from there
    (see `index_cache`) instead of being validated and built again."""
    if cache_dir is None:
        return _build_knowledge(data_dir)
    key = index_cache.content_key(data_dir)
    cached = index_cache.load(cache_dir, key)
    if isinstance(cached, KnowledgeBase):
        return cached
    built = _build_knowledge(data_dir)
    index_cache.store(cache_dir, key, built)
    return built


def _build_knowledge(data_dir: Path) -> KnowledgeBase:
    problems: list[Problem] = []

    def attempt(load: Callable[[], T]) -> T | None:
        try:
            return load()
        except DataError as exc:
            problems.extend(exc.problems)
            return None

    parameters = attempt(lambda: load_parameters(data_dir / "parameters.yaml"))
    kinds = attempt(lambda: QuestionKinds.load(data_dir / KINDS_FILE.name))
    entries = attempt(lambda: load_entries(data_dir, parameters, kinds))
    known = {e.id for e in entries} if entries is not None else None
    featured = attempt(lambda: load_featured(data_dir / "menu.yaml", known))
    synonyms = attempt(lambda: load_synonyms(data_dir / "synonyms.yaml"))
    phrasings = {
        phrasing_key(text): e.id for e in entries or () for text in (e.question, *e.alternates)
    }
    set_aside = attempt(lambda: load_set_aside(data_dir / SET_ASIDE_FILE, phrasings))
    verdict_model = attempt(lambda: _load_model(NgramModel.load, data_dir / VERDICT_MODEL))
    unanswerable_model = attempt(
        lambda: _load_model(NgramModel.load, data_dir / UNANSWERABLE_MODEL)
    )
    entry_model = attempt(lambda: _load_model(EntryModel.load, data_dir / ENTRY_MODEL))
    if (
        problems
        or parameters is None
        or entries is None
        or featured is None
        or synonyms is None
        or kinds is None
        or set_aside is None
    ):
        raise DataError(problems)
    retriever = Retriever(
        Analyzer(
            synonyms.groups,
            synonyms.stopwords,
            other_programmes=synonyms.other_programmes,
            programme_asks=synonyms.programme_asks,
            other_places=synonyms.other_places,
            keep_whole=synonyms.keep_whole,
        )
    )
    retriever.build(
        (e.id, [e.question, *e.alternates], list(e.keywords), e.answer) for e in entries
    )
    return KnowledgeBase(
        entries,
        parameters,
        retriever,
        featured,
        kinds,
        set_aside,
        verdict_model,
        unanswerable_model,
        entry_model,
    )


def _load_model(load: Callable[[Path], T], path: Path) -> T:
    """`load(path)` (a model class's `load`), its file's error as a problem of that file."""
    try:
        return load(path)
    except ModelFileError as exc:
        raise DataError([Problem(path, exc.line, str(exc))]) from None
