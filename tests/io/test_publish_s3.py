"""The publisher on S3 (moto in-process): the manifest is one PutObject, versions that no
manifest names are deleted, a dead run's journal record is healed. No Spark: the version
objects stand in for what Spark writes."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from cur_analysis.io import publish
from cur_analysis.io.stores import S3Store
from cur_analysis.periods import BillingPeriod

MAY = BillingPeriod(2024, 5)
OUTPUT = "s3://datasets-bucket/out"


@pytest.fixture
def s3(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket="datasets-bucket")
        yield client


def _keys(client) -> list[str]:
    listed = client.list_objects_v2(Bucket="datasets-bucket").get("Contents", [])
    return sorted(item["Key"] for item in listed)


def _write_version(client, run_id: str, body: bytes) -> None:
    key = f"out/{publish.version_location('daily_cost', MAY, run_id)}/part-0.parquet"
    client.put_object(Bucket="datasets-bucket", Key=key, Body=body)


def _publication(dataset: str) -> publish.Publication:
    source = publish.SourceRecord("cur_org.legacy_all", (), "2024-06-01T00:00:00+00:00")
    return publish.Publication((MAY,), (dataset,), source)


def _publish(client, run_id: str, body: bytes) -> publish.Publisher:
    publisher = publish.Publisher(OUTPUT, S3Store(client), run_id=run_id)
    transaction = publisher.begin(_publication("daily_cost"))
    _write_version(client, run_id, body)
    transaction.commit()
    return publisher


def test_publishing_on_s3_switches_the_manifest_and_deletes_the_old_version(s3) -> None:
    _publish(s3, "run-a", b"old")
    _publish(s3, "run-b", b"newer")
    store = S3Store(s3)
    manifest = publish.read_manifest(store, OUTPUT, MAY)
    entry = manifest.datasets["daily_cost"]
    assert manifest.run_id == "run-b" and entry.location.endswith("run=run-b")
    assert [(f.path, f.size) for f in entry.files] == [("part-0.parquet", 5)]
    assert _keys(s3) == [
        "out/_manifests/2024-05.json",
        "out/daily_cost/year=2024/month=5/run=run-b/part-0.parquet",
    ]
    assert publish.published_files(OUTPUT, "daily_cost", store=store) == [
        f"{OUTPUT}/daily_cost/year=2024/month=5/run=run-b/part-0.parquet"
    ]


def test_a_dead_runs_version_on_s3_is_deleted_by_the_next_run(s3) -> None:
    _publish(s3, "run-a", b"old")
    dead = publish.Publisher(OUTPUT, S3Store(s3), run_id="run-dead")
    dead.begin(_publication("daily_cost"))
    _write_version(s3, "run-dead", b"half")  # then killed: no manifest switch
    manifest = publish.read_manifest(S3Store(s3), OUTPUT, MAY)
    assert manifest.run_id == "run-a"
    assert "out/_runs/run-dead.json" in _keys(s3)

    healer = publish.Publisher(OUTPUT, S3Store(s3), run_id="run-c")
    assert healer.heal() == ["run-dead"]
    assert _keys(s3) == [
        "out/_manifests/2024-05.json",
        "out/daily_cost/year=2024/month=5/run=run-a/part-0.parquet",
    ]


def test_a_small_datasets_driver_written_file_is_one_object_the_manifest_names(s3) -> None:
    publisher = publish.Publisher(OUTPUT, S3Store(s3), run_id="run-d")
    transaction = publisher.begin(_publication("account_monthly"))
    transaction.stage_periods("account_monthly", {MAY: b"PAR1-rows"})
    transaction.commit()
    assert _keys(s3) == [
        "out/_manifests/2024-05.json",
        "out/account_monthly/year=2024/month=5/run=run-d/part-00000-run-d.parquet",
    ]
    entry = publish.read_manifest(S3Store(s3), OUTPUT, MAY).datasets["account_monthly"]
    assert [(f.path, f.size) for f in entry.files] == [("part-00000-run-d.parquet", 9)]
