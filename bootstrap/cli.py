"""``cur-bootstrap`` (also ``python -m bootstrap``): init, plan, apply, doctor, destroy.

Exit codes: 0 success / nothing to do; 1 error (one line on stderr) or a failed doctor check;
2 ``plan`` (or ``destroy --dry-run``) found changes pending (like ``terraform plan
-detailed-exitcode``); usage errors exit 1 too (argparse would use 2).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from awsplan.aws import AccountClients, make_session
from awsplan.cli import Parser, examples
from awsplan.errors import AwsPlanError
from awsplan.plan import (
    EXIT_ERROR,
    EXIT_NO_CHANGES,
    Action,
    Plan,
    apply_plan,
    render_json,
    render_table,
    still_pending,
)
from bootstrap.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConsumerConfig,
    ProducerConfig,
    example_text,
    load_config,
)
from bootstrap.consumer import KMS_UNKNOWN, plan_consumer
from bootstrap.desired import share_name
from bootstrap.destroy import destroy_consumer, destroy_producer
from bootstrap.doctor import all_passed, run_doctor
from bootstrap.errors import BootstrapError, ConfigError
from bootstrap.producer import plan_producer, read_kms_key, share_settled
from bootstrap.propagation import wait_for, wait_until_visible
from cur_analysis.errors import InvalidInputError
from cur_analysis.periods import BillingPeriod

SIDES = ("producer", "consumer", "both")


DESCRIPTION = (
    "Make the cross-account CUR sharing chain (RAM, Lake Formation, S3, IAM) exist and stay "
    "correct: the producer side in the payer account, the consumer side in the analytics account."
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", default=DEFAULT_CONFIG_PATH, metavar="FILE", help="configuration file"
    )
    sided = argparse.ArgumentParser(add_help=False)
    sided.add_argument("--side", choices=SIDES, default="both", help="which account(s) to work on")
    parser = Parser(
        prog="cur-bootstrap",
        description=DESCRIPTION,
        epilog=examples(
            "cur-bootstrap init",
            "cur-bootstrap plan --side producer",
            "cur-bootstrap apply && cur-bootstrap doctor --period 2024-05",
            exit_codes={
                0: "done, or nothing to do",
                2: "changes pending (plan, destroy --dry-run)",
                1: "an error, or a failed doctor check",
            },
        ),
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = commands.add_parser(
        "init",
        parents=[common],
        help="write a commented example config",
        description="Write a commented example configuration to edit.",
        epilog=examples(
            "cur-bootstrap init",
            "cur-bootstrap init --config admin/cur-bootstrap.toml --force",
            exit_codes={0: "written", 1: "an error"},
        ),
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    plan = commands.add_parser(
        "plan",
        parents=[common, sided],
        help="list the changes needed (exit 2 when any)",
        description="List the changes that would make the chain correct; change nothing.",
        epilog=examples(
            "cur-bootstrap plan",
            "cur-bootstrap plan --side consumer --config analytics.toml",
            "cur-bootstrap plan --json > plan.json",
            exit_codes={0: "nothing to do", 2: "changes pending", 1: "an error"},
        ),
    )
    plan.add_argument("--json", action="store_true", help="print the plan as JSON")
    commands.add_parser(
        "apply",
        parents=[common, sided],
        help="make the planned changes, then re-read and confirm",
        description="Make the planned changes (A's first, then B's), then re-read and confirm "
        "that no change is pending.",
        epilog=examples(
            "cur-bootstrap apply",
            "cur-bootstrap apply --side producer --config payer.toml",
            exit_codes={0: "applied, or nothing to do", 1: "an error, or changes still pending"},
        ),
    )
    destroy = commands.add_parser(
        "destroy",
        parents=[common, sided],
        help="remove what cur-bootstrap created, in reverse order (keeps everything else)",
        description="Remove what cur-bootstrap created, consumer first; keep everything else.",
        epilog=examples(
            "cur-bootstrap destroy --dry-run",
            "cur-bootstrap destroy --side consumer",
            exit_codes={
                0: "removed, or nothing to remove",
                2: "items to remove (--dry-run)",
                1: "an error",
            },
        ),
    )
    destroy.add_argument(
        "--dry-run", action="store_true", help="only show what would be removed (exit 2 when any)"
    )
    doctor = commands.add_parser(
        "doctor",
        parents=[common, sided],
        help="check every link of the chain (read-only)",
        description="Check every link of the chain, read-only: one PASS/WARN/FAIL line per "
        "check, with the fix of each failure.",
        epilog=examples(
            "cur-bootstrap doctor",
            "cur-bootstrap doctor --side consumer --period 2024-05",
            exit_codes={0: "every check passed", 1: "a check failed, or an error"},
        ),
    )
    doctor.add_argument(
        "--period", metavar="YYYY-MM", help="also check that a partition exists for this month"
    )
    return parser


@dataclass(frozen=True)
class Sides:
    """The clients of the sides a command works on (``None`` for a side left out)."""

    producer: AccountClients | None
    consumer: AccountClients | None


def parse_period(text: str) -> BillingPeriod:
    """``--period`` with the library's own parser (``2024-5`` and ``2024-05`` alike)."""
    try:
        return BillingPeriod.parse(text)
    except InvalidInputError as error:
        raise ConfigError("--period", (str(error),)) from None


