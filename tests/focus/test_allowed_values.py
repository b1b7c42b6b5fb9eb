"""Every enumerated FOCUS 1.2 column holds only the spec's allowed values, on the real samples and
on generated data.

focus-validator 2.2.1's allowed-value checks pass any value (a ``Bogus`` CommitmentDiscountStatus
or ChargeCategory passes CommitmentDiscountStatus-C-005-M and ChargeCategory-C-003-M), so this
test is the one that shows ours are allowed. The values are the spec's (``oracle_spec_1_2``); the
provider-assigned types (CommitmentDiscountType, BillingAccountType, SubAccountType) have no list,
and are checked against the spec's other requirements: null exactly where their id is, one
readable value per id.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest

from .oracle_spec_1_2 import ALLOWED, SUBCATEGORIES

# Provider-assigned type -> the id it must be null without and not null with (spec 1.2).
TYPED_IDS = {
    "CommitmentDiscountType": "CommitmentDiscountId",
    "BillingAccountType": "BillingAccountId",
    "SubAccountType": "SubAccountId",
}
# Status columns that must be null when their id is (spec 1.2, each column's nullability).
NULL_WITHOUT = {
    "CommitmentDiscountStatus": "CommitmentDiscountId",
    "CommitmentDiscountCategory": "CommitmentDiscountId",
    "CapacityReservationStatus": "CapacityReservationId",
}

# The columns ``violations`` reads besides the allowed-value ones.
_OTHER_COLUMNS = tuple(
    dict.fromkeys(("ServiceSubcategory", *TYPED_IDS, *TYPED_IDS.values(), *NULL_WITHOUT.values()))
)


def violations(table: pa.Table) -> dict[str, set[str]]:
    """Per column, what breaks the spec's allowed values (empty when nothing does)."""
    frame = table.to_pandas()
    found: dict[str, set[str]] = {}
    for name, allowed in ALLOWED.items():
        found[name] = set(frame[name].dropna()) - allowed
    parents = frame["ServiceSubcategory"].map(SUBCATEGORIES)
    wrong = frame[parents != frame["ServiceCategory"]]
    found["ServiceSubcategory"] = set(wrong["ServiceSubcategory"].fillna("<null>"))
    for name, id_column in {**TYPED_IDS, **NULL_WITHOUT}.items():
        found[f"{name} without {id_column}"] = set(
            frame.loc[frame[id_column].isna() & frame[name].notna(), name]
        )
    for name, id_column in TYPED_IDS.items():
        found[f"{name} missing"] = set(
            frame.loc[frame[id_column].notna() & frame[name].isna(), id_column]
        )
        found[f"{name} not one readable value per id"] = _unreadable(frame, name, id_column)
    return {name: values for name, values in found.items() if values}


def _unreadable(frame: pd.DataFrame, name: str, id_column: str) -> set[str]:
    values = frame[name].dropna()
    blank = {value for value in values if not value.strip() or value != value.strip()}
    per_id = frame.dropna(subset=[id_column]).groupby(id_column)[name].nunique(dropna=False)
    return blank | set(per_id[per_id > 1].index)


@pytest.mark.spark  # the runs are fixtures it asks for by name
@pytest.mark.parametrize("run", ["focus_samples", "focus_converter_sample", "focus_generated"])
def test_enumerated_columns_hold_the_spec_allowed_values(run: str, request) -> None:
    table = request.getfixturevalue(run).table
    assert violations(table) == {}


def test_the_check_finds_a_value_the_spec_does_not_allow(focus_generated) -> None:
    """The same check on a copy with one bogus value per enumerated column, and a subcategory
    under another category: each is found (the validator passes such values)."""
    table = focus_generated.table
    bogus = table.to_pandas()
    for name in ALLOWED:
        bogus.loc[bogus.index[0], name] = "Bogus"
    bogus.loc[bogus.index[1], "ServiceSubcategory"] = "Block Storage"
    bogus.loc[bogus.index[1], "ServiceCategory"] = "Compute"
    found = violations(pa.Table.from_pandas(bogus[[*ALLOWED, *_OTHER_COLUMNS]]))
    assert {name: found[name] for name in ALLOWED} == {name: {"Bogus"} for name in ALLOWED}
    assert "Block Storage" in found["ServiceSubcategory"]
