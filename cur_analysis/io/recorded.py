"""What a published period was computed from, as its manifest records it, and read back.

Layout 2 of the manifest (``io.publish``) adds two things a scheduled run compares:

- per dataset, ``definition``: the digest of the dataset's definition when it was computed
  (``datasets.definitions``);
- ``inputs``, per run that wrote one of the period's datasets: the package version, the
  period's source fingerprint, the previous period's (the change columns compare with it),
  whether the period was closed (every line item invoiced), and where the change columns'
  previous-period figures came from: ``previous_from`` ``"published"`` (with
  ``previous_runs``, the run each dataset's figures were published by), ``"source"``, or null
  when no requested dataset needed them.

A manifest that is missing, unreadable, or of layout 1 reads as a ``Published`` with a note:
the period is recomputed, never skipped on a guess.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cur_analysis.schedule import (
    NO_MANIFEST,
    Fingerprint,
    Published,
    PublishedDataset,
    RecordedInputs,
)

# The manifest layout that records inputs (layout 1 recorded none).
INPUTS_FORMAT = 2
INPUTS = "inputs"
DEFINITION = "definition"


def inputs_json(recorded: RecordedInputs) -> dict[str, Any]:
    return {
        "package_version": recorded.version,
        "source": recorded.source.to_json(),
        "previous": recorded.previous.to_json() if recorded.previous else None,
        "closed": recorded.closed,
        "reason": recorded.reason,
        "output_database": recorded.output_database,
        "previous_from": recorded.previous_from,
        "previous_runs": dict(recorded.previous_runs),
    }


def inputs_from_json(body: Mapping[str, Any]) -> RecordedInputs:
    previous = body["previous"]
    return RecordedInputs(
        Fingerprint.from_json(body["source"]),
        Fingerprint.from_json(previous) if previous is not None else None,
        str(body["package_version"]),
        bool(body["closed"]),
        str(body.get("reason", "")),
        body.get("output_database"),
        body.get("previous_from"),
        tuple(sorted((str(k), str(v)) for k, v in body.get("previous_runs", {}).items())),
    )


def published_state(text: str | None) -> Published:
    """The period's published state from its manifest's text (None: no manifest)."""
    if text is None:
        return Published(note=NO_MANIFEST)
    try:
        body = json.loads(text)
        layout = body["format"]
        if not isinstance(layout, int) or layout < INPUTS_FORMAT:
            return Published(
                note=f"manifest of an older layout ({layout}) records no source fingerprint"
            )
        runs = {run: inputs_from_json(entry) for run, entry in body[INPUTS].items()}
        entries = body["datasets"].items()
        datasets = {
            name: PublishedDataset(entry["run_id"], entry[DEFINITION], runs[entry["run_id"]])
            for name, entry in entries
            if entry.get(DEFINITION) and entry["run_id"] in runs
        }
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
        return Published(note=f"manifest unreadable ({reason})")
    unrecorded = tuple(sorted(name for name, _ in entries if name not in datasets))
    return Published(datasets, unrecorded=unrecorded)
