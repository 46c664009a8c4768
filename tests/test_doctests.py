"""The examples in the project's docstrings are true: every module with doctests runs them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

PACKAGES = ["common", "assistant", "knowledge", "dialogs", "storage", "review", "handlers"]


def project_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        names.append(package)
        path = importlib.import_module(package).__path__
        names += [m.name for m in pkgutil.walk_packages(path, prefix=f"{package}.")]
    # Alembic migrations run when imported; they hold no doctests.
    return sorted(n for n in names if ".migrations" not in n)


def has_doctests(name: str) -> bool:
    module = importlib.import_module(name)
    return any(test.examples for test in doctest.DocTestFinder().find(module))


MODULES_WITH_DOCTESTS = [name for name in project_modules() if has_doctests(name)]


def test_the_documented_examples_are_found():
    assert "dialogs.validators" in MODULES_WITH_DOCTESTS  # money and phone parsing


@pytest.mark.parametrize("name", MODULES_WITH_DOCTESTS)
def test_the_examples_in_the_docstrings_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed"
    assert result.attempted > 0
