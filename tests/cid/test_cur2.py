"""The cid tables from a CUR 2.0 export equal those from the legacy export of the same line
items; only account_map's names differ (CUR 2.0 has ``line_item_usage_account_name``)."""

from __future__ import annotations

import pytest

from . import oracle
from .support import GENERATED_TAGS, VIEWS, _compare, _run, _written

PERIOD = "2024-05"


@pytest.fixture(scope="module")
def cid_cur2(spark, generated_cur2_catalog, tmp_path_factory):
    output = tmp_path_factory.mktemp("cid-cur2-out")
    _run(spark, ("cur2_org", "cur2_all"), (PERIOD,), output, "cur2_cid", GENERATED_TAGS)
    return output


@pytest.mark.parametrize("view", VIEWS)
def test_cur2_gives_the_legacy_rows(cid_generated, cid_cur2, generated_export, view) -> None:
    _, legacy_output = cid_generated
    if view == "account_map":  # the legacy run's map holds three periods: the oracle's one
        legacy = oracle.account_map(generated_export, periods=(PERIOD,))
        # account_id, parent, account_name, email, parent_account_name, last usage start
        legacy = [(r[0], r[1], f"account {r[0]}", r[3], f"payer {r[1]}", r[5]) for r in legacy]
    else:
        legacy = [row for row in _written(legacy_output, view) if row[:2] == ("2024", "5")]
    rows, _ = _compare(view, _written(cid_cur2, view), legacy)
    print(f"{view}: {rows} rows equal (CUR 2.0 vs legacy, {PERIOD})")
