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
