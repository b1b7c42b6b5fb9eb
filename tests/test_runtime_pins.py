"""The virtualenv under test has exactly the Glue runtime's libraries it claims to stand in for.

``make test`` (Glue 5.1) and ``make test GLUE=6.0`` install with ``constraints/glue-<version>.txt``
(aws-glue-libs' ``base-requirements.txt`` of that branch, plus the runtime's Spark); this checks
the result, so a drifted install fails here rather than passing for the wrong runtime.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version

import pytest

from .support import PROJECT

GLUE_ENV = "CUR_ANALYSIS_GLUE_VERSION"
SHARED_LIBRARIES = ("pyspark", "pandas", "pyarrow", "numpy", "boto3", "botocore", "matplotlib")


def _glue_version() -> str:
    """The runtime the Makefile built this virtualenv for; else told by the Spark major."""
    return os.environ.get(GLUE_ENV) or ("6.0" if version("pyspark").startswith("4.") else "5.1")


def _pins(glue: str) -> dict[str, str]:
    lines = (PROJECT / "constraints" / f"glue-{glue}.txt").read_text().splitlines()
    pairs = [line.split("==", 1) for line in lines if "==" in line and not line.startswith("#")]
    return {name.strip().lower(): pinned.strip() for name, pinned in pairs}


@pytest.mark.parametrize("library", SHARED_LIBRARIES)
def test_library_is_the_glue_runtimes_version(library: str) -> None:
    glue = _glue_version()
    assert version(library) == _pins(glue)[library], f"not Glue {glue}'s {library}"


def test_spark_major_matches_the_runtime() -> None:
    expected = {"5.1": "3.5.6", "6.0": "4.1.1"}[_glue_version()]
    assert version("pyspark") == expected


def test_python_is_the_runtimes_own() -> None:
    """Glue 5.1 runs Python 3.11, Glue 6.0 runs 3.13 (AWS Glue release notes)."""
    expected = {"5.1": (3, 11), "6.0": (3, 13)}[_glue_version()]
    assert sys.version_info[:2] == expected


def test_the_wheel_admits_glue_60s_python() -> None:
    import tomllib

    declared = tomllib.loads((PROJECT / "pyproject.toml").read_text())["project"]
    assert declared["requires-python"] == ">=3.11,<3.14"