def connect(config: Config, side: str) -> Sides:
    """One session per side, from the standard chain, optionally assuming the configured role."""
    p, c = config.producer, config.consumer
    producer = _clients(p.region, p) if side in ("producer", "both") else None
    consumer = _clients(config.consumer_region, c) if side in ("consumer", "both") else None
    return Sides(producer, consumer)


def _clients(region: str, part: ProducerConfig | ConsumerConfig) -> AccountClients:
    session = make_session(
        region=region,
        profile=part.profile,
        assume_role_arn=part.assume_role_arn,
        session_name="cur-bootstrap",
    )
    return AccountClients(session)


def _kms_key(config: Config, sides: Sides) -> str | None:
    """The bucket's SSE-KMS key when A can be read, else ``KMS_UNKNOWN``."""
    if sides.producer is None:
        return KMS_UNKNOWN
    return read_kms_key(sides.producer, config.producer)


def _consumer_plan(config: Config, sides: Sides) -> Plan:
    if sides.consumer is None:
        return Plan()
    return plan_consumer(sides.consumer, config.producer, config.consumer, _kms_key(config, sides))


def make_plan(config: Config, sides: Sides) -> Plan:
    plan = Plan()
    if sides.producer is not None:
        plan += plan_producer(sides.producer, config.producer)
    return plan + _consumer_plan(config, sides)


def cmd_init(args: argparse.Namespace, out: TextIO) -> int:
    path = Path(args.config)
    if path.is_dir():
        raise BootstrapError(
            f"{path} is a folder; give a file name, e.g. {path / DEFAULT_CONFIG_PATH}."
        )
    if path.exists() and not args.force:
        raise BootstrapError(f"{path} already exists; use --force to overwrite it.")
    if not path.parent.is_dir():
        raise BootstrapError(f"folder {path.parent} does not exist; create it first.")
    try:
        path.write_text(example_text(), encoding="utf-8")
    except OSError as error:
        raise BootstrapError(
            f"cannot write {path}: {error.strerror}; choose another path."
        ) from None
    print(
        f"Wrote {path}: edit the values, then run 'cur-bootstrap plan --config {path}'.", file=out
    )
    return EXIT_NO_CHANGES


def cmd_plan(args: argparse.Namespace, config: Config, sides: Sides, out: TextIO) -> int:
    plan = make_plan(config, sides)
    print(
        render_json(plan) if args.json else render_table(plan, title=f"Plan ({args.side})"),
        file=out,
    )
    return plan.exit_code


