"""The code examples of the manual (``docs/``), found in the order of ``mkdocs.yml``'s nav.

Every ``sh`` and ``python`` fence is an example that the tests run, unless the line before it
says why not: ``<!-- not run: REASON -->``. An ``sh`` example holds ``cur-analysis`` commands only,
one a line (a trailing ``# comment`` is a comment); a ``python`` example runs in one namespace per
page, after the examples before it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from .support import PROJECT

DOCS = PROJECT / "docs"
RUNNABLE = ("sh", "python")
_FENCE = re.compile(r"^```(\w*)\s*$")
_NOT_RUN = re.compile(r"^<!-- not run: (?P<reason>\S.*\S) -->$")
CLI = "cur-analysis"


@dataclass(frozen=True)
class Example:
    """One fenced example: where it is, its language and code, and why it is not run (if so)."""

    page: str
    line: int
    language: str
    code: str
    not_run: str | None

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


def nav_pages(config: Path = PROJECT / "mkdocs.yml") -> list[str]:
    """The pages of the nav, in order."""

    def walk(entries) -> Iterator[str]:
        for entry in entries:
            if isinstance(entry, str):
                yield entry
            elif isinstance(entry, dict):
                for value in entry.values():
                    yield from (walk(value) if isinstance(value, list) else [value])

    return list(walk(yaml.safe_load(config.read_text(encoding="utf-8"))["nav"]))


def examples_of(page: str) -> list[Example]:
    """The ``sh`` and ``python`` fences of one page."""
    lines = (DOCS / page).read_text(encoding="utf-8").splitlines()
    found, index = [], 0
    while index < len(lines):
        opened = _FENCE.match(lines[index])
        if not opened or not opened.group(1):
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        if opened.group(1) in RUNNABLE:
            marker = _NOT_RUN.match(lines[index - 1].strip()) if index else None
            code = "\n".join(lines[index + 1 : end])
            reason = marker.group("reason") if marker else None
            found.append(Example(page, index + 1, opened.group(1), code, reason))
        index = end + 1
    return found


def all_examples() -> list[Example]:
    return [example for page in nav_pages() for example in examples_of(page)]


def cli_commands(example: Example) -> list[list[str]]:
    """The argument lists of an ``sh`` example's ``cur-analysis`` commands."""
    commands = []
    for text in example.code.splitlines():
        words = shlex.split(text, comments=True)
        if not words:
            continue
        if words[0] != CLI:
            raise AssertionError(
                f"{example.where}: {text!r} is not a {CLI} command: run only {CLI} in an sh "
                "example, or mark it <!-- not run: REASON -->"
            )
        commands.append(words[1:])
    return commands
