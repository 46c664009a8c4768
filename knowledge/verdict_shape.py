"""A verdict asked for by the shape of the question, not by a pattern written for its words.

The `verdict` patterns of `data/question_kinds.yaml` each know one way of asking "can my
household be included?"; every new group of people finds another ("我屋能评上嘛", "这户要不要报给
村里", "算整户无劳动能力的不"). This reader recognises the shape they share instead:

1. the message is about a household or a person (the `subject` words: 我家, 他们家, 老汉, 收入,
   住院 …), and
2. one of the clauses it asks in is a yes-or-no question — a marker (能, 可以, 够, 算, an
   A-not-A form such as 评不评) or a closing particle (吗, 不, 么, 伐 …), and no question word
   (什么, 哪, 多少 …) — and
3. what that clause asks about, from its marker on, is only being included: every word is an
   inclusion word (纳入, 监测户, 评上, 报, 认定, 条件, 兜底户 …), a word that goes along with one
   (再, 也, 村里, 进去 …) or part of the frame (能, 被, 吗, 我家 …), and at least one is an
   inclusion word. A clause that asks for anything else ("要不要带户口本", "会不会来家里看",
   "能报销多少") is not a verdict.

Who is asked about may come after the question ("能进监测名单吗我爷爷", "中不中啊俺家"): such a
clause is also read with that tail put first.

A short question that names no household ("够格不", "因灾能纳入吗", "有机会进监测名单没") asks
the same when its inclusion word is one of the `bare` words (纳入, 监测户, 评上, 够格, 有戏,
符合条件 …): alone they can only mean being included, where the other inclusion words (帮扶, 报,
监测范围) as often ask about the policy ("摘帽以后还有帮扶吗", "路费能报不").

A clause that asks only whether it will do ("要得不嘛", "可以伐", "得行不哦", "够不够": the
`content_free` pattern, the whole clause) asks it of the household the message names, before
or after its story ("要得不嘛，我屋头老汉得了癌症，娃娃还在读大学").

Weak inclusion words (管, 行, 中, 够, 算, 享受) count only when a household is named (我家, 这户,
他们家) and the question is not about what the screening covers ("这回排查管不管" asks about the
screening; "屋里就我和老娘，我们屋管不管" about a household). A message the `verdict` kind's
`unless` patterns rule out (what to bring, whom to call, how income is counted) is not read
by its shape at all (`knowledge.question_kind.Asked.not_verdict`).

    >>> from knowledge.base import load_knowledge
    >>> kb = load_knowledge()
    >>> verdict = lambda question: getattr(kb.ask(question).entry, "action", None) == "report"
    >>> verdict("老汉去年脑梗了，屋里就靠我种地，这户评得上吗")
    True
    >>> verdict("老汉去年脑梗了，屋里就靠我种地，村干部会来家里看吗")
    False
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from common.text import normalize

Words = Callable[[str], list[str]]
# A yes-or-no question with a few words after its closing particle: maybe who it is about.
_AFTERTHOUGHT = re.compile(r"^(.+?(?:吗|不|么|没|呢|嘛|伐))(.{1,6})$")
_MY = re.compile(r"^(我|俺|咱|额|他|她)(们)?(的)?")


@dataclass(frozen=True)
class VerdictShape:
    lead_in: re.Pattern[str]  # "我想问一下…": not a subject of its own
    subject: re.Pattern[str]  # the message is about a household or a person
    specific: re.Pattern[str]  # a household named (我家, 这户, 我们这样的)
    screening: re.Pattern[str]  # a clause about the screening itself (排查, 方案)
    marker: re.Pattern[str]  # where a yes-or-no question's predicate starts
    question_word: re.Pattern[str]  # in the predicate: not a yes-or-no question
    strong_question_word: re.Pattern[str]  # anywhere in the clause: not one either
    closing_particle: re.Pattern[str]  # a yes-or-no question without a marker
    asks_yes_no: re.Pattern[str]  # a clause that asks whether (能不能, 是否 …) wherever it ends
    content_free: re.Pattern[str]  # a whole clause asking only whether it will do (可以伐)
    wanted: frozenset[str]  # inclusion words: one must be asked about
    bare: frozenset[str]  # of them, those that ask a verdict with no household named
    weak: frozenset[str]  # inclusion words only when a household is named
    alongside: frozenset[str]  # words that go along with them
    frame: frozenset[str]  # the question's frame

    def asks(self, told: Sequence[tuple[str, bool]], part: str, words: Words) -> bool:
        """Whether a message of the clauses `told` (each with whether a question mark closes
        it: `Asked.told`), asking in `part` (its asking clauses), asks for a verdict on a
        household by its shape; `words` segments a clause as the retriever does."""
        whole = "".join(clause for clause, _ in told)
        # "因灾能纳入吗", "够格不": no household named, yet only being included is asked
        needed = self.wanted if self.subject.search(self.lead_in.sub("", whole)) else self.bare
        # weak words count for a household named, in a message not also asking about the
        # screening ("这次排查是不是都要查？我们这种人不在村里的也算吗")
        about_screening = any(
            self.screening.search(c) and not self.specific.search(c) for c, _ in told
        )
        named = needed is self.wanted and bool(self.specific.search(whole)) and not about_screening
        # the message's own clauses that ask (the asked part comes without its punctuation)
        asking = "".join(normalize(part).split())
        clauses = [c for c in told if c[0] in asking] or [(asking, False)]
        clauses += [(turned, m) for c, m in clauses if (turned := self._subject_first(c)) != c]
        if any(self.strong_question_word.search(c) for c, _ in clauses):
            return False  # "…要是纳入了，一年能有多少钱": what is asked is the amount
        if named and any(self.content_free.fullmatch(c) for c, _ in told):
            return True
        return any(
            self._asks_inclusion(clause, needed, named, words)
            for clause, marked in clauses
            if marked or self.closing_particle.search(clause) or self.asks_yes_no.search(clause)
        )

    def _subject_first(self, clause: str) -> str:
        """Who is asked about, said after the question, put before it ("能进监测名单吗我爷爷")."""
        said = _AFTERTHOUGHT.match(clause)
        if said is None:
            return clause
        who = said.group(2)
        if not (self.subject.fullmatch(who) or self.subject.fullmatch(_MY.sub("", who))):
            return clause
        return who + said.group(1)

    def _asks_inclusion(
        self, clause: str, needed: frozenset[str], named: bool, words: Words
    ) -> bool:
        if self.screening.search(clause) and not self.specific.search(clause):
            return False
        # from the last marker back ("…九千出头，够得上吗": from 够, not 得)
        for marker in reversed(list(self.marker.finditer(clause))):
            predicate = clause[marker.start() :]
            if self.question_word.search(predicate):
                break
            said = words(predicate)
            if not said and marker.re.groups and marker.group(1):  # 管不管: the verb itself
                said = [marker.group(1)]
            if self._only_inclusion(said, needed, named):
                return True
        if self.closing_particle.search(clause):
            # "…在监测范围内吗": from the first inclusion word on
            said = words(clause)
            first = next((i for i, w in enumerate(said) if w in needed), None)
            if first is not None and self._only_inclusion(said[first:], needed, named):
                return True
        return False

    @cached_property
    def _known(self) -> frozenset[str]:
        return self.wanted | self.weak | self.alongside | self.frame

    def _only_inclusion(self, said: Sequence[str], needed: frozenset[str], named: bool) -> bool:
        if any(word not in self._known for word in said):
            return False
        return any(word in needed or (named and word in self.weak) for word in said)
