"""``cur-deploy --config deploy.toml [--plan | --check] [--json]`` (also ``python -m deploy``).

Exit codes (as ``cur-bootstrap``): 0 applied or nothing to do; 2 ``--plan`` found changes pending;
1 error, printed as one line (or one line per bad configuration value), a usage error, or a failed
``--check``.
The configuration and the artifacts are checked before any AWS call; Spark is never started.
``--check`` only reads: whether Lake Formation governs the account and, if so, whether the job
role holds the grants its output tables need.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from awsplan.aws import AccountClients, check_account, make_session
from awsplan.cli import Parser, examples
from awsplan.errors import AwsPlanError
from awsplan.plan import (
    EXIT_ERROR,
    EXIT_NO_CHANGES,
    apply_and_reread,
    render_json,
    render_table,
    still_pending,
)
from cur_analysis.errors import CurAnalysisError
from deploy.check import run_checks
from deploy.config import DEFAULT_CONFIG_PATH, DeployConfig, load_config
from deploy.desired import Desired, desired_state, output_grants
from deploy.errors import DeployConfigError, DeployError
from deploy.planner import plan_deploy

PROG = "cur-deploy"


DESCRIPTION = (
    "Deploy the cur-analysis Glue job into one account: upload the wheel and the job script "
    "to the artifact bucket (created if missing), create the output database, the job and its "
    "schedule trigger, and (with [job] lake_formation) grant the job role what its output "
    "tables need in Lake Formation. "
    "Checks the configuration and the artifacts in dist/ before any AWS call; a second run "
    "changes nothing."
    "\n\n"
    "--check only reads: whether Lake Formation governs the account and, if so, whether the "
    "job role holds the grants its output tables need."
)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=examples(
            f"{PROG} --plan",
            f"{PROG} --config prod-deploy.toml",
            f"{PROG} --check --config prod-deploy.toml",
            exit_codes={
                0: "applied, or nothing to do",
                2: "changes pending (--plan)",
                1: "an error, or a failed --check",
            },
        ),
    )
    parser.add_argument(
        "--config", default=DEFAULT_CONFIG_PATH, metavar="FILE", help="deploy configuration"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--plan",
        action="store_true",
        help="only list the changes needed (exit 2 when any), change nothing",
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="only check Lake Formation governance and the job role's grants (exit 1 on a FAIL)",
    )
    parser.add_argument("--json", action="store_true", help="print the plan as JSON")
    return parser


def connect(config: DeployConfig) -> AccountClients:
    """Clients of the target account, from the standard chain, profile or assumed role."""
    session = make_session(
        region=config.aws.region,
        profile=config.aws.profile,
        assume_role_arn=config.aws.assume_role_arn,
        session_name="cur-analysis-deploy",
    )
    clients = AccountClients(session)
    if config.aws.account_id is not None:
        check_account(clients, config.aws.account_id, "aws")
    return clients


def main(argv: Sequence[str] | None = None) -> int:
    """The ``cur-deploy`` command."""
    return run(build_parser().parse_args(argv))


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run ``deploy`` for parsed ``args``; returns the exit code, never raises a user error."""
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        config = load_config(args.config)
        if args.check:
            return _check(connect(config), config, out)
        desired = desired_state(config)
        clients = connect(config)
        if args.plan:
            return _plan(clients, desired, args.json, out)
        return _apply(clients, desired, args.json, out, err)
    except DeployConfigError as error:
        print(f"{PROG}: {error.source}: invalid configuration:", file=err)
        for problem in error.problems:
            print(f"  - {problem}", file=err)
        return EXIT_ERROR
    except (CurAnalysisError, AwsPlanError) as error:
        print(f"{PROG}: error: {error}", file=err)
        return EXIT_ERROR


def _check(clients: AccountClients, config: DeployConfig, out: TextIO) -> int:
    checks = run_checks(clients, output_grants(config), config.job.lake_formation)
    for check in checks:
        print(check.line(), file=out)
    return EXIT_NO_CHANGES if all(c.ok for c in checks) else EXIT_ERROR


def _plan(clients: AccountClients, desired: Desired, as_json: bool, out: TextIO) -> int:
    plan = plan_deploy(clients, desired)
    print(render_json(plan) if as_json else render_table(plan, title="Deploy plan"), file=out)
    return plan.exit_code


def _apply(
    clients: AccountClients, desired: Desired, as_json: bool, out: TextIO, err: TextIO
) -> int:
    plan = plan_deploy(clients, desired)
    print(render_json(plan) if as_json else render_table(plan, title="Deploy plan"), file=out)
    if plan.is_empty:
        return EXIT_NO_CHANGES
    progress_to = err if as_json else out
    remaining = apply_and_reread(plan, lambda: plan_deploy(clients, desired), progress_to)
    if not remaining.is_empty:
        raise DeployError(f"{still_pending(plan, remaining)}; run deploy again")
    return EXIT_NO_CHANGES
