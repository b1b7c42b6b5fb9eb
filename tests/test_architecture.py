"""The import contracts of ``pyproject.toml`` hold (import-linter; docs/architecture.md)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .support import PROJECT


def test_import_contracts_are_kept() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is part of the dev extras"
    checked = subprocess.run(
        [lint_imports, "--no-cache"], cwd=PROJECT, capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 0, checked.stdout[-4000:]
    assert "0 broken" in checked.stdout
