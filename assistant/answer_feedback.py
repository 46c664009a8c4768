"""What residents make of the answers: 👍 / 👎 under each one, "不对" after one, a rephrasing.

- Every policy answer a resident is shown (a question typed, or a question button tapped) is
  noted (`storage.learning.AnswerLog.give`, the question redacted) and carries two buttons,
  👍 有用 and 👎 没用 (`fb:<answer id>:1|0`). A tap records the vote — one per answer, a second
  tap changes it — and is acknowledged with a short notice on the button (`Reply.toast`); 👎
  lists the question as a doubtful answer for staff, taken back if the vote becomes 👍.
- A message that is nothing but a complaint ("不对", "没用", "不是这个", "答非所问": the
  phrases in `data/complaints.yaml`) right after an answer lists that answer as doubtful and
  is answered with an apology, the questions nearest to the one asked, and the phone; with no
  answer before it, with a short apology. It is never taken for a question.
- A question asked right after an answer that says much the same in other words (their words
  overlap, synonyms counted as one) and gets another answer, or none, lists the first answer
  as doubtful: the resident was not satisfied with it.

The doubtful answers are listed for staff beside the unanswered questions (`/unanswered`, the
web console), where one tap teaches the question to the right entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from string import Formatter

from rapidfuzz import fuzz

from assistant import texts
from assistant.policy_qa import Kind, Outcome, PolicyQA
from assistant.small_talk import PLACEHOLDERS, SmallTalk
from common.messages import Button, Incoming, Reply
from common.yamlfile import DataError, LineDict, Problem, load_yaml
from knowledge import Entry, KnowledgeBase
from knowledge.learned import phrasing_key
from storage.database import Database
from storage.learning import AnswerLog, Given
from storage.learning_models import COMPLAINED, REPHRASED, THUMBS_DOWN
from storage.models import utcnow

COMPLAINTS_FILE = Path(__file__).resolve().parent / "data" / "complaints.yaml"
COMPLAINT = "complaint"  # the one kind of complaints.yaml
UP, DOWN = "1", "0"  # in the buttons' data


@dataclass(frozen=True)
class Complaints:
    """data/complaints.yaml: the phrases, the two replies and the time windows."""

    talk: SmallTalk
    phrases: tuple[str, ...]
    reply: str
    reply_alone: str
    within: timedelta
    rephrase_within: timedelta
    words: float  # share of words in common for a rephrasing (synonyms count as one)
    characters: float  # or likeness of the characters (rapidfuzz ratio / 100)

    @classmethod
    def load(cls, path: Path = COMPLAINTS_FILE) -> Complaints:
        talk = SmallTalk.load(path)
        raw = load_yaml(path)
        assert isinstance(raw, LineDict)  # SmallTalk.load checked its shape
        problems: list[Problem] = []
        if set(talk.kinds) != {COMPLAINT}:
            problems.append(Problem(path, raw.key_line("kinds"), f"kinds 只应有 {COMPLAINT}"))
        alone = raw.get("reply_alone")
        if not isinstance(alone, str) or not alone.strip():
            problems.append(Problem(path, raw.key_line("reply_alone"), "缺少 reply_alone"))
            alone = ""
        elif _fields(alone) - PLACEHOLDERS:
            unknown = ", ".join(sorted(_fields(alone) - PLACEHOLDERS))
            line = raw.key_line("reply_alone")
            problems.append(Problem(path, line, f"reply_alone 用了未知的占位符：{unknown}"))
        rephrase = raw.get("rephrase")
        within = _number(raw, "within_minutes", path, problems, 0, 120)
        if not isinstance(rephrase, LineDict):
            line = raw.key_line("rephrase")
            problems.append(Problem(path, line, "rephrase 需要 within_minutes、words、characters"))
            rephrase = LineDict()
            rephrase.key_lines = {}
        rephrase_within = _number(rephrase, "within_minutes", path, problems, 0, 120)
        words = _number(rephrase, "words", path, problems, 0, 1)
        characters = _number(rephrase, "characters", path, problems, 0, 1)
        kind = talk.kinds.get(COMPLAINT)
        listed = raw["kinds"].get(COMPLAINT, {}).get("phrases", [])
        # A complaint is recognised before small talk: a phrase in both would never get its
        # small-talk reply.
        small_talk = SmallTalk.load()
        for phrase in listed:
            also = small_talk.kind_of(str(phrase))
            if also is not None:
                problems.append(
                    Problem(
                        path,
                        raw["kinds"].key_line(COMPLAINT),
                        f"“{phrase}”也是寒暄（small_talk.yaml 的 {also}），只能写在一处",
                    )
                )
        if problems:
            raise DataError(problems)
        return cls(
            talk,
            tuple(str(p) for p in listed),
            kind.reply if kind is not None else "",
            alone.strip(),
            timedelta(minutes=within),
            timedelta(minutes=rephrase_within),
            words,
            characters,
        )

    def matches(self, text: str) -> bool:
        return self.talk.kind_of(text) == COMPLAINT


def _fields(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in Formatter().parse(template) if name}
    except ValueError:
        return {"?"}


def _number(
    raw: LineDict, key: str, path: Path, problems: list[Problem], low: float, high: float
) -> float:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        problems.append(Problem(path, raw.key_line(key), f"{key} 应为 {low} 到 {high} 之间的数"))
        return 0.0
    return float(value)


class AnswerFeedback:
    def __init__(
        self, kb: KnowledgeBase, db: Database, qa: PolicyQA, complaints: Complaints | None = None
    ):
        self.kb = kb
        self.qa = qa
        self.log = AnswerLog(db)
        self.complaints = complaints or Complaints.load()

    # --- answers shown ------------------------------------------------------------------

    def rated(
        self,
        user_id: int,
        entry: Entry,
        reply: Reply,
        question: str | None = None,
        nearest: tuple[str, ...] = (),
    ) -> Reply:
        """The answer `reply` (of `entry`) noted as shown to the user, with 👍 / 👎 under it."""
        answer_id = self.log.give(user_id, entry.id, question, nearest)
        votes = [
            Button(texts.FEEDBACK_UP, f"fb:{answer_id}:{UP}"),
            Button(texts.FEEDBACK_DOWN, f"fb:{answer_id}:{DOWN}"),
        ]
        return replace(reply, buttons=[*reply.buttons, votes])

    def after_question(self, incoming: Incoming, outcome: Outcome) -> list[Reply]:
        """The replies to a question the knowledge base answered or abstained on: a doubtful
        earlier answer noted if this one rephrases it; an answer rated."""
        previous = self.log.latest(incoming.user_id, utcnow() - self.complaints.rephrase_within)
        answer = outcome.answer
        entry = answer.entry if answer is not None else None
        if previous is not None and self._rephrases(previous, incoming.text, entry):
            self.log.doubt(previous, REPHRASED)
        if outcome.kind is not Kind.ANSWER or entry is None or answer is None:
            return outcome.replies
        # each answer rated on its own; of a message of several questions, as the question it
        # answers (what staff would teach it as)
        entries = answer.entries
        asked = answer.parts or (incoming.text,)
        shown = outcome.replies[: len(entries)]
        rated = [
            self.rated(
                incoming.user_id,
                one,
                reply,
                question,
                answer.runners_up if one is entry else (),
            )
            for one, reply, question in zip(entries, shown, asked, strict=True)
        ]
        return [*rated, *outcome.replies[len(entries) :]]

    def _rephrases(self, previous: Given, text: str, entry: Entry | None) -> bool:
        """`text` says what the previous question said, in other words — many words in common
        (synonyms counted as one) or much the same characters — and is answered otherwise
        (another entry, or none)."""
        if not previous.question or (entry is not None and entry.id == previous.entry_id):
            return False
        first, again = phrasing_key(previous.question), phrasing_key(text)
        if not first or not again or first == again:
            return False
        if fuzz.ratio(first, again) / 100 >= self.complaints.characters:
            return True
        analyzer = self.kb.retriever.analyzer
        before = {t.text for t in analyzer.terms(previous.question)}
        now = {t.text for t in analyzer.terms(text)}
        shared = len(before & now) / len(before | now) if before and now else 0.0
        return shared >= self.complaints.words

    # --- "不对" ------------------------------------------------------------------------

    def on_complaint(self, incoming: Incoming) -> list[Reply] | None:
        """The reply to a message that only complains about the answer; None for any other."""
        if not self.complaints.matches(incoming.text):
            return None
        previous = self.log.latest(incoming.user_id, utcnow() - self.complaints.within)
        fill = self.qa.placeholders()
        if previous is None or not previous.question:  # nothing typed to list (a tap)
            return [self.qa.suggesting(self.complaints.reply_alone.format(**fill), [])]
        self.log.doubt(previous, COMPLAINED)
        nearest = [
            (entry.id, entry.question)
            for entry in (self.kb.get(e) for e in previous.nearest[:3])
            if entry is not None
        ]
        return [self.qa.suggesting(self.complaints.reply.format(**fill), nearest)]

    # --- 👍 / 👎 ------------------------------------------------------------------------

    def on_vote_button(self, incoming: Incoming) -> list[Reply]:
        """`fb:<answer id>:1|0`: the vote recorded, acknowledged on the button."""
        _, answer_id, vote = [*(incoming.callback or "").split(":"), "", ""][:3]
        answer = (
            self.log.get(int(answer_id))
            if answer_id.isascii() and answer_id.isdigit() and len(answer_id) <= 12
            else None
        )
        if answer is None or answer.user_id != incoming.user_id or vote not in (UP, DOWN):
            return [Reply(texts.FEEDBACK_EXPIRED, toast=True)]
        before = self.log.vote(answer, 1 if vote == UP else -1)
        if vote == DOWN:
            self.log.doubt(answer, THUMBS_DOWN)
            thanks = texts.FEEDBACK_DOWN_THANKS
        else:
            if before == -1:
                self.log.undoubt_vote(answer.id)
            thanks = texts.FEEDBACK_UP_THANKS
        if before is not None and before != (1 if vote == UP else -1):
            thanks = texts.FEEDBACK_CHANGED.format(thanks=thanks)
        return [Reply(thanks, toast=True)]
