"""Build the wheel that ships to AWS Glue: the ``cur_analysis`` library only.

The development install (``pip install -e '.[dev]'``) carries the library and the admin tools
(``bootstrap``, ``deploy``, ``awsplan``). A Glue job needs the library alone, so this stages a
copy of ``cur_analysis`` (without its development-only ``cur_analysis.dev`` subpackage, if there
is one) beside a pyproject generated from the project's own (same name, version, dependencies,
package data, console script), and builds that wheel with pip. Usage:
``python scripts/glue_wheel.py DIST``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
LIBRARY = "cur_analysis"
# Development-only parts of the library that the Glue job never imports.
LEFT_OUT = ("dev",)


def glue_pyproject(project: dict[str, Any]) -> str:
    """The staged pyproject: the library's package with the project's name and version."""
    meta = project["project"]
    data = project["tool"]["setuptools"].get("package-data", {}).get(LIBRARY, [])
    scripts = {k: v for k, v in meta.get("scripts", {}).items() if v.startswith(f"{LIBRARY}.")}
    lines = [
        "[build-system]",
        f"requires = {json.dumps(project['build-system']['requires'])}",
        f"build-backend = {json.dumps(project['build-system']['build-backend'])}",
        "",
        "[project]",
        f"name = {json.dumps(meta['name'])}",
        f"version = {json.dumps(meta['version'])}",
        f"description = {json.dumps(meta.get('description', ''))}",
        f"requires-python = {json.dumps(meta['requires-python'])}",
        f"dependencies = {json.dumps(meta.get('dependencies', []))}",
        "",
        "[project.scripts]",
        *(f"{json.dumps(k)} = {json.dumps(v)}" for k, v in scripts.items()),
        "",
        "[tool.setuptools.packages.find]",
        f'include = ["{LIBRARY}", "{LIBRARY}.*"]',
        f"exclude = {json.dumps([f'{LIBRARY}.{name}*' for name in LEFT_OUT])}",
        "",
        "[tool.setuptools.package-data]",
        f"{LIBRARY} = {json.dumps(data)}",
        "",
    ]
    return "\n".join(lines)


def stage(into: Path) -> Path:
    """Copy the library and write the generated pyproject into ``into``; return it."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    shutil.copytree(PROJECT / LIBRARY, into / LIBRARY, ignore=_left_out)
    (into / "pyproject.toml").write_text(glue_pyproject(project), encoding="utf-8")
    return into


def _left_out(folder: str, names: list[str]) -> set[str]:
    """Caches everywhere, and ``LEFT_OUT`` directly under the library."""
    skipped = {n for n in names if n == "__pycache__" or n.endswith(".pyc")}
    if Path(folder) == PROJECT / LIBRARY:
        skipped |= {n for n in names if n in LEFT_OUT}
    return skipped


def build(dist: Path) -> Path:
    """Build the Glue wheel into ``dist``; return its path."""
    dist.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="glue-wheel-") as scratch:
        staged = stage(Path(scratch))
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"]
            + ["--no-deps", "--wheel-dir", str(dist), str(staged)],
            check=True,
        )
    (wheel,) = dist.glob(f"{LIBRARY}-*.whl")
    return wheel


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: python scripts/glue_wheel.py DIST")
    print(build(Path(sys.argv[1])))
