"""The notebook API: every advertised name resolves; importing the package needs no Spark."""

from __future__ import annotations

import subprocess
import sys

import cur_analysis


def test_every_api_name_resolves_to_a_documented_callable_or_value() -> None:
    for name in cur_analysis.__all__:
        value = getattr(cur_analysis, name)
        assert value is not None, name
        if callable(value):
            assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_importing_the_package_does_not_import_spark() -> None:
    code = "import sys, cur_analysis; sys.exit('pyspark' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
