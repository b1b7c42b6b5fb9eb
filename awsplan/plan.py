"""Generic plan / apply machinery: no Lake Formation, no AWS; reusable by other deployers.

Diffing (elsewhere) reads the current state and returns an immutable ``Plan`` of ``Action``s.
Writers turn a plan into a text table or JSON; ``apply_plan`` runs exactly the planned actions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TextIO

EXIT_NO_CHANGES = 0
EXIT_ERROR = 1
EXIT_CHANGES_PENDING = 2


class ActionKind(StrEnum):
    """What an action does to its resource."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True)
class Action:
    """One change: which resource, what kind, why, and how to carry it out.

    ``spec`` is the request, as canonical JSON text (immutable; read it with ``spec_data``).
    ``run`` performs the change; it is excluded from equality and repr.
    """

    resource: str
    kind: ActionKind
    why: str
    run: Callable[[], object] = field(compare=False, repr=False)
    spec: str = "{}"

    @classmethod
    def build(
        cls,
        resource: str,
        kind: ActionKind,
        why: str,
        run: Callable[[], object],
        spec: Mapping[str, Any] | None = None,
    ) -> Action:
        return cls(resource, kind, why, run, canonical_json(spec or {}))

    @property
    def spec_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.spec)
        return data

    def to_dict(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "action": self.kind.value,
            "why": self.why,
            "spec": self.spec_data,
        }


@dataclass(frozen=True)
class Plan:
    """An ordered, immutable list of actions; empty means nothing to do.

    ``notes`` are findings the plan reports but does not act on (they never count as changes).
    ``conflicts`` are things the plan refuses to touch (e.g. a foreign statement using our
    Sid): plan reports them and exits 1, apply refuses to start.
    """

    actions: tuple[Action, ...] = ()
    notes: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()

    @classmethod
    def of(
        cls, actions: Iterable[Action], notes: Iterable[str] = (), conflicts: Iterable[str] = ()
    ) -> Plan:
        return cls(tuple(actions), tuple(notes), tuple(conflicts))

    @property
    def is_empty(self) -> bool:
        return not self.actions

    def __len__(self) -> int:
        return len(self.actions)

    def __add__(self, other: Plan) -> Plan:
        return Plan(
            self.actions + other.actions,
            self.notes + other.notes,
            self.conflicts + other.conflicts,
        )

    @property
    def exit_code(self) -> int:
        """Like ``terraform plan -detailed-exitcode``: 0 nothing to do, 2 changes pending,
        1 when a conflict blocks the plan."""
        if self.conflicts:
            return EXIT_ERROR
        return EXIT_NO_CHANGES if self.is_empty else EXIT_CHANGES_PENDING


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def render_table(plan: Plan, *, title: str = "Plan") -> str:
    """A fixed-width table: resource, action, why. One summary line at the end."""
    notes = [f"conflict: {c}" for c in plan.conflicts] + [f"note: {n}" for n in plan.notes]
    if plan.is_empty:
        return "\n".join([f"{title}: no changes; everything is up to date.", *notes])
    headers = ("RESOURCE", "ACTION", "WHY")
    rows = [(a.resource, a.kind.value, a.why) for a in plan.actions]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(2)]
    lines = [f"{title}: {len(plan)} change(s) pending"]
    for row in [headers, *rows]:
        lines.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip())
    return "\n".join([*lines, *notes])


def render_json(plan: Plan) -> str:
    """Machine-readable plan: ``{"changes": N, "actions": [...]}``."""
    payload: dict[str, Any] = {
        "changes": len(plan),
        "actions": [a.to_dict() for a in plan.actions],
    }
    # Only when there are any: the shape stays what other deployers expect.
    if plan.notes:
        payload["notes"] = list(plan.notes)
    if plan.conflicts:
        payload["conflicts"] = list(plan.conflicts)
    return json.dumps(payload, indent=2, sort_keys=False)


@dataclass(frozen=True)
class Applied:
    action: Action
    result: object = field(compare=False, repr=False)


def apply_plan(
    plan: Plan, *, on_start: Callable[[Action], None] | None = None
) -> tuple[Applied, ...]:
    """Run every action in order; stop at the first error (it propagates)."""
    done: list[Applied] = []
    for action in plan.actions:
        if on_start is not None:
            on_start(action)
        done.append(Applied(action, action.run()))
    return tuple(done)


def apply_and_reread(plan: Plan, replan: Callable[[], Plan], out: TextIO) -> Plan:
    """Carry out ``plan`` with a ``[i/n] kind resource`` line per action, then plan again.

    Returns the re-read plan: empty when every change took; otherwise the caller reports it
    with ``still_pending``.
    """
    total = len(plan)
    counter = iter(range(1, total + 1))

    def progress(action: Action) -> None:
        print(f"[{next(counter)}/{total}] {action.kind.value} {action.resource}", file=out)

    apply_plan(plan, on_start=progress)
    remaining = replan()
    if remaining.is_empty:
        print(f"Applied {total} change(s); re-read shows no changes pending.", file=out)
    return remaining


def still_pending(applied: Plan, remaining: Plan) -> str:
    """The sentence for changes that a re-read after apply still shows."""
    return (
        f"applied {len(applied)} change(s) but {len(remaining)} still show as pending on re-read "
        f"(first: {remaining.actions[0].resource})"
    )
