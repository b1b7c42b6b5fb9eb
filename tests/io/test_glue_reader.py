"""The Glue reader's wiring: partitions listed in the producer's catalog, predicates handed to Glue,
choice types resolved to the catalog's types.

botocore's Stubber stands in for Glue here because moto ignores ``CatalogId`` on reads, so it
cannot show account B reading account A's catalog through a resource link. The DynamicFrame read
itself needs the Glue jars: here a recording stand-in takes the calls, and each call is bound to
the real ``awsglue`` method's signature (AWSGlueDataplanePython), so a wrong keyword fails.
"""

from __future__ import annotations

import inspect

import boto3
import pytest
from awsglue.dynamicframe import DynamicFrame, DynamicFrameReader
from botocore.stub import Stubber

from cur_analysis.errors import InvalidInputError, MissingPeriodError
from cur_analysis.io.readers import GlueCatalogReader, read_cur
from cur_analysis.periods import BillingPeriod

PRODUCER = "111111111111"


def _bound(method, kwargs: dict) -> dict:
    """``kwargs`` bound to the real awsglue ``method`` (raises TypeError on a wrong keyword)."""
    inspect.signature(method).bind(None, **kwargs)
    return kwargs


class _RecordingGlueContext:
    """Records the ``from_catalog`` and ``resolveChoice`` calls the reader makes."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.resolved: list[dict] = []
        outer = self

        class _DynamicFrame:
            def resolveChoice(self, **kwargs):  # noqa: N802 - Glue's name
                outer.resolved.append(_bound(DynamicFrame.resolveChoice, kwargs))
                return self

            def toDF(self):  # noqa: N802 - Glue's name
                return "frame"

        class _Factory:
            def from_catalog(self, **kwargs):
                outer.calls.append(_bound(DynamicFrameReader.from_catalog, kwargs))
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
    """The link in B, the table and its partitions in A (month values as given)."""
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


def test_choice_types_are_resolved_to_the_producer_catalog_types(glue) -> None:
    """A DynamicFrame types a column by the files; ``match_catalog`` makes it the table's type,
    looked up where the table lives (A's catalog behind the link)."""
    client, stubber = glue
    _expect_link_and_partitions(stubber, ["5"])
    context = _RecordingGlueContext()
    read_cur(
        GlueCatalogReader(context, client), "cur_org_linked", "legacy_all", [BillingPeriod(2024, 5)]
    )
    assert context.resolved == [
        {
            "choice": "match_catalog",
            "database": "cur_org",
            "table_name": "legacy_all",
            "catalog_id": PRODUCER,
        }
    ]


def test_zero_padded_partitions_are_read_with_the_catalog_values(glue) -> None:
    """A crawler over ``month=05`` folders lists '05': the predicates say '05', never '5'."""
    client, stubber = glue
    _expect_link_and_partitions(stubber, ["04", "05"])
    context = _RecordingGlueContext()
    read_cur(
        GlueCatalogReader(context, client),
        "cur_org_linked",
        "legacy_all",
        [BillingPeriod(2024, 4), BillingPeriod(2024, 5)],
    )
    expected = "(year = '2024' and month = '04') or (year = '2024' and month = '05')"
    assert context.calls[0]["push_down_predicate"] == expected
    assert context.calls[0]["additional_options"] == {"catalogPartitionPredicate": expected}


def test_a_partition_value_that_is_no_number_is_refused_before_any_read(glue) -> None:
    client, stubber = glue
    _expect_link_and_partitions(stubber, ["5' or '1'='1"])
    context = _RecordingGlueContext()
    with pytest.raises(InvalidInputError):
        read_cur(
            GlueCatalogReader(context, client),
            "cur_org_linked",
            "legacy_all",
            [BillingPeriod(2024, 5)],
        )
    assert context.calls == []


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
