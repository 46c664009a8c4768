"""Parsers for what people really type at each kind of step.

Each parser takes the raw text and returns the cleaned value, or raises `Invalid` with a
specific reason (wording from `dialogs.texts`; the engine adds the step's example). They are pure
functions; `dialogs.kinds` says which one answers which kind of step. The words they accept
(是的, 没有, 块钱 …) stay here beside the code that reads them.

    >>> parse_money("三万二")
    32000
    >>> parse_money("3.2万"), parse_money("1.5w"), parse_money("32,000元")
    (32000, 15000, 32000)
    >>> parse_money("八万多"), parse_money("两三万"), parse_money("不知道")
    (Estimate(amount=80000), Estimate(amount=25000), None)
    >>> parse_integer("四口人")
    4
    >>> parse_phone("0563-1234567")
    '0563-1234567'
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from common.text import clean_text, normalize
from dialogs import texts


class Invalid(ValueError):
    """The input is not a valid answer; the message says why. `suggestion` is the closest
    real answer (您是说 孙埠镇 吗？); `keep` what was typed, offered to keep as it is."""

    def __init__(self, message: str, suggestion: str | None = None, keep: str | None = None):
        super().__init__(message)
        self.suggestion = suggestion
        self.keep = keep


@dataclass(frozen=True)
class Estimate:
    """An amount said roughly (八万多, 两三万, 大概三万): kept as a number, marked approximate."""

    amount: int


# Said instead of a number or a choice: the answer is unknown (stored as None, or 不清楚).
UNKNOWN_WORDS = frozenset(
    {"不知道", "不晓得", "不知", "说不清", "说不清楚", "说不准", "说不好", "不好说", "记不得",
     "记不清", "记不清楚", "不记得", "不清楚", "不太清楚", "搞不清", "搞不清楚", "没算过",
     "算不清", "不确定", "不太确定"}
)  # fmt: skip
# Said for the none-choice of a multi-choice step (暂无明显困难, 以上都没有).
NONE_WORDS = frozenset({"没有", "都没有", "没", "无", "都不是", "没有困难", "都没", "一个都没有"})
_PARTICLES = "了啊呀哦吧的。.!！~～"

_MONEY_NOISE = re.compile(
    r"(人民币|rmb|块钱|块|元整|元|钱|一共|总共|共|全年|一年|每年|年收入|收入)"
)
# Words that make an amount an estimate; 不到/将近 too, since triage needs a number anyway.
_APPROXIMATE = re.compile(r"(大概|大约|约莫|约|差不多|将近|接近|不到|左右|上下|估计|可能|应该)")
_NUMERAL = "0-9零〇一二两三四五六七八九十百千万亿几"
_CHINESE_NUMBER = re.compile(r"^[0-9.点零〇一二两三四五六七八九十百千万亿]+$")
_ADJACENT = re.compile(r"([一二两三四五六七八九])([二三四五六七八九])(?=[十百千万]|$)")
_RANGE = re.compile(r"^([^到至~～—-]+)(?:到|至|~|～|—|-)([^到至~～—-]+)$")
_ZERO_WORDS = {"没有", "无", "没", "零", "0", "没收入", "没有收入", "没有支出", "没有花", "没花"}


def is_unknown(raw: str) -> bool:
    """不知道, 说不清, 记不得了 …: the person does not know the answer."""
    text = clean_text(raw).replace(" ", "").rstrip(_PARTICLES)
    return text.removeprefix("我").removeprefix("也") in UNKNOWN_WORDS


MAX_DIGITS = 12


def _number(text: str) -> float:
    """Arabic or Chinese numerals (三万二, 3万2千, 1.5万) as a number."""
    if not _CHINESE_NUMBER.match(text):
        raise Invalid(texts.NOT_A_NUMBER)
    if len(text) > MAX_DIGITS + 4:
        raise Invalid(texts.NUMBER_TOO_LONG)
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return float(text)
    import cn2an  # imported on first use: loading it takes time and memory an export never needs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = cn2an.cn2an(text, "smart")
        except (ValueError, KeyError, IndexError) as exc:
            raise Invalid(texts.NOT_A_NUMBER) from exc
    return float(value)


def parse_money(raw: str) -> int | Estimate | None:
    """An amount in yuan: 32000, 3.2万, 三万二, 3万2千元, 1.5w, 32,000元, 没有 (0); said
    roughly (八万多, 几百块, 两三万, 3到5万, 看病花了五万多) an `Estimate`; 不知道 None."""
    text = clean_text(raw).lower().replace(" ", "")
    if is_unknown(text):
        return None
    if text in _ZERO_WORDS:
        return 0
    if text.startswith("-") or text.startswith("负"):
        raise Invalid(texts.NEGATIVE_AMOUNT)
    if re.search(r"[,，][0-9]{1,2}(?![0-9])", text):  # "3,2" is no thousands separator
        raise Invalid(texts.MISPLACED_COMMA)
    if "月" in text:  # 每月两千: the steps ask for a year
        raise Invalid(texts.PER_YEAR)
    text = text.replace(",", "").replace("，", "").replace("w", "万").replace("k", "千")
    approximate = bool(_APPROXIMATE.search(text))
    text = _MONEY_NOISE.sub("", _APPROXIMATE.sub("", text))
    if not text:
        raise Invalid(texts.NO_AMOUNT)
    if not re.search(f"[{_NUMERAL}]", text):
        raise Invalid(texts.NOT_A_NUMBER)
    # The words around the amount (自己掏了…, 看病花了…) say nothing about it.
    text = re.sub(f"^[^{_NUMERAL}]+", "", text)
    text = re.sub(f"[^{_NUMERAL}多余来]+$", "", text)
    value, rough = _amount_range(text)
    if approximate or rough:
        return Estimate(round(value))
    return round(value)


def _amount_range(text: str) -> tuple[float, bool]:
    """The amount, or the middle of a range (两三万, 3到5万); and whether it is rough."""
    pair = _ADJACENT.search(text)
    if pair is not None:  # 两三万 is 2万 to 3万
        low = text[: pair.start()] + pair.group(1) + text[pair.end() :]
        high = text[: pair.start()] + pair.group(2) + text[pair.end() :]
        return (_rough_number(low)[0] + _rough_number(high)[0]) / 2, True
    bounds = _RANGE.match(text)
    if bounds is not None:
        low, high = bounds.groups()
        unit = re.search(r"[十百千万]$", high)
        if unit and not re.search(r"[十百千万]$", low):  # 3到5万: the unit is said once
            low += unit.group(0)
        return (_rough_number(low)[0] + _rough_number(high)[0]) / 2, True
    return _rough_number(text)


def _rough_number(text: str) -> tuple[float, bool]:
    """八万多 (80000, rough), 几百 (500, rough: 几 is taken as five), 32000 (exact)."""
    rough = "几" in text
    text = text.replace("几", "五")
    trimmed = re.sub("(?<=[0-9十百千万])[多余来]$", "", text)
    if not trimmed:
        raise Invalid(texts.NO_AMOUNT)
    return _number(trimmed), rough or trimmed != text


_COUNT_SUFFIX = re.compile(r"(口人|个人|口|人|位|名|个)$")


def parse_integer(raw: str) -> int:
    """A whole number: 4, 四, 四口人, 4个人."""
    text = clean_text(raw).replace(" ", "")
    text = re.sub(r"^(一共|共|总共|家里|家中|我们家|我家|全家|一家|有)+", "", text)
    text = _COUNT_SUFFIX.sub("", text)
    if not text:
        raise Invalid(texts.NO_NUMBER)
    value = _number(text)
    if value != int(value):
        raise Invalid(texts.WHOLE_NUMBER)
    return int(value)


def parse_phone(raw: str) -> str:
    """A Chinese mobile (13812345678) or landline with area code (0563-2701280), formatted."""
    import phonenumbers

    text = clean_text(raw)
    digits = re.sub(r"[^\d+]", "", text)
    if len(digits) < 7:
        raise Invalid(texts.PHONE_TOO_SHORT)
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise Invalid(texts.PHONE_UNREADABLE) from exc
    if number.country_code != 86:
        raise Invalid(texts.PHONE_NOT_DOMESTIC)
    if number.extension:
        raise Invalid(texts.PHONE_EXTENSION)
    personal = {
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    }
    if not phonenumbers.is_valid_number(number) or phonenumbers.number_type(number) not in personal:
        raise Invalid(texts.PHONE_INVALID)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    kind = phonenumbers.number_type(number)
    if kind == phonenumbers.PhoneNumberType.MOBILE:
        return national.replace(" ", "")
    area, _, rest = national.partition(" ")
    return f"{area}-{rest.replace(' ', '')}" if rest else national


# 是 and 否 as such; 有 and 没有 answer "有没有…" questions, not "都…吗？" ones.
_AFFIRM = {"是", "是的", "对", "对的", "嗯", "嗯嗯", "好", "好的", "确认", "可以", "yes", "y", "ok"}
_DENY = {"否", "不是", "不对", "不", "no", "n"}
_YES = _AFFIRM | {"有", "有的", "同意", "1"}
_NO = _DENY | {"没有", "无", "没", "不同意", "0", "没得", "冇"}


def parse_yes_no(raw: str) -> bool:
    """是 or 否, as people say it: 是的, 有, 对, 嗯, 好; 不是, 没有, 不, 没得."""
    text = clean_text(raw).lower().rstrip("。.!！")
    for prefix in ("✅", "❌"):
        text = text.removeprefix(prefix).strip()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise Invalid(texts.ANSWER_YES_OR_NO)


def parse_worded_yes_no(
    raw: str, labels: Sequence[tuple[bool | None, str]], yes_means: bool | None
) -> bool | None:
    """A yes/no question answered in words (都参加了 / 有人没参加): the value of the label
    typed or tapped; a plain 是/对 means `yes_means` (否/不是 the other), where declared."""
    by_label = {label: value for value, label in labels}
    try:
        return by_label[match_choice(raw, list(by_label))]
    except Invalid:
        pass
    text = clean_text(raw).lower().rstrip("。.!！")
    if yes_means is not None and text in _AFFIRM:
        return yes_means
    if yes_means is not None and text in _DENY:
        return not yes_means
    raise Invalid(texts.PICK_ONE_OF.format(choices="”或“".join(by_label)))


def parse_consent(raw: str) -> bool:
    """Agreement to the privacy notice: 同意, 同意并开始, 开始; 不同意, 拒绝; or any yes/no."""
    cleaned = clean_text(raw)
    if cleaned in texts.CONSENT_YES_WORDS:
        return True
    if cleaned in texts.CONSENT_NO_WORDS:
        return False
    return parse_yes_no(raw)


def match_choice(raw: str, choices: Sequence[str], none_choice: str | None = None) -> str:
    """The choice the user meant: exact, its number (1, 2 …), a close spelling, 不知道 for a
    不清楚 choice, 没有 for the `none_choice`; otherwise `Invalid` naming the closest choice."""
    text = clean_text(raw)
    if text in choices:
        return text
    if re.fullmatch(r"[0-9]{1,3}", text):  # ASCII only: "፩".isdigit() is true, int() fails
        if 1 <= int(text) <= len(choices):
            return choices[int(text) - 1]
        raise Invalid(texts.NO_SUCH_CHOICE)
    said = _said_for(text, choices, none_choice)
    if said is not None:
        return said
    folded = normalize(text).replace(" ", "")
    if not folded:
        raise Invalid(texts.PICK_FROM_CHOICES)
    by_folded = {normalize(c).replace(" ", ""): c for c in choices}
    if folded in by_folded:
        return by_folded[folded]
    # A choice contained in the text, or the text in a choice ("水阳" → 水阳镇); one
    # character ("有") says too little.
    contained = [
        c for f, c in by_folded.items() if f and len(folded) > 1 and (f in folded or folded in f)
    ]
    if len(contained) == 1:
        return contained[0]
    from rapidfuzz import fuzz, process

    best = process.extractOne(folded, list(by_folded), scorer=fuzz.ratio, score_cutoff=70)
    if best is not None:
        return by_folded[best[0]]
    raise Invalid(texts.NO_SUCH_CHOICE, suggestion=closest(text, choices))


def _said_for(text: str, choices: Sequence[str], none_choice: str | None) -> str | None:
    """不知道 → the 不清楚 choice; 没有 → the none-choice: what people say for them."""
    if is_unknown(text):
        return next((c for c in choices if is_unknown(c)), None)
    if none_choice is not None and text.rstrip(_PARTICLES) in NONE_WORDS:
        return none_choice
    return None


def _sound(text: str) -> str:
    """How it is pronounced (孙布镇 and 孙埠镇 both sun bu zhen): pinyin input typos."""
    from pypinyin import lazy_pinyin  # its phrase dictionary alone is tens of MB

    return "".join(lazy_pinyin(text))


def closest(text: str, candidates: Sequence[str], cutoff: float = 60) -> str | None:
    """The candidate most like `text`, by spelling or by sound; None when none is close."""
    from rapidfuzz import fuzz

    folded = normalize(text).replace(" ", "")
    if not folded or not candidates:
        return None
    scored = [
        (max(fuzz.ratio(folded, normalize(c)), fuzz.ratio(_sound(folded), _sound(c))), c)
        for c in candidates
    ]
    score, best = max(scored, key=lambda pair: pair[0])
    return best if score >= cutoff else None


def match_choices(raw: str, choices: Sequence[str], none_choice: str | None = None) -> list[str]:
    """Several choices typed in one message, separated by commas, 、 or spaces."""
    parts = [p for p in re.split(r"[,，、;；/\s]+", clean_text(raw)) if p]
    if not parts:
        raise Invalid(texts.PICK_AT_LEAST_ONE)
    picked: list[str] = []
    for part in parts:
        choice = match_choice(part, choices, none_choice)
        if choice not in picked:
            picked.append(choice)
    return picked


def parse_text(raw: str, *, min_length: int = 1, max_length: int = 50) -> str:
    """Free text, cleaned (case and width kept); at least `min_length` letters or digits."""
    text = clean_text(raw, fold=False)
    if len(normalize(text).replace(" ", "")) < min_length:
        raise Invalid(texts.TEXT_TOO_SHORT)
    if len(text) > max_length:
        raise Invalid(texts.TEXT_TOO_LONG.format(length=len(text), limit=max_length))
    return text
