"""Source fingerprints listed without Spark: S3 objects on a moto server (keys, sizes, ETags),
local files (paths, sizes, modification times), a failed listing as one sentence, and a closed
month read from the Parquet footers."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from botocore.stub import Stubber

from cur_analysis.errors import SourceListingError
from cur_analysis.io import aws
from cur_analysis.io.fingerprint import fingerprints, is_closed, list_sources
from cur_analysis.periods import BillingPeriod
from cur_analysis.schedule import describe_change

from ..support import SAMPLE_MONTHS
from ..support_moto import moto_server, reset_moto

MAY = BillingPeriod(2024, 5)
BUCKET = "cur-bucket"
LOCATION = f"s3://{BUCKET}/cur/report/year=2024/month=5/"


@pytest.fixture(scope="module")
def moto_url(tmp_path_factory):
    with moto_server(tmp_path_factory.mktemp("moto"), "us-east-1") as url:
        yield url


@pytest.fixture
def s3(moto_url):
    reset_moto(moto_url)
    client = aws.client("s3")
    client.create_bucket(Bucket=BUCKET)
    for name, body in (("cur-00001.snappy.parquet", b"aaaa"), ("cur-00002.snappy.parquet", b"bb")):
        client.put_object(Bucket=BUCKET, Key=f"cur/report/year=2024/month=5/{name}", Body=body)
    client.put_object(Bucket=BUCKET, Key="cur/report/year=2024/month=5/_SUCCESS", Body=b"")
    return client


def _listed(client):
    return fingerprints([(MAY, LOCATION)], [MAY], client)[MAY]


def test_s3_objects_are_listed_with_sizes_and_etags_and_a_same_size_rewrite_is_seen(s3) -> None:
    before = _listed(s3)
    assert [(f.path.rsplit("/", 1)[-1], f.size) for f in before.files] == [
        ("cur-00001.snappy.parquet", 4),
        ("cur-00002.snappy.parquet", 2),
    ]
    head = s3.head_object(
        Bucket=BUCKET, Key="cur/report/year=2024/month=5/cur-00001.snappy.parquet"
    )
    assert before.files[0].version == head["ETag"].strip('"')
    key = "cur/report/year=2024/month=5/cur-00001.snappy.parquet"
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"zzzz")  # same size, new content
    after = _listed(s3)
    assert after.digest != before.digest
    assert describe_change(before, after) == "1 file, new ETags"


@pytest.mark.parametrize("code", ["AccessDenied", "SlowDown"])
def test_a_listing_that_fails_stops_the_run_in_one_sentence(s3, code: str) -> None:
    with Stubber(s3) as stub:
        stub.add_client_error("list_objects_v2", code, http_status_code=403)
        with pytest.raises(SourceListingError) as raised:
            _listed(s3)
    message = str(raised.value)
    assert message.startswith(f"cannot list the source files of 2024-05 at {LOCATION} ({code})")
    assert message.endswith("nothing was published") and "\n" not in message


def test_local_files_are_listed_with_their_modification_time(tmp_path: Path) -> None:
    folder = tmp_path / "year=2024" / "month=5"
    folder.mkdir(parents=True)
    (folder / "a.parquet").write_bytes(b"abc")
    (folder / ".a.parquet.crc").write_bytes(b"x")
    before = fingerprints([(MAY, f"file:{folder}")], [MAY])[MAY]
    assert [(Path(f.path).name, f.size) for f in before.files] == [("a.parquet", 3)]
    stat = (folder / "a.parquet").stat()
    os.utime(folder / "a.parquet", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    after = fingerprints([(MAY, str(folder))], [MAY])[MAY]
    assert describe_change(before, after) == "1 file, new modification times"


def test_a_month_is_closed_when_every_line_item_carries_an_invoice_id(
    s3, samples_dir: Path, generated_export: Path, tmp_path: Path
) -> None:
    sample = samples_dir / next(iter(SAMPLE_MONTHS))
    key = "cur/report/year=2018/month=10/sample.snappy.parquet"
    s3.upload_file(str(sample), BUCKET, key)
    closed = fingerprints([(MAY, f"s3://{BUCKET}/cur/report/year=2018/month=10/")], [MAY], s3)
    assert is_closed(closed[MAY], s3)
    generated = generated_export / "year=2024" / "month=5"
    local = fingerprints([(MAY, str(generated))], [MAY])[MAY]
    assert not is_closed(local)  # the generator writes no invoice ids
    copy = tmp_path / "closed"
    copy.mkdir()
    shutil.copyfile(sample, copy / "sample.parquet")
    assert is_closed(fingerprints([(MAY, str(copy))], [MAY])[MAY])


def test_a_footer_that_cannot_be_read_is_one_sentence(s3, samples_dir: Path) -> None:
    sample = samples_dir / next(iter(SAMPLE_MONTHS))
    s3.upload_file(str(sample), BUCKET, "cur/report/year=2018/month=10/sample.snappy.parquet")
    location = f"s3://{BUCKET}/cur/report/year=2018/month=10/"
    listed = fingerprints([(MAY, location)], [MAY], s3)[MAY]
    with Stubber(s3) as stub:
        stub.add_client_error("get_object", "AccessDenied", http_status_code=403)
        with pytest.raises(SourceListingError) as raised:
            is_closed(listed, s3)
    message = str(raised.value)
    assert message.startswith(f"cannot read the Parquet footer of {listed.files[0].path} (")
    assert "(AccessDenied)" in message and "\n" not in message


def test_one_listing_answers_for_a_partition_by_its_folder_however_it_is_spelled(
    tmp_path: Path,
) -> None:
    """The catalog index spells a local partition as a path, the metastore as a ``file:`` URI:
    the run's one listing answers for both (the manifest records the files the plan listed)."""
    folder = tmp_path / "year=2024" / "month=5"
    folder.mkdir(parents=True)
    (folder / "a.parquet").write_bytes(b"abc")
    listing = list_sources([(MAY, str(folder))], [MAY])
    (listed,) = listing.files_at(f"file:{folder}/")
    assert (Path(listed.path).name, listed.size) == ("a.parquet", 3)
    assert listing.files_at(str(folder)) == (listed,)
    assert listing.files_at(str(tmp_path / "year=2024" / "month=4")) is None
    assert listing.fingerprints == fingerprints([(MAY, str(folder))], [MAY])
