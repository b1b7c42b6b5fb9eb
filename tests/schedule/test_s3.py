"""Scheduled Glue runs over an S3 source (moto server): the periods to compute are decided from
Glue partition locations and S3 listings before the Glue context starts; a same-size rewrite is
seen by its ETag; a failed listing ends the job in one sentence with nothing published; a job
lists each period's objects once, for its schedule and its manifest's source alike.

The Glue client is a stand-in answering the calls the reader makes (moto ignores ``CatalogId``,
which a resource link needs); S3 is a moto server. Without Spark, the version objects stand in
for what Spark writes; the job that runs whole reads the generated export through a stand-in
Glue context (Spark here has no S3 filesystem).
"""

from __future__ import annotations

import pytest
from botocore.stub import Stubber

from cur_analysis import glue_job
from cur_analysis.io import aws, publish
from cur_analysis.io.stores import LocalStore, S3Store
from cur_analysis.periods import BillingPeriod
from cur_analysis.pipeline import RunConfig
from cur_analysis.planner import plan_run

from ..io.support import _Glue
from ..support_moto import moto_server, reset_moto

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
    source = publish.SourceRecord("cur_org.legacy_all", (), "2024-06-01T00:00:00+00:00")
    transaction = publisher.begin(
        publish.Publication(
            periods, datasets, source, recorded=plan.recorded, definitions=plan.definitions
        )
    )
    for dataset in datasets:
        for period in periods:
            key = f"out/{publish.version_location(dataset, period, 'run-1')}/part-0.parquet"
            s3.put_object(Bucket="datasets-bucket", Key=key, Body=b"rows")
    transaction.commit()


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


class _GlueContext:
    """A Glue context whose catalog reads return the local table's partitions (the predicate is
    Spark SQL, as Glue's push-down predicate is); resolving choices returns the frame as is."""

    def __init__(self, spark, table: str) -> None:
        self._spark, self._table = spark, table
        self.spark_session = spark  # awsglue's GlueContext has one
        self.create_dynamic_frame = self

    def from_catalog(self, database, table_name, push_down_predicate, additional_options):
        return self._Frame(self._spark.table(self._table).where(push_down_predicate))

    class _Frame:
        def __init__(self, frame) -> None:
            self._frame = frame

        def resolveChoice(self, **_):  # noqa: N802 - awsglue's name
            return self

        def toDF(self):  # noqa: N802 - awsglue's name
            return self._frame


class _Job:
    def commit(self) -> None:
        """Job bookmarks are off: nothing to commit."""


def _source_listings(s3) -> list[str]:
    """The prefixes of every ``ListObjectsV2`` call on the CUR bucket from now on."""
    prefixes: list[str] = []

    def seen(params, **_) -> None:
        if params.get("Bucket") == "cur-bucket":
            prefixes.append(params["Prefix"])

    s3.meta.events.register("before-parameter-build.s3.ListObjectsV2", seen)
    return prefixes


def _recorded_source(output, period: BillingPeriod) -> tuple[set, set]:
    """The files the period's manifest names as the run's source, and as its schedule input."""
    manifest = publish.read_manifest(LocalStore(), str(output), period)
    (partition,) = [
        p for p in manifest.sources[manifest.run_id]["partitions"] if p["period"] == period.label
    ]
    sources = {(f["path"], f["size"], f["etag"]) for f in partition["files"]}
    inputs = {tuple(f) for f in manifest.inputs[manifest.run_id]["source"]["files"]}
    return sources, inputs


def test_a_glue_job_lists_each_period_once_for_its_schedule_and_its_manifest(
    s3, monkeypatch, capsys, spark, generated_catalog, tmp_path
) -> None:
    _clients(monkeypatch, s3)
    physical = f"{generated_catalog[0].removesuffix('_linked')}.{generated_catalog[1]}"
    context = _GlueContext(spark, physical)
    edge = glue_job.GlueEdge(
        awsglue_utils.getResolvedOptions,
        awsglue_utils.GlueArgumentError,
        lambda job_name: (context, _Job()),
    )
    output = tmp_path / "out"
    argv = [*ARGV[:-1], str(output)]
    listed = _source_listings(s3)
    glue_job.main(edge, argv)
    prefix = "cur/report/year=2024/month={}/"
    assert sorted(listed) == [prefix.format(4), prefix.format(5)]  # once each, not twice
    sources, inputs = _recorded_source(output, MAY)
    assert sources == inputs and len(sources) == 2
    first = publish.read_manifest(LocalStore(), str(output), APRIL).run_id
    capsys.readouterr()

    listed.clear()
    s3.put_object(Bucket="cur-bucket", Key=KEY.format(month=5, n=2), Body=b"wxyz")
    glue_job.main(edge, argv)
    assert sorted(listed) == [prefix.format(4), prefix.format(5)]
    out = capsys.readouterr().out
    assert (
        f"2024-05    computed (source changed: 1 file, new ETags; previous month from run {first})"
    ) in out
    sources, inputs = _recorded_source(output, MAY)
    assert sources == inputs
    manifest = publish.read_manifest(LocalStore(), str(output), MAY)
    read = [p["period"] for p in manifest.sources[manifest.run_id]["partitions"]]
    assert read == ["2024-05"]  # April's figures came from its published datasets
