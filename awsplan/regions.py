"""Regions and partitions, from botocore's endpoint data (never a prefix guess).

botocore is imported lazily: ``awsplan.config`` (and the configurations of bootstrap and deploy
built on it) must import without boto3/botocore installed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from awsplan.errors import AwsPlanError


@cache
def _session() -> Any:
    import botocore.session

    return botocore.session.get_session()


def _partition(region: str) -> str | None:
    from botocore.exceptions import BotoCoreError

    try:
        return str(_session().get_partition_for_region(region))
    except (BotoCoreError, ValueError):
        return None


def partition_for(region: str) -> str:
    """The partition botocore puts ``region`` in (``aws``, ``aws-cn``, ``aws-us-gov``, ...)."""
    partition = _partition(region)
    if partition is None:
        raise AwsPlanError(
            f"{region!r} is not a region botocore knows; check the region name (or upgrade "
            "botocore for a newly launched region)."
        )
    return partition


def region_problem(region: str) -> str | None:
    """Why botocore rejects ``region`` for Glue (the service whose catalog is shared), if it
    does: unknown partition, or not among the partition's known Glue regions."""
    partition = _partition(region)
    if partition is None:
        return "not a region botocore knows"
    if region not in _session().get_available_regions("glue", partition_name=partition):
        return f"not a known AWS Glue region of partition {partition}"
    return None
