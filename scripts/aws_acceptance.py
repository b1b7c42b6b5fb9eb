"""Opt-in acceptance run of cur-bootstrap against two real AWS accounts (``make aws-acceptance``).

Not part of ``make test``. Without the variables below it says what it needs and exits 0
without calling AWS. With them it runs, in order, and stops at the first failure:

  plan -> apply -> plan (0 changes) -> doctor -> read <resource_link>.<table> through Athena as
  the job role -> destroy -> plan (everything to create again)

Variables:
  CUR_ACCEPTANCE_CONFIG      a cur-bootstrap.toml whose [producer]/[consumer] name the two
                             accounts, each with `profile` (or `assume_role_arn`)
  CUR_ACCEPTANCE_ATHENA_OUTPUT  s3://... where Athena may write query results, writable by the
                             job role (in the consumer account)
  CUR_ACCEPTANCE_TABLE       optional, default legacy_all
  CUR_ACCEPTANCE_WORKGROUP   optional, default primary

The job role must trust the consumer's credentials for sts:AssumeRole for the Athena read
(add the consumer admin role to its trust policy for the run, or skip with
CUR_ACCEPTANCE_SKIP_READ=1). The job role also needs athena:StartQueryExecution /
GetQueryExecution / GetQueryResults and s3:PutObject/GetObject on the output location.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import boto3

NEEDED = ("CUR_ACCEPTANCE_CONFIG", "CUR_ACCEPTANCE_ATHENA_OUTPUT")


def _step(name: str, run: Callable[[], int], expected: int) -> None:
    print(f"== {name} (expect exit {expected})", flush=True)
    code = run()
    if code != expected:
        raise SystemExit(f"acceptance: {name} exited {code}, expected {expected}; stopping.")


def _athena_read(config_path: str, output: str, table: str, workgroup: str) -> None:
    from awsplan.aws import make_session
    from bootstrap.config import load_config

    config = load_config(config_path)
    consumer = config.consumer
    session = make_session(
        region=config.consumer_region,
        profile=consumer.profile,
        assume_role_arn=consumer.assume_role_arn,
        session_name="cur-bootstrap-acceptance",
    )
    athena = _assume(session, consumer.job_role_arn).client("athena")
    query = f'SELECT count(*) FROM "{consumer.resource_link}"."{table}"'
    print(f"== Athena as {consumer.job_role_arn}: {query}", flush=True)
    started = athena.start_query_execution(
        QueryString=query,
        WorkGroup=workgroup,
        ResultConfiguration={"OutputLocation": output},
    )["QueryExecutionId"]
    for _ in range(120):
        state = athena.get_query_execution(QueryExecutionId=started)["QueryExecution"]["Status"]
        if state["State"] in ("SUCCEEDED", "FAILED", "CANCELLED"):
            break
        time.sleep(2)
    if state["State"] != "SUCCEEDED":
        reason = state.get("StateChangeReason")
        raise SystemExit(f"acceptance: Athena query {state['State']}: {reason}")
    rows = athena.get_query_results(QueryExecutionId=started)["ResultSet"]["Rows"]
    print(f"   rows in {table}: {rows[1]['Data'][0]['VarCharValue']}", flush=True)


def _assume(session: boto3.Session, role_arn: str) -> boto3.Session:
    """The job role's own credentials: the read must succeed as the job role, not as an admin."""
    sts = session.client("sts")
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="cur-acceptance")["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=session.region_name,
    )


def main() -> int:
    missing = [name for name in NEEDED if not os.environ.get(name)]
    if missing:
        print(
            "aws-acceptance: not run (opt-in). It needs two real AWS accounts and: "
            + ", ".join(missing)
            + ". See docs/bootstrap.md#acceptance-against-real-aws."
        )
        return 0
    from bootstrap.cli import main as cli

    config = os.environ["CUR_ACCEPTANCE_CONFIG"]
    args = ["--config", config, "--side", "both"]
    _step("plan", lambda: cli(["plan", *args]), 2)
    _step("apply", lambda: cli(["apply", *args]), 0)
    _step("plan again: no changes", lambda: cli(["plan", *args]), 0)
    _step("doctor", lambda: cli(["doctor", *args]), 0)
    if os.environ.get("CUR_ACCEPTANCE_SKIP_READ") != "1":
        _athena_read(
            config,
            os.environ["CUR_ACCEPTANCE_ATHENA_OUTPUT"],
            os.environ.get("CUR_ACCEPTANCE_TABLE", "legacy_all"),
            os.environ.get("CUR_ACCEPTANCE_WORKGROUP", "primary"),
        )
    _step("destroy", lambda: cli(["destroy", *args]), 0)
    _step("plan after destroy: the whole chain again", lambda: cli(["plan", *args]), 2)
    print("aws-acceptance: passed.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
