"""awsplan.plan: the generic plan, immutable, rendered as a table and as JSON, applied in order."""

from __future__ import annotations

import json

import pytest

from awsplan.plan import Action, ActionKind, Plan, apply_plan, render_json, render_table


def test_plan_is_immutable_and_renders_table_and_json() -> None:
    ran: list[str] = []
    first = Action.build("res one", ActionKind.CREATE, "missing", lambda: ran.append("1"), {"b": 1})
    second = Action.build("res two", ActionKind.UPDATE, "differs", lambda: ran.append("2"))
    plan = Plan.of([first, second])
    assert not plan.is_empty and len(plan) == 2 and plan.exit_code == 2
    assert Plan().is_empty and Plan().exit_code == 0
    with pytest.raises(AttributeError):
        plan.actions = ()  # type: ignore[misc]
    assert render_table(plan).splitlines() == [
        "Plan: 2 change(s) pending",
        "RESOURCE  ACTION  WHY",
        "res one   create  missing",
        "res two   update  differs",
    ]
    assert json.loads(render_json(plan)) == {
        "changes": 2,
        "actions": [
            {"resource": "res one", "action": "create", "why": "missing", "spec": {"b": 1}},
            {"resource": "res two", "action": "update", "why": "differs", "spec": {}},
        ],
    }
    assert ran == []  # rendering never runs anything
    apply_plan(plan)
    assert ran == ["1", "2"]
