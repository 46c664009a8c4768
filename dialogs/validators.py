"""Parsers for what people really type at each kind of step.

Each parser takes the raw text and returns the cleaned value, or raises `Invalid` with a
specific reason (wording from `dialogs.texts`; the engine adds the step's example). They are pure
functions; `dialogs.kinds` says which one answers which kind of step. The words they accept
(是的, 没有, 块钱 …) stay here beside the code that reads them.

    >>> parse_money("三万二")
    32000
    >>> parse_money("3.2万"), parse_money("1.5w"), parse_money("32,000元")
    (32000, 15000, 32000)
    >>> parse_integer("四口人")
    4
    >>> parse_phone("0563-2701280")
    '0563-2701280'
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence

import cn2an
import phonenumbers
from rapidfuzz import fuzz, process

from common.text import clean_text, normalize
from dialogs import texts


class Invalid(ValueError):
    """The input is not a valid answer; the message says why."""


_MONEY_NOISE = re.compile(
    r"(人民币|rmb|块钱|块|元整|元|钱|左右|大概|大约|约|差不多|将近|一共|总共|共|全年|一年|每年|年收入|收入)"
)
_CHINESE_NUMBER = re.compile(r"^[0-9.点零〇一二两三四五六七八九十百千万亿]+$")
_ZERO_WORDS = {"没有", "无", "没", "零", "0", "没收入", "没有收入", "没有支出", "没有花", "没花"}


MAX_DIGITS = 12


def _number(text: str) -> float:
    """Arabic or Chinese numerals (三万二, 3万2千, 1.5万) as a number."""
    if not _CHINESE_NUMBER.match(text):
        raise Invalid(texts.NOT_A_NUMBER)
    if len(text) > MAX_DIGITS + 4:
        raise Invalid(texts.NUMBER_TOO_LONG)
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", text):
        return float(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            value = cn2an.cn2an(text, "smart")
        except (ValueError, KeyError, IndexError) as exc:
            raise Invalid(texts.NOT_A_NUMBER) from exc
    return float(value)


def parse_money(raw: str) -> int:
    """An amount in yuan: 32000, 3.2万, 三万二, 3万2千元, 1.5w, 32,000元, 没有 (0)."""
    text = clean_text(raw).lower().replace(" ", "")
    if text in _ZERO_WORDS:
        return 0
    if text.startswith("-") or text.startswith("负"):
        raise Invalid(texts.NEGATIVE_AMOUNT)
    if re.search(r"[,，][0-9]{1,2}(?![0-9])", text):  # "3,2" is no thousands separator
        raise Invalid(texts.MISPLACED_COMMA)
    text = text.replace(",", "").replace("，", "").replace("w", "万").replace("k", "千")
    text = _MONEY_NOISE.sub("", text)
    text = re.sub(r"(?<=[万千百十])[多余来]$", "", text)  # 三万多: about 30,000 is enough to triage
    if not text:
        raise Invalid(texts.NO_AMOUNT)
    value = _number(text)
    return round(value)


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


_YES = {
    "是",
    "是的",
    "有",
    "对",
    "对的",
    "嗯",
    "好",
    "好的",
    "同意",
    "确认",
    "可以",
    "yes",
    "y",
    "ok",
    "1",
}
_NO = {"否", "不是", "没有", "无", "不", "没", "不对", "不同意", "no", "n", "0", "没得", "冇"}


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


def parse_consent(raw: str) -> bool:
    """Agreement to the privacy notice: 同意, 同意并开始, 开始; 不同意, 拒绝; or any yes/no."""
    cleaned = clean_text(raw)
    if cleaned in texts.CONSENT_YES_WORDS:
        return True
    if cleaned in texts.CONSENT_NO_WORDS:
        return False
    return parse_yes_no(raw)


def match_choice(raw: str, choices: Sequence[str]) -> str:
    """The choice the user meant: exact, its number (1, 2 …), or a close spelling."""
    text = clean_text(raw)
    if text in choices:
        return text
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    folded = normalize(text).replace(" ", "")
    if not folded:
        raise Invalid(texts.PICK_FROM_CHOICES)
    by_folded = {normalize(c).replace(" ", ""): c for c in choices}
    if folded in by_folded:
        return by_folded[folded]
    # A choice contained in the text, or the text in a choice ("水阳" → 水阳镇).
    contained = [c for f, c in by_folded.items() if f and (f in folded or folded in f)]
    if len(contained) == 1:
        return contained[0]
    best = process.extractOne(folded, list(by_folded), scorer=fuzz.ratio, score_cutoff=70)
    if best is not None:
        return by_folded[best[0]]
    raise Invalid(texts.NO_SUCH_CHOICE)


def match_choices(raw: str, choices: Sequence[str]) -> list[str]:
    """Several choices typed in one message, separated by commas, 、 or spaces."""
    parts = [p for p in re.split(r"[,，、;；/\s]+", clean_text(raw)) if p]
    if not parts:
        raise Invalid(texts.PICK_AT_LEAST_ONE)
    picked: list[str] = []
    for part in parts:
        choice = match_choice(part, choices)
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
