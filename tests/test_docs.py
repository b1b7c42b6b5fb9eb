"""The manual builds with every link and anchor intact, and the README stays a front door."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

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
