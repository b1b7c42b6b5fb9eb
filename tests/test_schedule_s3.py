"""Scheduled Glue runs over an S3 source (moto server): the periods to compute are decided from
Glue partition locations and S3 listings before the Glue context starts; a same-size rewrite is
seen by its ETag; a failed listing ends the job in one sentence with nothing published.

The Glue client is a stand-in answering the calls the reader makes (moto ignores ``CatalogId``,
which a resource link needs); S3 is a moto server. No Spark: the version objects stand in for
what Spark writes.
"""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from cur_analysis import glue_job
from cur_analysis.io import aws, publish
from cur_analysis.io.stores import S3Store
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig, plan_run

from .moto_support import moto_server, reset_moto
from .test_glue_source import _Glue

APRIL, MAY = BillingPeriod(2024, 4), BillingPeriod(2024, 5)
OUTPUT = "s3://datasets-bucket/out"
KEY = "cur/report/year=2024/month={month}/cur-0000{n}.snappy.parquet"
awsglue_utils = pytest.importorskip("awsglue.utils")


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory):
    with moto_server(tmp_path_factory.mktemp("moto"), "us-east-1") as url:
        yield url


@pytest.fixture
def s3(moto_url):
    reset_moto(moto_url)
    client = aws.client("s3")
    for bucket in ("cur-bucket", "datasets-bucket"):
        client.create_bucket(Bucket=bucket)
    for month in ("4", "5"):
        for n in (1, 2):
            client.put_object(Bucket="cur-bucket", Key=KEY.format(month=month, n=n), Body=b"abcd")
    return client


def _config(**kwargs) -> RunConfig:
    return RunConfig("cur_org", "legacy_all", ("last:2",), OUTPUT, **kwargs)


def _reader(s3):
    from cur_analysis.io.readers import GlueCatalogReader

    return GlueCatalogReader(None, _Glue(), s3)


def _publish(s3, plan) -> None:
    """What a run that computed ``plan``'s periods publishes (versions written by hand)."""
    publisher = publish.Publisher(OUTPUT, S3Store(s3), run_id="run-1")
    datasets = _config().datasets
    periods = plan.schedule.computed
    publisher.begin(periods, datasets, None, None)
    for dataset in datasets:
        for period in periods:
            key = f"out/{publish.version_location(dataset, period, 'run-1')}/part-0.parquet"
            s3.put_object(Bucket="datasets-bucket", Key=key, Body=b"rows")
    source = publish.SourceRecord("cur_org.legacy_all", (), "2024-06-01T00:00:00+00:00")
    publisher.publish(
        periods, datasets, source, None, recorded=plan.recorded, definitions=plan.definitions
    )


def _decisions(s3, **kwargs) -> dict[str, str]:
    plan = plan_run(_reader(s3), _config(**kwargs), S3Store(s3), s3)
    return {d.period.label: d.outcome for d in plan.schedule.decisions}


def test_a_same_size_rewrite_on_s3_is_recomputed_and_the_rest_skipped(s3) -> None:
    plan = plan_run(_reader(s3), _config(), S3Store(s3), s3)
    assert plan.schedule.computed == (APRIL, MAY)
    _publish(s3, plan)
    assert _decisions(s3) == {
        "2024-04": "skipped (unchanged since run run-1)",
        "2024-05": "skipped (unchanged since run run-1)",
    }
    s3.put_object(Bucket="cur-bucket", Key=KEY.format(month=5, n=2), Body=b"wxyz")
    assert _decisions(s3) == {
        "2024-04": "skipped (unchanged since run run-1)",
        # The stand-in version objects are not Parquet: May reads April's source instead.
        "2024-05": "computed (source changed: 1 file, new ETags; previous month from its source: "
        "the published 2024-04 account_monthly file part-0.parquet of run run-1 is not Parquet "
        "(ArrowInvalid))",
    }
    assert _decisions(s3, force=True)["2024-04"] == "computed (--force)"


def _edge(started: list[str]) -> glue_job.GlueEdge:
    def start(job_name: str):
        started.append(job_name)
        raise AssertionError("the Glue context was started")

    return glue_job.GlueEdge(
        awsglue_utils.getResolvedOptions, awsglue_utils.GlueArgumentError, start
    )


ARGV = [
    "cur_cost_aggregation.py",
    "--JOB_NAME",
    "cur-cost",
    "--source_database",
    "cur_org",
    "--source_table",
    "legacy_all",
    "--periods",
    "last:2",
    "--output_path",
    OUTPUT,
]


def _clients(monkeypatch, s3) -> None:
    """The job's client factory hands out the Glue stand-in and the moto S3 client."""
    glue = _Glue()
    monkeypatch.setattr(
        aws, "client", lambda service, session=None: glue if service == "glue" else s3
    )


def test_a_glue_job_with_every_period_unchanged_never_starts_the_glue_context(
    s3, monkeypatch, capsys
) -> None:
    _publish(s3, plan_run(_reader(s3), _config(), S3Store(s3), s3))
    _clients(monkeypatch, s3)
    started: list[str] = []
    glue_job.main(_edge(started), ARGV)
    out = capsys.readouterr().out
    assert started == []
    assert "2024-05    skipped (unchanged since run run-1)" in out
    with pytest.raises(AssertionError, match="the Glue context was started"):
        glue_job.main(_edge(started), [*ARGV, "--force", "true"])  # computes: starts Glue
    assert started == ["cur-cost"]


def test_a_listing_error_ends_the_job_in_one_sentence_and_publishes_nothing(
    s3, monkeypatch
) -> None:
    _clients(monkeypatch, s3)
    with Stubber(s3) as stub:
        stub.add_client_error("list_objects_v2", "AccessDenied", http_status_code=403)
        with pytest.raises(SystemExit) as raised:
            glue_job.main(_edge([]), ARGV)
    message = str(raised.value.code)
    assert message.startswith("cur-analysis: error: cannot list the source files of 2024-04")
    assert "(AccessDenied)" in message and "\n" not in message
    assert s3.list_objects_v2(Bucket="datasets-bucket").get("KeyCount", 0) == 0
