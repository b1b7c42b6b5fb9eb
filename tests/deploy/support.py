"""Helpers of the deploy tests: the configuration they write and how they run ``cur-deploy``."""

from __future__ import annotations

import io
from pathlib import Path

from awsplan.aws import AccountClients
from deploy import cli

REGION = "eu-west-1"
PROJECT = Path(__file__).resolve().parents[2]
JOB = "cur-cost-aggregation"


def deploy(config: Path, *flags: str) -> tuple[int, str, str]:
    """Run ``cur-deploy`` through its own parser; return (exit code, stdout, stderr)."""
    args = cli.build_parser().parse_args(["--config", str(config), *flags])
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(args, out, err)
    return code, out.getvalue(), err.getvalue()


CONFIG = """
[aws]
region = "{region}"

[artifacts]
bucket = "analytics-glue-artifacts"
prefix = "cur-analysis"
dist = "dist"

[job]
name = "cur-cost-aggregation"
role_arn = "arn:aws:iam::123456789012:role/cur-analysis-glue-job"
worker_type = "G.1X"
number_of_workers = {workers}
output_path = "s3://analytics-datasets/cur"
output_database = "cur_analysis"

[schedule]
cron = "{cron}"
enabled = {enabled}
"""


def write_config(
    folder: Path,
    *,
    workers: int = 2,
    cron: str = "cron(0 6 * * ? *)",
    enabled: bool = True,
    extra: str = "",
) -> Path:
    path = folder / "deploy.toml"
    text = CONFIG.format(region=REGION, workers=workers, cron=cron, enabled=str(enabled).lower())
    path.write_text(text + extra, encoding="utf-8")
    return path


def recorded_operations(clients: AccountClients) -> list[str]:
    """Names of the Glue and S3 operations the clients send from now on."""
    seen: list[str] = []
    for service in ("glue", "s3"):
        clients.client(service).meta.events.register(
            "before-call.*.*", lambda model, **_: seen.append(model.name)
        )
    return seen
