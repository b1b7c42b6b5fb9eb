"""The neutral admin package: imports neither tool, and its shared pieces behave as both need."""

from __future__ import annotations

import subprocess
import sys


def test_awsplan_imports_no_tool_and_only_the_librarys_retry_config() -> None:
    """awsplan sits under both tools; of the library it takes only the one retry configuration
    (``cur_analysis.io.aws``), never Spark."""
    probe = (
        "import sys, awsplan.aws, awsplan.plan, awsplan.config, awsplan.checks, "
        "awsplan.lakeformation, awsplan.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'bootstrap', 'deploy', 'pyspark'}),"
        " sorted(m for m in sys.modules if m.startswith('cur_analysis.')))"
    )
    answer = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert answer.stdout.strip() == "[] ['cur_analysis.io', 'cur_analysis.io.aws']"
