"""`bot.py`'s argument parser, speaking Chinese like the rest of the bot.

argparse ships no Chinese translation, so the few messages a user can meet are translated
here: the usage line and section titles, and the errors for an unknown command, a missing or
unknown option and a value that is not one of the choices.

    >>> translate("argument command: invalid choice: 'frob' (choose from start, run)")
    '没有“frob”这个命令，可用：start、run'
    >>> translate("the following arguments are required: --format, --out")
    '缺少参数：--format、--out'
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from typing import Any, NoReturn

COMMAND = "命令"  # the metavar `bot.py` gives its subcommand
_CHOICES = re.compile(
    r"^argument (?P<arg>[^:]+): invalid choice: '?(?P<value>.*?)'? \(choose from (?P<choices>.*)\)$"
)
_REQUIRED = re.compile(r"^the following arguments are required: (?P<names>.*)$")
_UNKNOWN = re.compile(r"^unrecognized arguments: (?P<names>.*)$")
_ONE_VALUE = re.compile(r"^argument (?P<arg>[^:]+): expected one argument$")


def _list(names: str) -> str:
    return "、".join(part.strip().strip("'") for part in names.split(","))


def translate(message: str) -> str:
    """One argparse error message in Chinese (unknown messages are kept as they are)."""
    if match := _CHOICES.match(message):
        choices = _list(match["choices"])
        if match["arg"] in {"command", COMMAND}:
            return f"没有“{match['value']}”这个命令，可用：{choices}"
        return f"{match['arg']} 的值“{match['value']}”无效，可选：{choices}"
    if match := _REQUIRED.match(message):
        return f"缺少参数：{_list(match['names'])}"
    if match := _UNKNOWN.match(message):
        return f"无法识别的参数：{match['names']}"
    if match := _ONE_VALUE.match(message):
        return f"{match['arg']} 后面需要一个值"
    return message


class _ChineseHelp(argparse.HelpFormatter):
    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        # A subcommand's prog is built with prefix "": only the default is replaced.
        super().add_usage(usage, actions, groups, prefix="用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in Chinese; errors exit with status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _ChineseHelp)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        self.add_argument("-h", "--help", action="help", help="显示本帮助并退出")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{translate(message)}\n")
