"""The computed/skipped decision of a scheduled run, as values: no Spark, no files."""

from __future__ import annotations

import json

from cur_analysis.io.recorded import INPUTS, inputs_json, published_state
from cur_analysis.periods import BillingPeriod
from cur_analysis.schedule import (
    PREVIOUS_FROM_PUBLISHED,
    Current,
    Decision,
    Fingerprint,
    Published,
    PublishedDataset,
    RecordedInputs,
    SourceFile,
    decide,
    describe_change,
    previous_from_runs,
    published_previous,
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


# April as published: its monthly datasets with change columns, from April's files "p1".
APRIL_PUBLISHED = Published(
    {
        name: PublishedDataset("run-4", "a1", RecordedInputs(_april("p1"), None, "0.1.0"))
        for name in ("account_monthly", "service_monthly")
    }
)
NEEDS_APRIL = ["account_monthly", "service_monthly"]


def _april_figures(now=None, published=APRIL_PUBLISHED, version="0.1.0", definition="a1"):
    return published_previous(
        _april("p1") if now is None else now,
        published,
        reads_previous=NEEDS_APRIL,
        definitions={name: definition for name in NEEDS_APRIL},
        version=version,
    )


def test_a_published_unchanged_previous_month_stands_in_for_its_source() -> None:
    assert _april_figures() == {"account_monthly": "run-4", "service_monthly": "run-4"}


def test_a_previous_month_changed_redefined_or_unpublished_is_read_from_its_source() -> None:
    assert _april_figures(now=_april("p2")) is None  # restated since it was published
    assert _april_figures(definition="a2") is None  # published under another definition
    assert _april_figures(version="0.2.0") is None  # by another package version
    assert _april_figures(published=Published(note="not published yet")) is None
    only_one = Published({"account_monthly": APRIL_PUBLISHED.datasets["account_monthly"]})
    assert _april_figures(published=only_one) is None  # service_monthly not published
    assert (
        published_previous(
            None,
            APRIL_PUBLISHED,
            reads_previous=NEEDS_APRIL,
            definitions={name: "a1" for name in NEEDS_APRIL},
            version="0.1.0",
        )
        is None
    )  # no previous partition at all


def test_the_line_names_the_run_the_previous_month_was_taken_from() -> None:
    decision = Decision(MAY, True, "source changed: 1 file, new ETags", previous="x")
    assert decision.outcome == "computed (source changed: 1 file, new ETags; x)"
    assert previous_from_runs({"account_monthly": "r1", "service_monthly": "r1"}) == (
        "previous month from run r1"
    )
    assert previous_from_runs({"account_monthly": "r2", "service_monthly": "r1"}) == (
        "previous month from runs r1, r2"
    )


def test_where_the_previous_figures_came_from_reads_back_as_written() -> None:
    recorded = RecordedInputs(
        _may("e1"),
        _april("p1"),
        "0.1.0",
        previous_from=PREVIOUS_FROM_PUBLISHED,
        previous_runs=(("account_monthly", "run-4"), ("service_monthly", "run-4")),
    )
    body = inputs_json(recorded)
    assert body["previous_from"] == "published"
    assert body["previous_runs"] == {"account_monthly": "run-4", "service_monthly": "run-4"}
    manifest = {
        "format": 2,
        "datasets": {"account_monthly": {"run_id": "r", "definition": "a1"}},
        INPUTS: {"r": body},
    }
    assert published_state(json.dumps(manifest)).datasets["account_monthly"].inputs == recorded
