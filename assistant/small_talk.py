"""Small talk and asking for a person: short, kind replies instead of a policy answer.

"你好", "在吗", "谢谢", "好的", "再见", "👍" are not questions: answering them with "这个问题我
没有把握回答" (and logging them as unanswered) would be rude and would fill the staff's list.
"转人工", "有人吗", "我要打电话" ask for a person: they get the contact office and phone at once.

`SmallTalk.load()` reads `data/small_talk.yaml`; `SmallTalk.kind_of(text)` names the kind of a
message that is nothing but one of its phrases, give or take a form of address or a particle
("你好呀", "谢谢你啊"); a message that also asks something ("你好，监测线是多少") is not small
talk and goes to the knowledge base as usual.

    >>> talk = SmallTalk.load()
    >>> talk.kind_of("你好呀！"), talk.kind_of("谢谢老师"), talk.kind_of("👍")
    ('greeting', 'thanks', 'ok')
    >>> talk.kind_of("转人工"), talk.kind_of("有人吗")
    ('handoff', 'handoff')
    >>> talk.kind_of("你好，监测线是多少") is None, talk.kind_of("好的收入标准是多少") is None
    (True, True)
    >>> talk.kind_of("好的，谢谢！"), talk.kind_of("你好，有人吗")
    ('thanks', 'handoff')
    >>> talk.kind_of("Ni hao!"), talk.kind_of("xie xie"), talk.kind_of("thank you")
    ('greeting', 'thanks', 'thanks')
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path

from common.text import normalize
from common.yamlfile import DataError, LineDict, Problem, load_yaml

SMALL_TALK_FILE = Path(__file__).resolve().parent / "data" / "small_talk.yaml"
# What a reply may say: the assistant's introduction, the contact office and phone, its name.
PLACEHOLDERS = frozenset({"intro", "office", "phone", "bot_name"})


@dataclass(frozen=True)
class TalkKind:
    name: str
    reply: str
    menu: bool = False
    contact: bool = False


class SmallTalk:
    def __init__(
        self, phrases: dict[str, str], kinds: dict[str, TalkKind], extras: tuple[str, ...]
    ):
        self._phrases = phrases  # folded phrase → kind name
        self.kinds = kinds
        # longest first, so "哈哈" goes before "哈"
        self._extras = tuple(sorted(extras, key=len, reverse=True))

    @classmethod
    def load(cls, path: Path = SMALL_TALK_FILE) -> SmallTalk:
        raw = load_yaml(path)
        table = raw.get("kinds") if isinstance(raw, LineDict) else None
        extras = raw.get("extras") if isinstance(raw, LineDict) else None
        problems: list[Problem] = []
        if not isinstance(table, LineDict) or not table:
            raise DataError([Problem(path, 1, "应有顶层键 kinds：类别 → phrases、reply")])
        if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
            problems.append(Problem(path, 1, "extras 应为词语列表"))
            extras = []
        phrases: dict[str, str] = {}
        kinds: dict[str, TalkKind] = {}
        for name, spec in table.items():
            line = table.key_line(name)
            words = spec.get("phrases") if isinstance(spec, LineDict) else None
            reply = spec.get("reply") if isinstance(spec, LineDict) else None
            if not isinstance(words, list) or not words or not isinstance(reply, str):
                problems.append(Problem(path, line, f"{name} 需要 phrases（列表）和 reply"))
                continue
            unknown = _placeholders(reply) - PLACEHOLDERS
            if unknown:
                problems.append(
                    Problem(path, line, f"{name} 的 reply 用了未知的占位符：{', '.join(unknown)}")
                )
            for word in words:
                folded = _fold(str(word))
                if folded in phrases and phrases[folded] != name:
                    problems.append(
                        Problem(path, line, f"“{word}”同时写在 {phrases[folded]} 和 {name} 里")
                    )
                phrases[folded] = str(name)
            kinds[str(name)] = TalkKind(
                str(name), reply.strip(), bool(spec.get("menu")), bool(spec.get("contact"))
            )
        if problems:
            raise DataError(problems)
        return cls(phrases, kinds, tuple(_fold(e) for e in extras))

    def kind_of(self, text: str) -> str | None:
        """The kind of small talk `text` is, or None when it is (also) something else. A
        message of several small-talk pieces ("好的，谢谢") is the kind of its last one, except
        that asking for a person (a kind with `contact: true`) always wins."""
        pieces = normalize(text).split()
        if len(pieces) > 1:
            # one phrase typed in separate words ("thank you", "ni hao") before several phrases
            whole = self._kind_of_piece(text)
            if whole is not None:
                return whole
            kinds = [self._kind_of_piece(piece) for piece in pieces]
            if None in kinds:
                return None
            wants_person = [k for k in kinds if k is not None and self.kinds[k].contact]
            return wants_person[0] if wants_person else kinds[-1]
        return self._kind_of_piece(text)

    def _kind_of_piece(self, text: str) -> str | None:
        folded = _fold(text)
        if not folded:
            return None
        for _ in range(3):  # "谢谢你啊": at most a few extras around the phrase
            if folded in self._phrases:
                return self._phrases[folded]
            repeated = _repeated(folded)  # "好的好的", "多谢多谢"
            if repeated in self._phrases:
                return self._phrases[repeated]
            trimmed = self._trim(folded)
            if trimmed == folded or not trimmed:
                return None
            folded = trimmed
        return self._phrases.get(folded)

    def _trim(self, text: str) -> str:
        for extra in self._extras:
            if text.endswith(extra) and len(text) > len(extra):
                return text[: -len(extra)]
        for extra in self._extras:
            if text.startswith(extra) and len(text) > len(extra):
                return text[len(extra) :]
        return text


def _repeated(text: str) -> str:
    """The piece `text` repeats ("好的" of "好的好的"), or `text` itself."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text == text[:size] * (len(text) // size):
            return text[:size]
    return text


def _placeholders(template: str) -> set[str]:
    try:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return {"?"}


def _fold(text: str) -> str:
    """Simplified, lower case, without spaces and punctuation; a message of emoji alone
    ("👍", "🙏🙏") is kept as its first emoji, which normalising would drop."""
    folded = normalize(text).replace(" ", "")
    if folded:
        return folded
    symbols = [c for c in text if not c.isspace() and c not in "\ufe0f\u200d"]
    return symbols[0] if symbols and all(c == symbols[0] for c in symbols) else ""
