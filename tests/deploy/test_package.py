"""``make package`` builds the Glue wheel: the library only, installs into a fresh virtualenv.

The admin tools (``bootstrap``, ``deploy``, ``awsplan``) run on an admin's machine from the
development install; the wheel that ships to Glue carries what the job imports.

The virtualenv is made without pip (fast) and the project's pip installs into it with
``--python``; ``--no-deps`` because the Glue 5.1 runtime provides the dependencies.
"""

from __future__ import annotations

import email.parser
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from tests.deploy.support import PROJECT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("package") / "dist"
    subprocess.run(
        ["make", "--no-print-directory", "package", f"DIST={folder}"],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return folder


def test_package_holds_one_wheel_and_the_job_scripts(dist: Path) -> None:
    assert len(list(dist.glob("cur_analysis-*-py3-none-any.whl"))) == 1
    scripts = sorted(p.name for p in (PROJECT / "jobs").glob("*.py"))
    assert scripts and all((dist / name).is_file() for name in scripts)


def test_wheel_pins_nothing_the_glue_runtime_provides(dist: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    with zipfile.ZipFile(wheel) as archive:
        meta = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(meta).decode())
        names = archive.namelist()
    required = [r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r]
    assert required == ["boto3>=1.34.131"]
    assert "cur_analysis/py.typed" in names
    assert any(n.startswith("cur_analysis/local/") and n.endswith(".properties") for n in names)
    tops = {n.split("/")[0] for n in names if not n.startswith("cur_analysis-")}
    assert tops == {"cur_analysis"}
    assert not any(n.startswith("cur_analysis/dev/") for n in names)


def test_wheel_installs_into_a_fresh_virtualenv_and_imports(dist: Path, tmp_path: Path) -> None:
    (wheel,) = dist.glob("*.whl")
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet"]
        + ["--no-deps", "--no-index", "--disable-pip-version-check", str(wheel)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    probe = (
        "import importlib.metadata, importlib.util, cur_analysis, cur_analysis.periods; "
        "absent = [m for m in ('bootstrap', 'deploy', 'awsplan') "
        "if importlib.util.find_spec(m) is not None]; "
        "assert not absent, absent; "
        "print(importlib.metadata.version('cur-analysis'), cur_analysis.__file__)"
    )
    answer = subprocess.run(
        [str(python), "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    version, location = answer.stdout.split()
    assert version == "0.1.0"
    assert Path(location).is_relative_to(env)  # the installed copy, not the work tree


def _glue_wheel_script():  # type: ignore[no-untyped-def]
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "glue_wheel", PROJECT / "scripts" / "glue_wheel.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_glue_wheel_leaves_out_the_development_subpackage() -> None:
    """``cur_analysis.dev`` (the synthetic generator's home, when present) stays out of the
    Glue wheel; folders of that name deeper in the library are not touched."""
    import tomllib

    script = _glue_wheel_script()
    library = PROJECT / "cur_analysis"
    names = ["dev", "io", "__pycache__", "periods.py"]
    assert script._left_out(str(library), names) == {"dev", "__pycache__"}
    assert script._left_out(str(library / "io"), names) == {"__pycache__"}
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))
    staged = tomllib.loads(script.glue_pyproject(project))
    assert staged["project"]["name"] == project["project"]["name"]
    assert staged["project"]["version"] == project["project"]["version"]
    assert staged["tool"]["setuptools"]["packages"]["find"] == {
        "include": ["cur_analysis", "cur_analysis.*"],
        "exclude": ["cur_analysis.dev*"],
    }
    assert set(staged["project"]["scripts"]) == {"cur-analysis"}
