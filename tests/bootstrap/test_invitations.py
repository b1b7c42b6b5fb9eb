"""Invitations (account principals) and associations still under way.

The consumer's RAM invitation calls are answered by a botocore Stubber: moto 5.2 implements
neither GetResourceShareInvitations nor AcceptResourceShareInvitation. Everything else is moto.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from awsplan.aws import AccountClients
from awsplan.plan import ActionKind, apply_plan
from bootstrap.cli import main
from bootstrap.consumer import plan_consumer
from bootstrap.doctor import run_doctor
from bootstrap.producer import plan_producer
from tests.bootstrap.support import DATABASE, REGION, A, B, World, stubbed
from tests.bootstrap.support_strict_world import STRICT


def _invitation(arn: str, name: str, sender: str = A, status: str = "PENDING") -> dict[str, str]:
    prefix = f"arn:aws:ram:{REGION}:{sender}:resource-share-invitation"
    return {
        "resourceShareInvitationArn": f"{prefix}/{arn}",
        "resourceShareName": name,
        "senderAccountId": sender,
        "receiverAccountId": B,
        "status": status,
    }


def test_lake_formation_share_invitations_are_accepted_too(world: World) -> None:
    config = world.config(producer={"share_with": [B]})
    apply_plan(plan_producer(AccountClients(world.a), config.producer))
    ours = _invitation("ours", f"cur-bootstrap-{DATABASE}")
    lake_formation = _invitation("lf", "LakeFormation-V3-ABCDEF")
    stranger = _invitation("stranger", "LakeFormation-V3-XYZ", sender="333333333333")
    done = _invitation("done", "LakeFormation-V3-OLD", status="ACCEPTED")
    ram_b, stub = stubbed(world.b, "ram")
    stub.add_response(
        "get_resource_share_invitations",
        {"resourceShareInvitations": [ours, lake_formation, stranger, done]},
        {},
    )
    for accepted in (ours, lake_formation):
        stub.add_response(
            "accept_resource_share_invitation",
            {"resourceShareInvitation": {**accepted, "status": "ACCEPTED"}},
            {"resourceShareInvitationArn": accepted["resourceShareInvitationArn"]},
        )
    clients_b = AccountClients(world.b, overrides={"ram": ram_b})
    plan = plan_consumer(clients_b, config.producer, config.consumer)
    accepts = [a.spec_data["resourceShareInvitationArn"] for a in plan.actions[:2]]
    assert accepts == [
        ours["resourceShareInvitationArn"],
        lake_formation["resourceShareInvitationArn"],
    ]
    assert all(a.kind is ActionKind.UPDATE for a in plan.actions[:2])
    apply_plan(plan)
    stub.assert_no_pending_responses()


def test_organization_sharing_passes_without_any_invitation(world: World) -> None:
    apply_plan(plan_producer(AccountClients(world.a), world.config().producer))
    checks = {
        c.name: c
        for c in run_doctor(
            world.config(), producer=AccountClients(world.a), consumer=AccountClients(world.b)
        )
    }
    assert checks["producer.ram-org-sharing"].ok
    assert checks["consumer.invitation"].ok
    assert "no invitation exists" in checks["consumer.invitation"].detail


def test_associating_is_pending_in_plan_and_doctor(world: World) -> None:
    config = world.config()
    apply_plan(plan_producer(AccountClients(world.a), config.producer))
    STRICT.associating_left.clear()
    STRICT.associating_reads = 100
    plan = plan_producer(AccountClients(world.a), config.producer)
    assert plan.is_empty  # nothing to re-associate ...
    [note] = [n for n in plan.notes if "ASSOCIATING" in n]  # ... but it says so
    assert "pending, not yet associated" in note
    checks = {
        c.name: c for c in run_doctor(config, producer=AccountClients(world.a), consumer=None)
    }
    assert not checks["producer.ram-share-principals"].ok
    assert "still ASSOCIATING" in checks["producer.ram-share-principals"].detail


def test_apply_waits_while_associating(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    STRICT.associating_reads = 4  # two reads (resources, principals) per look
    path = world.write(tmp_path / "c.toml")
    assert main(["apply", "--config", str(path), "--side", "producer"]) == 0
    out = capsys.readouterr().out
    waits = [x for x in out.splitlines() if x.startswith("waiting: RAM share")]
    assert len(waits) == 2
    assert "Applied 5 change(s); re-read shows no changes pending." in out
