"""The command-line pieces both admin tools share: their argument parser and help layout.

Exit codes are the plan's (``awsplan.plan``): 0 done or nothing to do, 2 changes pending, 1 an
error. argparse exits 2 on a usage error, so the parser here exits 1 instead.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Mapping
from typing import Any, NoReturn

from awsplan.plan import EXIT_ERROR

HELP_WIDTH = 79


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """The description and epilog keep their lines; an option that takes a value shows its
    default once, as "(default: ...)"; a flag shows none."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action.default, bool):
            return action.help
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` with ``HelpFormatter`` (its description's paragraphs wrapped)
    whose usage errors exit 1, with argparse's usage line and message: 2 means "changes
    pending"."""

    def __init__(self, *args: Any, description: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, description=_wrapped(description), **kwargs)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


def _wrapped(text: str | None) -> str | None:
    if text is None:
        return None
    return "\n\n".join(textwrap.fill(p, HELP_WIDTH) for p in text.split("\n\n"))


def examples(*lines: str, exit_codes: Mapping[int, str]) -> str:
    """An epilog: the example command lines, then what each exit code means."""
    listed = "\n".join(f"  {line}" for line in lines)
    codes = "\n".join(f"  {code}  {meaning}" for code, meaning in exit_codes.items())
    return f"examples:\n{listed}\n\nexit codes:\n{codes}"
