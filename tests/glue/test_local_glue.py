"""The container's stand-in Glue client answers as the local catalog does (runs everywhere)."""

from __future__ import annotations

from cur_analysis.io.readers import GlueCatalogReader
from cur_analysis.local.reader import LocalCatalogReader

from .support_local_glue import LocalGlueClient


def test_local_glue_client_lists_the_local_catalog_periods(spark, generated_catalog) -> None:
    reader = GlueCatalogReader(glue_context=None, glue_client=LocalGlueClient(spark))
    assert reader.available_periods(*generated_catalog) == LocalCatalogReader(
        spark
    ).available_periods(*generated_catalog)
