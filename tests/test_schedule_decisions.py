"""The computed/skipped decision of a scheduled run, as values: no Spark, no files."""

from __future__ import annotations

import json

from cur_analysis.io.recorded import INPUTS, inputs_json, published_state
from cur_analysis.periods import BillingPeriod
from cur_analysis.schedule import (
    Current,
    Fingerprint,
    Published,
    PublishedDataset,
    RecordedInputs,
    SourceFile,
    decide,
    describe_change,
)

APRIL, MAY = BillingPeriod(2024, 4), BillingPeriod(2024, 5)
KEY = "s3://cur/report/year=2024/month=5/cur-0000{}.snappy.parquet"


def _may(*versions: str, size: int = 10) -> Fingerprint:
    return Fingerprint(
        MAY, tuple(SourceFile(KEY.format(i), size, v) for i, v in enumerate(versions))
    )


def _april(version: str) -> Fingerprint:
    return Fingerprint(APRIL, (SourceFile("s3://cur/april.parquet", 5, version),))


def _published(source: Fingerprint, previous: Fingerprint | None, **datasets: str) -> Published:
    recorded = RecordedInputs(source, previous, "0.1.0", closed=True)
    return Published({n: PublishedDataset("run-1", d, recorded) for n, d in datasets.items()})


DEFS = {"daily_cost": "d1", "account_monthly": "a1"}
PUBLISHED = _published(_may("e1", "e2", "e3"), _april("p1"), **DEFS)


def _current(source=None, previous=None, version="0.1.0", definitions=DEFS) -> Current:
    return Current(source or _may("e1", "e2", "e3"), previous or _april("p1"), version, definitions)


def _decide(current: Current, published: Published = PUBLISHED, **kwargs):
    kwargs.setdefault("datasets", list(DEFS))
    kwargs.setdefault("reads_previous", ["account_monthly"])
    return decide(MAY, current, published, **kwargs)


def test_unchanged_is_skipped_since_the_run_that_published_it() -> None:
    decision = _decide(_current())
    assert not decision.compute
    assert decision.line == "2024-05 skipped (unchanged since run run-1), closed"


def test_rewritten_files_are_named_with_their_new_etags() -> None:
    decision = _decide(_current(source=_may("x1", "x2", "x3")))
    assert decision.line == "2024-05 computed (source changed: 3 files, new ETags)"


def test_a_file_added_or_removed_is_a_change() -> None:
    assert _decide(_current(source=_may("e1", "e2", "e3", "e4"))).reason == (
        "source changed: 1 file added"
    )
    assert _decide(_current(source=_may("e1", "e2"))).reason == "source changed: 1 file removed"


def test_a_local_rewrite_is_named_by_its_modification_time() -> None:
    old = Fingerprint(MAY, (SourceFile("/x/a.parquet", 3, "mtime:1"),))
    new = Fingerprint(MAY, (SourceFile("/x/a.parquet", 3, "mtime:2"),))
    assert describe_change(old, new) == "1 file, new modification times"
    assert describe_change(old, old) is None


def test_a_restated_previous_month_makes_the_month_after_it_stale_for_its_change_columns() -> None:
    restated = _current(previous=_april("p2"))
    assert _decide(restated).reason == "previous period 2024-04 restated: 1 file, new ETags"
    only_daily = _decide(restated, datasets=["daily_cost"])
    assert not only_daily.compute  # daily_cost has no change columns


def test_a_dataset_not_published_yet_is_computed() -> None:
    current = _current(definitions={**DEFS, "tag_monthly": "t1"})
    decision = _decide(current, datasets=[*DEFS, "tag_monthly"])
    assert decision.compute and decision.reason == "tag_monthly not published yet"


def test_a_version_bump_or_a_changed_definition_is_computed() -> None:
    assert _decide(_current(version="0.2.0")).reason == "package version 0.1.0 -> 0.2.0"
    changed = _current(definitions={**DEFS, "daily_cost": "d2"})
    assert _decide(changed).reason == "definition of daily_cost changed"


def test_force_computes_an_unchanged_period() -> None:
    assert _decide(_current(), force=True).line == "2024-05 computed (--force)"


def test_a_manifest_missing_unreadable_or_of_layout_1_is_computed_with_a_one_line_note() -> None:
    assert published_state(None).note == "not published yet"
    assert published_state("{not json").note.startswith("manifest unreadable (JSONDecodeError")
    assert published_state('{"format": 1, "datasets": {}}').note == (
        "manifest of an older layout (1) records no source fingerprint"
    )
    broken = json.dumps({"format": 2, "datasets": {}, INPUTS: {"r": {"source": 3}}})
    note = published_state(broken).note
    assert note.startswith("manifest unreadable (KeyError") and "\n" not in note
    assert _decide(_current(), published_state(broken)).compute


def test_recorded_inputs_read_back_as_written() -> None:
    recorded = RecordedInputs(_may("e1"), None, "0.1.0", closed=False)
    body = {
        "format": 2,
        "datasets": {"daily_cost": {"run_id": "r", "definition": "d1"}},
        INPUTS: {"r": inputs_json(recorded)},
    }
    state = published_state(json.dumps(body))
    assert state.note is None
    assert state.datasets["daily_cost"] == PublishedDataset("r", "d1", recorded)


def test_a_dataset_kept_from_a_layout_1_run_is_recomputed() -> None:
    recorded = RecordedInputs(_may("e1", "e2", "e3"), _april("p1"), "0.1.0")
    body = {
        "format": 2,
        "datasets": {
            "daily_cost": {"run_id": "new", "definition": "d1"},
            "account_monthly": {"run_id": "old"},
        },
        INPUTS: {"new": inputs_json(recorded)},
    }
    decision = _decide(_current(), published_state(json.dumps(body)))
    assert decision.reason == "account_monthly published by an older layout without inputs"


def test_tables_asked_for_in_a_new_output_database_are_computed() -> None:
    current = Current(_may("e1", "e2", "e3"), _april("p1"), "0.1.0", DEFS, "cur_datasets")
    assert _decide(current).reason == "tables in cur_datasets not published yet"


def test_a_dataset_asked_for_in_another_form_has_another_definition() -> None:
    from cur_analysis.datasets.definitions import definition
    from cur_analysis.datasets.registry import DAILY_COST, FOCUS

    line_items = {"version": "1.2", "granularity": "line-item"}
    daily = {"version": "1.2", "granularity": "daily"}
    assert definition(FOCUS, line_items) == definition(FOCUS, dict(line_items))
    assert definition(FOCUS, line_items) != definition(FOCUS, daily)
    assert definition(DAILY_COST) != definition(FOCUS, line_items)
