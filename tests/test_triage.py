"""Triage for staff: per-capita income against the monitoring line, and the YAML rules."""

from __future__ import annotations

import pytest

from dialogs.spec import load_catalog
from dialogs.triage import triage

RULES = load_catalog().triage
LINE, YEAR = 9100, 2024


def level(answers):
    return triage(answers, RULES, LINE, YEAR)


def test_below_the_line_is_verified_first_with_the_reason():
    result = level({"household_size": 4, "annual_income": 30000})
    assert result.level == "优先核实" and result.per_capita_income == 7500
    assert result.reasons == ("人均纯收入约 7500 元，低于 2024 年监测范围 9100 元",)


def test_near_the_line_with_a_hardship_cause_needs_attention():
    result = level({"household_size": 2, "annual_income": 20000, "causes": ["因病"]})
    assert result.level == "重点关注"
    assert "因病" in result.reasons[0]


def test_near_the_line_without_a_cause_is_ordinary():
    assert (
        level({"household_size": 2, "annual_income": 20000, "causes": ["暂无明显困难"]}).level
        == "一般"
    )


def test_large_rigid_expenditure_needs_attention_even_above_the_line():
    result = level({"household_size": 3, "annual_income": 60000, "medical_expense": 40000})
    assert result.level == "重点关注"
    assert "67%" in result.reasons[0]


@pytest.mark.parametrize(
    "flag", ["child_out_of_school", "no_medical_insurance", "unsafe_housing", "unsafe_water"]
)
def test_any_three_guarantees_or_water_problem_is_verified_first(flag):
    result = level({"household_size": 3, "annual_income": 90000, flag: True})
    assert result.level == "优先核实"


def test_a_comfortable_household_is_ordinary_with_no_reasons():
    result = level({"household_size": 3, "annual_income": 90000, "causes": ["暂无明显困难"]})
    assert (result.level, result.reasons) == ("一般", ())


def test_the_line_comes_from_the_parameters_so_next_years_line_changes_triage():
    answers = {"household_size": 1, "annual_income": 9300}
    assert triage(answers, RULES, 9100, 2024).level == "一般"
    assert triage(answers, RULES, 9500, 2025).level == "优先核实"


def test_below_the_line_is_not_also_reported_as_near_it():
    result = level({"household_size": 4, "annual_income": 30000, "causes": ["因病"]})
    assert len(result.reasons) == 1 and "低于" in result.reasons[0]
