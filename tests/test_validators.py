"""What people really type, parsed: money, counts, phones, yes/no and choices."""

from __future__ import annotations

import pytest

from dialogs.validators import (
    Estimate,
    Invalid,
    match_choice,
    match_choices,
    parse_integer,
    parse_money,
    parse_phone,
    parse_text,
    parse_yes_no,
)


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("32000", 32000),
        ("3.2万", 32000),
        ("三万二", 32000),
        ("3万2千元", 32000),
        ("1.5w", 15000),
        ("32,000元", 32000),
        ("３２０００", 32000),
        ("两万", 20000),
        ("一万五千块", 15000),
        ("大概三万左右", Estimate(30000)),
        ("三万多点儿吧", Estimate(30000)),
        ("8千", 8000),
        ("没有", 0),
        ("0", 0),
        ("2.5K", 2500),
        ("32，000", 32000),
    ],
)
def test_a_resident_typing_an_amount_their_way_gets_it_understood(typed, yuan):
    assert parse_money(typed) == yuan


@pytest.mark.parametrize("typed", ["很多", "-500", "挺多的吧", "", "abc", "😀", "每月两千"])
def test_an_amount_that_is_not_a_number_is_rejected(typed):
    with pytest.raises(Invalid):
        parse_money(typed)


@pytest.mark.parametrize(
    ("typed", "count"), [("4", 4), ("四口人", 4), ("4个人", 4), ("十二", 12), ("家里五口", 5)]
)
def test_household_size_in_words_or_digits(typed, count):
    assert parse_integer(typed) == count


@pytest.mark.parametrize("typed", ["好几个", "3.5", "人"])
def test_a_household_size_that_is_not_a_whole_number_is_rejected(typed):
    with pytest.raises(Invalid):
        parse_integer(typed)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13812345678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("0563-1234567", "0563-1234567"),
        ("05631234567", "0563-1234567"),
    ],
)
def test_mobiles_and_landlines_are_accepted_and_formatted(typed, stored):
    assert parse_phone(typed) == stored


@pytest.mark.parametrize("typed", ["12345", "1234567", "1381234567", "电话", "+1 202 555 0143"])
def test_numbers_that_cannot_be_called_are_rejected(typed):
    with pytest.raises(Invalid):
        parse_phone(typed)


@pytest.mark.parametrize(
    ("typed", "answer"), [("是", True), ("有", True), ("否", False), ("没有", False), ("不", False)]
)
def test_yes_and_no_in_everyday_words(typed, answer):
    assert parse_yes_no(typed) is answer


def test_choices_match_by_number_prefix_or_close_spelling():
    towns = ["水阳镇", "狸桥镇", "沈村镇"]
    assert match_choice("2", towns) == "狸桥镇"
    assert match_choice("水阳", towns) == "水阳镇"
    assert match_choice("沈村鎮", towns) == "沈村镇"
    with pytest.raises(Invalid):
        match_choice("北京", towns)


def test_several_causes_typed_in_one_message():
    causes = ["因病", "因残", "因学", "缺劳动力", "其他"]
    assert match_choices("因病，缺劳动力", causes) == ["因病", "缺劳动力"]
    assert match_choices("因病、因学", causes) == ["因病", "因学"]


def test_text_is_cleaned_and_bounded():
    assert parse_text("  张\x00三  ") == "张三"
    with pytest.raises(Invalid):
        parse_text("张" * 21, max_length=20)
    with pytest.raises(Invalid):
        parse_text("😀😀")


@pytest.mark.parametrize("typed", ["9" * 400, "1" * 40])
def test_an_absurdly_long_number_is_rejected_not_crashing(typed):
    with pytest.raises(Invalid, match="太长"):
        parse_money(typed)
    with pytest.raises(Invalid, match="太长"):
        parse_integer(typed)


@pytest.mark.parametrize("typed", ["家里有四口人", "我家有4口人", "一家四口"])
def test_household_size_said_as_a_sentence(typed):
    assert parse_integer(typed) == 4


def test_about_an_amount_is_taken_as_an_estimate_and_a_misplaced_comma_is_questioned():
    assert parse_money("三万多") == Estimate(30000)
    with pytest.raises(Invalid, match="逗号"):
        parse_money("3,2")


@pytest.mark.parametrize(
    "typed", ["13812345678 ext 123", "13812345678;13912345678", "400-800-8888"]
)
def test_extensions_two_numbers_and_hotlines_are_not_a_residents_phone(typed):
    with pytest.raises(Invalid):
        parse_phone(typed)


def test_typed_text_keeps_its_chinese_punctuation():
    assert parse_text("房子漏雨，怎么办？", max_length=50) == "房子漏雨，怎么办？"
