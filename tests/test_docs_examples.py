"""The manual's code examples run as written, in the nav's order, against the local catalog."""

from __future__ import annotations

import contextlib
import traceback
from pathlib import Path

import pytest

from cur_analysis.cli import main

from .support_docs_examples import Example, all_examples, cli_commands

EXAMPLES = all_examples()
RUN = [example for example in EXAMPLES if example.not_run is None]


def _run(example: Example, namespaces: dict[str, dict]) -> str | None:
    """Run one example; the failure as text, or None."""
    try:
        if example.language == "python":
            namespace = namespaces.setdefault(example.page, {"__name__": "docs_example"})
            exec(compile(example.code, example.where, "exec"), namespace)  # noqa: S102
            return None
        for args in cli_commands(example):
            code = main(args)
            if code != 0:
                return f"cur-analysis {' '.join(args)} exited {code}"
    except Exception:  # noqa: BLE001 - reported by the example's own test
        return traceback.format_exc()
    return None


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("docs-examples")


@pytest.fixture(scope="module")
def outcomes(spark, spark_home: Path, workdir: Path) -> dict[str, str | None]:
    """Every runnable example, run once in order, in one working folder and the tests' home."""
    namespaces: dict[str, dict] = {}
    with pytest.MonkeyPatch.context() as patch, contextlib.chdir(workdir):
        patch.setenv("CUR_ANALYSIS_HOME", str(spark_home))
        return {example.where: _run(example, namespaces) for example in RUN}


def test_the_manual_has_examples_of_both_kinds() -> None:
    assert {example.language for example in RUN} == {"sh", "python"}
    assert any(example.page == "notebook.md" for example in RUN)


@pytest.mark.parametrize("example", RUN, ids=[example.where for example in RUN])
def test_example_runs(outcomes, example: Example) -> None:
    assert outcomes[example.where] is None, outcomes[example.where]


def test_every_example_not_run_says_why() -> None:
    assert all(example.not_run.strip() for example in EXAMPLES if example.not_run is not None)


def test_the_examples_leave_what_they_say(outcomes, workdir: Path) -> None:
    """The CLI examples published May's datasets and its report where the pages say."""
    assert (workdir / "datasets" / "_manifests" / "2024-05.json").is_file()
    assert (workdir / "datasets" / "reports" / "cur-report-2024-05.html").is_file()
