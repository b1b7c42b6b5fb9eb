"""The manual builds with every link and anchor intact, the README stays a front door, the API
reference covers the notebook API, and the figures the manual quotes are the newest bench
results."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import griffe
import pytest
import yaml

import cur_analysis
from benchmarks import docs_figures

from .support import PROJECT

README = PROJECT / "README.md"
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_mkdocs_builds_strictly(tmp_path: Path) -> None:
    """``mkdocs build --strict``: a broken link, anchor or nav entry fails it."""
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr[-3000:]


def test_readme_is_short() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= 200


def test_readme_links_point_at_files_that_exist() -> None:
    targets = _LINK.findall(README.read_text(encoding="utf-8"))
    local = [target for target in targets if "://" not in target]
    assert local, "the README links into docs/"
    assert [target for target in local if not (PROJECT / target).exists()] == []


# Code comments and docstrings say what is and why: history belongs in CHANGELOG.md, reasons in
# docs/decisions/, figures in benchmarks/results/, and a pointer names a docs/ page.
_DIARY = re.compile(r"README|this round|before \(|as before|used to", re.IGNORECASE)
_CODE_FOLDERS = ("cur_analysis", "awsplan", "bootstrap", "deploy", "jobs", "examples", "scripts")


def test_code_cites_no_readme_section_and_keeps_no_diary() -> None:
    sources = [path for folder in _CODE_FOLDERS for path in (PROJECT / folder).rglob("*.py")]
    sources += [*(PROJECT / "benchmarks").glob("*.py"), *(PROJECT / "tests").rglob("*.py")]
    found = [
        f"{path.relative_to(PROJECT)}:{number}: {line.strip()}"
        for path in sources
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _DIARY.search(line)
    ]
    assert found == []


# --- the API reference: built from the docstrings of the notebook API and the registry ---

REFERENCE = PROJECT / "docs" / "reference.md"
# Documented with the rewrite of pipeline.py and io/publish.py, which their authors document.


def _reference_entries() -> dict[str, list[str] | None]:
    """Each ``::: path`` of the reference page and the members it shows (None: all public)."""
    entries: dict[str, list[str] | None] = {}
    text = REFERENCE.read_text(encoding="utf-8")
    for block in re.split(r"^::: ", text, flags=re.MULTILINE)[1:]:
        path, _, rest = block.partition("\n")
        indented = itertools.takewhile(lambda line: line.startswith("    "), rest.splitlines())
        options = yaml.safe_load(textwrap.dedent("\n".join(indented))) or {}
        entries[path.strip()] = options.get("options", {}).get("members")
    return entries


def test_the_reference_shows_every_name_of_the_notebook_api() -> None:
    shown = {
        shown
        for path, members in _reference_entries().items()
        for shown in (path, *(f"{path}.{member}" for member in members or ()))
    }
    expected = {f"{module}.{name}" for name, module in cur_analysis._API.items()}
    assert expected - shown == set()


# A dataclass's fields are its constructor's arguments, documented as Args or as Attributes.
_ARGUMENT_SECTIONS = (
    griffe.DocstringSectionKind.parameters,
    griffe.DocstringSectionKind.attributes,
)


def _sections(documented: griffe.Object) -> list[griffe.DocstringSection]:
    return documented.docstring.parsed if documented.docstring else []


def _documented_arguments(documented: griffe.Object) -> set[str]:
    return {
        argument.name
        for section in _sections(documented)
        if section.kind in _ARGUMENT_SECTIONS
        for argument in section.value
    }


def _undocumented(function: griffe.Function | griffe.Class) -> list[str]:
    """What a function's (or a class's constructor's) docstring leaves out: an argument, or the
    result of a function that returns one."""
    documented = _documented_arguments(function)
    arguments = [p.name for p in function.parameters if p.name not in ("self", "cls")]
    missing = [f"argument {name}" for name in arguments if name not in documented]
    returns = getattr(function, "returns", None)
    has_returns = any(s.kind is griffe.DocstringSectionKind.returns for s in _sections(function))
    if returns is not None and str(returns) != "None" and not has_returns:
        missing.append("Returns")
    return missing


def _shown(package: griffe.Module, path: str, members: list[str] | None) -> list[griffe.Object]:
    """The object at ``path`` and the members of it the reference page shows."""
    found = package[path.removeprefix("cur_analysis.")]
    if found.is_function or found.is_attribute:
        return [found]
    names = members or [name for name in found.members if not name.startswith("_")]
    return [found, *(found.members[name] for name in names)]


def test_everything_the_reference_shows_documents_its_arguments_and_result() -> None:
    """Google-style ``Args``/``Returns`` for each function and constructor; a docstring for each
    attribute (``mkdocs build --strict`` refuses an argument that does not exist)."""
    package = griffe.load("cur_analysis", search_paths=[str(PROJECT)], docstring_parser="google")
    gaps = {}
    for path, members in _reference_entries().items():
        for shown in _shown(package, path, members):
            if shown.is_module or "property" in shown.labels:
                continue
            if shown.is_attribute and shown.name in _documented_arguments(shown.parent):
                continue  # a field or class attribute its class's docstring describes
            missing = ["docstring"] if not shown.docstring else []
            if shown.is_function or shown.is_class:
                missing += _undocumented(shown)
            if missing:
                gaps[shown.path] = missing
    assert gaps == {}


# --- product pages speak of the product: history and targets live elsewhere ---

DOCS = PROJECT / "docs"
# History: the changelog (the CHANGELOG.md snippet) and the dated decision records.
_HISTORY = ("changelog.md", "decisions")
# An issue cited by number: "issue 24", "issues 56, 62", "#24". A citation names its project
# ("aws-glue-libs issue 254", "boto3 issue #3922", "owner/repo#12"); a bare one is this
# project's tracker, which the manual does not cite.
_ISSUE = re.compile(r"\bissues?\s+#?\d+|(?<![\w/&])#\d+\b", re.IGNORECASE)
_PROJECT_NAME = re.compile(r"[\w.]*[\d/-][\w./-]*$")
_WORK_WORDS = re.compile(r"\bmissed\b|\btarget (?:met|missed)\b|\b(?:the|this) issue\b", re.I)


def _product_pages() -> list[Path]:
    return [
        page
        for page in sorted(DOCS.rglob("*.md"))
        if page.relative_to(DOCS).parts[0] not in _HISTORY
    ]


def work_references(text: str) -> list[str]:
    """This project's issue numbers and targets' verdicts in ``text``; another project's issue
    cited with its name is a source, not a reference to our work."""
    found = [match.group() for match in _WORK_WORDS.finditer(text)]
    for match in _ISSUE.finditer(text):
        before = text[: match.start()].split()
        named = match.group().startswith("#") and text[match.start() - 1 : match.start()] == "/"
        if not named and not (before and _PROJECT_NAME.match(before[-1].lstrip("(["))):
            found.append(match.group())
    return found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("aws-glue-libs issue 254 asks for it", []),
        ("boto3 issue #3922, terraform-provider-aws issue #49669", []),
        ("(aws-glue-libs issues 56, 62, 142)", []),
        ("issue 24 reports a drift", ["issue 24"]),
        ("as in #24", ["#24"]),
        ("short of the issue's 2.5x target", ["the issue"]),
        ("| 1.5x: missed |", ["missed"]),
        ("see [the figures](#current-figures)", []),
    ],
)
def test_work_references_are_told_from_cited_sources(text: str, found: list[str]) -> None:
    assert work_references(text) == found


def test_product_pages_cite_no_issue_of_ours_and_no_target_verdict() -> None:
    found = {
        str(page.relative_to(PROJECT)): refs
        for page in _product_pages()
        if (refs := work_references(page.read_text(encoding="utf-8")))
    }
    assert found == {}


# --- figures a bench produces: written from the newest benchmarks/results/, checked here ---

_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8}
_SPARK_JOBS = re.compile(rf"\b(\d+|{'|'.join(_NUMBERS)})\s+Spark\s+jobs\b", re.IGNORECASE)
# A measured time or ratio: "6.17 s", "1.29x", "rows/s".
_MEASURED = re.compile(r"\b\d[\d,]*(?:\.\d+)?\s?(?:s|ms|rows/s)\b|\b\d+\.\d+x\b")
_FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)


def _prose(page: Path) -> str:
    """A page without its generated figures and its code blocks (example output)."""
    text = page.read_text(encoding="utf-8")
    names = docs_figures.region_names(text)
    return _FENCE.sub("", docs_figures.rewritten(text, dict.fromkeys(names, "")))


def test_the_bench_figures_in_the_docs_are_the_newest_results() -> None:
    """Run ``make docs-figures`` (``python -m benchmarks.docs_figures``) when this fails."""
    assert docs_figures.stale_pages() == []


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBERS[word.lower()]


def test_every_spark_jobs_per_run_figure_in_the_docs_is_the_newest_bench_count() -> None:
    """Outside the generated tables, the manual counts Spark jobs only for a default run."""
    expected = docs_figures.jobs_per_run()
    found = {
        f"{page.relative_to(PROJECT)}: {match.group()}"
        for page in _product_pages()
        for match in _SPARK_JOBS.finditer(_prose(page))
        if _count(match.group(1)) != expected
    }
    assert found == set()


def test_the_bench_pages_state_measured_figures_only_in_their_generated_tables() -> None:
    pages = sorted({page for page, _kind in docs_figures.REGIONS.values()})
    found = {
        f"docs/{page}: {match.group()}"
        for page in pages
        for match in _MEASURED.finditer(_prose(DOCS / page))
    }
    assert found == set()
