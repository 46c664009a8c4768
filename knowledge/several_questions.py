"""Several questions in one message, each to be answered on its own.

People put their questions in one message: numbered ("几个问题：1.谁解读的 2.哪天印发的 3.电话
多少", "Q1 排查多久 Q2 标准多少"), or one after the other, each closed by a question mark
("收入线多少？排查多久？谁来查？"), or two things asked about at once ("“两确保”和“三早”分别
指什么"). `questions_in(text)` returns those questions, in order, or
nothing when the message holds one question (a story around one question, a choice put as two
halves — "是按户查，还是按人查？" — a question followed by "是真的吗?") and is read whole.
`clauses_each_asking(text)` finds questions put in one sentence, parted by commas, each with
its own question word and subject ("排查哪两类对象，新增监测对象的标准是多少").

The knowledge base asks each question on its own and answers those it can
(`KnowledgeBase.ask`); a question it cannot answer is named as such in the reply.
"""

from __future__ import annotations

import re

from knowledge.question_kind import QUESTION_WORD

# "1." "2、" "3）" "Q1" "问2：" "①": a number that opens a question (not 8.26, a date; not 9100).
_NUMBERED = re.compile(
    r"(?:(?<![0-9a-z.．])(?:q|问)\s*[1-9][0-9]?\s*[.、．:：)）]?"
    r"|(?<![0-9.．])[1-9][0-9]?\s*[.、．)）](?![0-9])"
    r"|[①②③④⑤⑥⑦⑧⑨])",
    re.IGNORECASE,
)
# A question closed by its mark (what follows the last mark is no question of its own).
_CLOSED = re.compile(r"[^？?]*[？?]+")
# A later part that only points back or goes on ("是真的吗", "对吗", "为什么", "还是…") leans on
# the question before it: the message is one question.
_LEANS = re.compile(
    r"^(是真的吗|真的吗|是吗|对吗|对不对|是不是|为什么|为啥|咋回事|怎么回事|还是|或者|"
    r"那|那么|然后呢|呢|啊|吧|嘛|哦)"
)
# Two things asked about at once: "“两确保”和“三早”分别指什么", "8.26 和 8.28 各是啥日子".
_PAIRED = re.compile(
    r"^(?P<a>[^，,。；;？?！!]{2,20}?)\s*(?:和|与|跟|以及)\s*(?P<b>[^，,。；;？?！!和与跟]{2,20}?)"
    r"\s*(?:分别|各自|各)(?P<rest>[^，,。；;？?！!]{1,12})[？?]?$"
)
# A part shorter than this (without punctuation) is no question of its own ("啥？").
_MIN_CHARS = 3
# Clauses of one sentence, each asking with a question word of its own.
_CLAUSE_BREAK = re.compile(r"[，,；;]")
_SENTENCE_BREAK = re.compile(r"[。！!？?]")
_MIN_CLAUSE_CHARS = 5
_ANOTHER = re.compile(
    r"^(另外|此外|还有就是|顺便问一下|顺便问下|顺便|顺带|再问一下|再问下|再问|还想问|再就是)"
)
# "先说说……，再告诉我……": a request after a first one, in order, is a question of its own.
_THEN = re.compile(r"^(再|然后|接着|最后)")
_THEN_TELL = re.compile(
    _THEN.pattern + r"(帮我|给我)?(告诉我|告诉一下|说说|说一下|讲讲|讲一下|介绍一下|查查|查一下)"
)
_POINTS_BACK = re.compile(r"各自|各|分别|具体|其中|其|它|它们|这个|那个|这些|那些|这|该")
MAX_QUESTIONS = 5


def questions_in(text: str) -> list[str]:
    """The separate questions of `text`, in order; [] when it is one question."""
    numbered = _numbered(text)
    if len(numbered) >= 2:
        return numbered[:MAX_QUESTIONS]
    paired = _PAIRED.match(text.strip())
    if paired is not None:
        rest = paired["rest"]
        return [f"{paired['a'].strip()}{rest}", f"{paired['b'].strip()}{rest}"]
    closed = [part.strip(" ，,。；;") for part in _CLOSED.findall(text)]
    # "……分别是啥？顺便把联系电话给我": after the last mark, one more that says so
    tail = text[sum(len(m) for m in _CLOSED.findall(text)) :].strip(" ，,。；;！!")
    if closed and says_it_is_another(tail):
        closed.append(tail)
    closed = [part for part in closed if len(_bare(part)) >= _MIN_CHARS]
    if len(closed) < 2 or any(_LEANS.match(_bare(part)) for part in closed[1:]):
        return []
    return closed[:MAX_QUESTIONS]


def says_it_is_another(part: str) -> bool:
    """Whether a later question says it is another one ("另外有问题该打哪个电话", "顺便把联系电话
    给我"): it does not lean on the one before it."""
    return bool(_ANOTHER.match(part.lstrip(" ，,。；;")))


def without_another(part: str) -> str:
    """The question without the word saying it is another one (另外 asks for another phone
    number only inside a question: "有没有另外的号码")."""
    return _ANOTHER.sub("", part.lstrip(" ，,。；;"), count=1).lstrip(" ，,")


def clauses_each_asking(text: str) -> list[str]:
    """The clauses of a one-sentence message that each ask, with a question word and words of
    their own ("排查哪两类对象，新增监测对象的标准是多少"); [] when one asks nothing ("我想问一
    下，排查多久") or only leans on the one before ("排查要搞多久，为啥"). Such clauses
    are answered each on its own, none read with the one before it."""
    sentence = text.strip(" ？?。！!")
    if _SENTENCE_BREAK.search(sentence):
        return []
    clauses = [c.strip() for c in _CLAUSE_BREAK.split(sentence) if c.strip()]
    if len(clauses) < 2 or not all(
        len(_bare(c)) >= _MIN_CLAUSE_CHARS
        and (QUESTION_WORD.search(c) or (i > 0 and _THEN_TELL.match(c)))
        for i, c in enumerate(clauses)
    ):
        return []
    if any(_LEANS.match(c) or _POINTS_BACK.match(c) for c in clauses[1:]):
        return []  # "“三保障”是哪三项，各自的标准是什么": asked of what the first names
    return [_THEN.sub("", c, count=1) if i > 0 else c for i, c in enumerate(clauses)]


def _numbered(text: str) -> list[str]:
    marks = list(_NUMBERED.finditer(text))
    if len(marks) < 2:
        return []
    parts = []
    for mark, following in zip(marks, [*marks[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        part = text[mark.end() : end].strip(" ，,。；;")
        if len(_bare(part)) >= _MIN_CHARS:
            parts.append(part)
    return parts if len(parts) >= 2 else []


def _bare(part: str) -> str:
    return re.sub(r"[\s？?！!，,。；;:：、]", "", part)
