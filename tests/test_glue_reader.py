"""The Glue reader's wiring: partitions listed in the producer's catalog, predicates handed to Glue.

botocore's Stubber stands in for Glue here because moto ignores ``CatalogId`` on reads, so it
cannot show account B reading account A's catalog through a resource link. The DynamicFrame read
itself needs the Glue jars and runs in the Glue container tests.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from cur_analysis.errors import MissingPeriodError
from cur_analysis.io.readers import GlueCatalogReader, read_cur
from cur_analysis.periods import BillingPeriod

PRODUCER = "111111111111"


class _RecordingGlueContext:
    """Records the ``from_catalog`` call the reader makes; returns a frame-like object."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        outer = self

        class _Factory:
            def from_catalog(self, **kwargs):
                outer.calls.append(kwargs)

                class _DynamicFrame:
                    def toDF(self):  # noqa: N802 - Glue's name
                        return "frame"

                return _DynamicFrame()

        self.create_dynamic_frame = _Factory()


@pytest.fixture
def glue():
    client = boto3.client(
        "glue", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield client, stubber


def _expect_link_and_partitions(stubber: Stubber, months: list[str]) -> None:
    stubber.add_response(
        "get_database",
        {
            "Database": {
                "Name": "cur_org_linked",
                "TargetDatabase": {"CatalogId": PRODUCER, "DatabaseName": "cur_org"},
            }
        },
        {"Name": "cur_org_linked"},
    )
    stubber.add_response(
        "get_table",
        {
            "Table": {
                "Name": "legacy_all",
                "PartitionKeys": [
                    {"Name": "year", "Type": "string"},
                    {"Name": "month", "Type": "string"},
                ],
            }
        },
        {"CatalogId": PRODUCER, "DatabaseName": "cur_org", "Name": "legacy_all"},
    )
    stubber.add_response(
        "get_partitions",
        {"Partitions": [{"Values": ["2024", m]} for m in months]},
        {
            "CatalogId": PRODUCER,
            "DatabaseName": "cur_org",
            "TableName": "legacy_all",
            "ExcludeColumnSchema": True,
        },
    )


def test_reads_with_push_down_and_catalog_predicates(glue) -> None:
    client, stubber = glue
    _expect_link_and_partitions(stubber, ["4", "5"])
    context = _RecordingGlueContext()
    frame = read_cur(
        GlueCatalogReader(context, client), "cur_org_linked", "legacy_all", [BillingPeriod(2024, 5)]
    )
    assert frame == "frame"
    assert context.calls == [
        {
            "database": "cur_org_linked",
            "table_name": "legacy_all",
            "push_down_predicate": "year = '2024' and month = '5'",
            "additional_options": {"catalogPartitionPredicate": "year = '2024' and month = '5'"},
        }
    ]
    stubber.assert_no_pending_responses()


def test_missing_period_stops_before_any_read(glue) -> None:
    client, stubber = glue
    _expect_link_and_partitions(stubber, ["4"])
    context = _RecordingGlueContext()
    with pytest.raises(MissingPeriodError, match="periods present: 2024-04"):
        read_cur(
            GlueCatalogReader(context, client),
            "cur_org_linked",
            "legacy_all",
            [BillingPeriod(2024, 5)],
        )
    assert context.calls == []