def apply_sides(config: Config, sides: Sides, out: TextIO, *, title: str = "Plan") -> Plan:
    """Plan, then apply A's changes, wait until B sees A's database, then apply B's changes.

    Returns the plan that was carried out (already printed). B's grants on A's resources fail
    until the share has propagated, hence the bounded wait in between (``--side both`` only).
    """
    producer_plan = plan_producer(sides.producer, config.producer) if sides.producer else Plan()
    consumer_plan = _consumer_plan(config, sides)
    plan = producer_plan + consumer_plan
    print(render_table(plan, title=title), file=out)
    if plan.conflicts:
        raise BootstrapError(f"refusing to apply: {plan.conflicts[0]}.")
    counter = iter(range(1, len(plan) + 1))

    def progress(action: Action) -> None:
        print(f"[{next(counter)}/{len(plan)}] {action.kind.value} {action.resource}", file=out)

    apply_plan(producer_plan, on_start=progress)
    if sides.producer is not None and not producer_plan.is_empty:
        producer_clients = sides.producer
        wait_for(
            lambda: share_settled(producer_clients, config.producer),
            f"RAM share {share_name(config.producer)} associations done (none ASSOCIATING)",
            out,
        )
    if sides.producer is not None and sides.consumer is not None and not consumer_plan.is_empty:
        wait_until_visible(sides.consumer.glue, config.producer, out)
    apply_plan(consumer_plan, on_start=progress)
    return plan


def cmd_apply(args: argparse.Namespace, config: Config, sides: Sides, out: TextIO) -> int:
    plan = apply_sides(config, sides, out, title=f"Plan ({args.side})")
    if plan.is_empty:
        return EXIT_NO_CHANGES
    remaining = make_plan(config, sides)
    if remaining.is_empty:
        print(f"Applied {len(plan)} change(s); re-read shows no changes pending.", file=out)
    else:
        raise BootstrapError(
            f"{still_pending(plan, remaining)}; wait a minute and run apply again."
        )
    return EXIT_NO_CHANGES


def cmd_doctor(args: argparse.Namespace, config: Config, sides: Sides, out: TextIO) -> int:
    period = parse_period(args.period) if args.period else None
    checks = run_doctor(config, producer=sides.producer, consumer=sides.consumer, period=period)
    for check in checks:
        print(check.line(), file=out)
    failed = sum(not c.ok for c in checks)
    print(
        f"{len(checks) - failed} passed, {failed} failed.",
        file=out,
    )
    return EXIT_NO_CHANGES if all_passed(checks) else EXIT_ERROR


def destroy_plan(config: Config, sides: Sides) -> Plan:
    """Consumer first, then producer: the reverse of apply."""
    plan = Plan()
    if sides.consumer is not None:
        plan += destroy_consumer(sides.consumer, config.producer, config.consumer)
    if sides.producer is not None:
        plan += destroy_producer(sides.producer, config.producer)
    return plan


def cmd_destroy(args: argparse.Namespace, config: Config, sides: Sides, out: TextIO) -> int:
    plan = destroy_plan(config, sides)
    print(render_table(plan, title=f"Destroy plan ({args.side})"), file=out)
    if args.dry_run or plan.is_empty:
        return plan.exit_code if args.dry_run else EXIT_NO_CHANGES
    counter = iter(range(1, len(plan) + 1))
    apply_plan(
        plan,
        on_start=lambda a: print(
            f"[{next(counter)}/{len(plan)}] {a.kind.value} {a.resource}", file=out
        ),
    )
    remaining = destroy_plan(config, sides)
    if not remaining.is_empty:
        raise BootstrapError(f"{still_pending(plan, remaining)}; run destroy again.")
    print(f"Removed {len(plan)} item(s); re-read shows nothing of ours left.", file=out)
    return EXIT_NO_CHANGES


COMMANDS: dict[str, Any] = {
    "plan": cmd_plan,
    "apply": cmd_apply,
    "doctor": cmd_doctor,
    "destroy": cmd_destroy,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out, err = sys.stdout, sys.stderr
    try:
        if args.command == "init":
            return cmd_init(args, out)
        if args.command == "doctor" and args.period:
            parse_period(args.period)  # validate before any AWS call
        config = load_config(args.config)
        sides = connect(config, args.side)
        return int(COMMANDS[args.command](args, config, sides, out))
    except ConfigError as error:
        print(f"cur-bootstrap: {error.source}: invalid configuration:", file=err)
        for problem in error.problems:
            print(f"  - {problem}", file=err)
        return EXIT_ERROR
    except AwsPlanError as error:
        print(f"cur-bootstrap: error: {error}", file=err)
        return EXIT_ERROR
