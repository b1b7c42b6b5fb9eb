"""Consumer side (account B): invitation, resource link, grants to the job role, IAM read policy.

``read_consumer`` only reads; ``plan_consumer`` returns the actions that close the difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from awsplan.aws import AccountClients, aws_call, check_account, role_is_new
from awsplan.lakeformation import Grant, HeldGrants, pairs, read_grants
from awsplan.plan import Action, ActionKind, Plan
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.desired import consumer_desired, share_name
from bootstrap.errors import BootstrapError
from bootstrap.grants import JOB_ROLE_ALLOWED, grant_actions
from bootstrap.policies import (
    DECRYPT_SID,
    JOB_ROLE_POLICY_NAME,
    job_role_policy,
    parse_policy,
    same_policy,
    statements_of,
)

PENDING = "PENDING"
ACCEPTED = "ACCEPTED"


@dataclass(frozen=True)
class Invitation:
    arn: str
    status: str
    share_name: str
    sender: str


@dataclass(frozen=True)
class LinkState:
    """What ``get_database(Name=resource_link)`` shows in catalog B."""

    exists: bool
    target_catalog: str | None = None
    target_database: str | None = None

    def targets(self, producer: ProducerConfig) -> bool:
        return (self.target_catalog, self.target_database) == (
            producer.account_id,
            producer.database,
        )

    def describe(self) -> str:
        if not self.exists:
            return "missing"
        if self.target_catalog is None:
            return "an ordinary database, not a resource link"
        return f"a resource link to {self.target_catalog}:{self.target_database}"


@dataclass(frozen=True)
class ConsumerState:
    invitations: tuple[Invitation, ...]
    link: LinkState
    grants: HeldGrants
    role_policy: dict[str, Any] | None
    role_created: datetime | None = None


LAKE_FORMATION_SHARE_MARK = "LakeFormation"


def is_ours_to_accept(share: str, ours: str) -> bool:
    """Our share, or one Lake Formation created for a grant to an account principal.

    Lake Formation makes its own RAM shares for cross-account grants to account ids (their
    names contain ``LakeFormation``; data.all's ``RamClient.accept_ram_invitation`` accepts
    exactly those). Without accepting them B never sees the granted resources.
    """
    return share == ours or LAKE_FORMATION_SHARE_MARK in share


def read_invitations(
    ram: Any, producer: ProducerConfig, consumer: ConsumerConfig
) -> tuple[Invitation, ...]:
    """Invitations from account A to our share and to Lake Formation's own shares.

    Only account principals get invitations: inside the organization with RAM organization
    sharing enabled none exist (RAM user guide), so nothing is read then.
    """
    if producer.shares_with_organization:
        return ()
    name = share_name(producer)
    pages = ram.get_paginator("get_resource_share_invitations").paginate()
    found = aws_call(
        lambda: list(pages),
        call="ram:GetResourceShareInvitations",
        resource=f"invitations to resource share {name} in account {consumer.account_id}",
    )
    return tuple(
        Invitation(i["resourceShareInvitationArn"], i["status"], i["resourceShareName"], sender)
        for page in found
        for i in page.get("resourceShareInvitations", [])
        if is_ours_to_accept(str(i.get("resourceShareName")), name)
        and (sender := str(i.get("senderAccountId"))) == producer.account_id
    )


def read_link(glue: Any, consumer: ConsumerConfig) -> LinkState:
    answer = aws_call(
        glue.get_database,
        call="glue:GetDatabase",
        resource=f"database {consumer.resource_link} in account {consumer.account_id}",
        missing=frozenset({"EntityNotFoundException"}),
        Name=consumer.resource_link,
    )
    if answer is None:
        return LinkState(exists=False)
    target = answer["Database"].get("TargetDatabase")
    if not target:
        return LinkState(exists=True)
    return LinkState(True, str(target.get("CatalogId")), str(target.get("DatabaseName")))


def read_role(iam: Any, consumer: ConsumerConfig) -> tuple[datetime | None, dict[str, Any] | None]:
    """The job role's ``CreateDate`` and our inline policy on it; raises when the role is
    missing."""
    role = aws_call(
        iam.get_role,
        call="iam:GetRole",
        resource=f"role {consumer.job_role_arn}",
        missing=frozenset({"NoSuchEntity"}),
        RoleName=consumer.job_role_name,
    )
    if role is None:
        raise BootstrapError(
            f"the job role {consumer.job_role_arn} does not exist; create the Glue job's role "
            "first or correct [consumer] job_role_arn."
        )
    created = role["Role"].get("CreateDate")
    answer = aws_call(
        iam.get_role_policy,
        call="iam:GetRolePolicy",
        resource=f"inline policy {JOB_ROLE_POLICY_NAME} of role {consumer.job_role_name}",
        missing=frozenset({"NoSuchEntity"}),
        RoleName=consumer.job_role_name,
        PolicyName=JOB_ROLE_POLICY_NAME,
    )
    if answer is None:
        return created, None
    return created, parse_policy(answer["PolicyDocument"], f"inline policy {JOB_ROLE_POLICY_NAME}")


def read_consumer(
    clients: AccountClients, producer: ProducerConfig, consumer: ConsumerConfig
) -> ConsumerState:
    """Everything the consumer plan compares against. Read-only calls only."""
    check_account(clients, consumer.account_id, "consumer")
    role_created, role_policy = read_role(clients.iam, consumer)
    return ConsumerState(
        invitations=read_invitations(clients.ram, producer, consumer),
        link=read_link(clients.glue, consumer),
        grants=read_grants(
            clients.lakeformation,
            consumer.account_id,
            pairs(consumer_desired(producer, consumer).grants),
        ),
        role_policy=role_policy,
        role_created=role_created,
    )


def check_job_role_grant(wanted: Grant) -> Grant:
    """Refuse any job-role grant beyond DESCRIBE/SELECT or with grant option."""
    extra = wanted.permissions - JOB_ROLE_ALLOWED
    if extra or wanted.grantable:
        raise BootstrapError(
            f"refusing to grant {sorted(extra | wanted.grantable)} (or grant option) to the job "
            f"role {wanted.principal}: only DESCRIBE and SELECT are ever granted to it."
        )
    return wanted


KMS_UNKNOWN = "unknown"


def plan_consumer(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    kms_key_arn: str | None = KMS_UNKNOWN,
) -> Plan:
    """``kms_key_arn``: the bucket's SSE-KMS key as read in account A, ``None`` for none, or
    ``KMS_UNKNOWN`` (consumer-only runs cannot read A's bucket: an existing kms:Decrypt
    statement of ours is then kept as it is)."""
    state = read_consumer(clients, producer, consumer)
    return Plan.of(
        [
            *_invitation_actions(clients, producer, consumer, state),
            *_link_actions(clients, producer, consumer, state),
            *_job_role_grant_actions(clients, producer, consumer, state),
            *_policy_actions(clients, producer, consumer, state, kms_key_arn),
        ]
    )


def _known_key(state: ConsumerState, kms_key_arn: str | None) -> str | None:
    if kms_key_arn != KMS_UNKNOWN:
        return kms_key_arn
    for statement in statements_of(state.role_policy or {}):
        if isinstance(statement, dict) and statement.get("Sid") == DECRYPT_SID:
            return str(statement.get("Resource"))
    return None


def _invitation_actions(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    state: ConsumerState,
) -> list[Action]:
    ram = clients.ram
    actions: list[Action] = []
    for invitation in state.invitations:
        if invitation.status != PENDING:
            continue
        request = {"resourceShareInvitationArn": invitation.arn}

        def accept(request: dict[str, str] = request) -> object:
            return aws_call(
                ram.accept_resource_share_invitation,
                call="ram:AcceptResourceShareInvitation",
                resource=f"invitation {request['resourceShareInvitationArn']}",
                **request,
            )

        actions.append(
            Action.build(
                f"RAM invitation to {invitation.share_name} from {invitation.sender}",
                ActionKind.UPDATE,
                "invitation is pending; accepting it",
                accept,
                request,
            )
        )
    return actions


def _link_actions(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    state: ConsumerState,
) -> list[Action]:
    if state.link.exists:
        if state.link.targets(producer):
            return []
        raise BootstrapError(
            f"database {consumer.resource_link} already exists in account {consumer.account_id} "
            f"as {state.link.describe()}, not a link to {producer.account_id}:"
            f"{producer.database}; cur-bootstrap never rewrites what it did not create: drop or "
            "rename it by hand, or choose another [consumer] resource_link."
        )
    glue = clients.glue
    request = {
        "DatabaseInput": {
            "Name": consumer.resource_link,
            "TargetDatabase": {
                "CatalogId": producer.account_id,
                "DatabaseName": producer.database,
            },
        }
    }

    def create() -> object:
        return aws_call(
            glue.create_database,
            call="glue:CreateDatabase",
            resource=f"resource link {consumer.resource_link} in account {consumer.account_id}",
            **request,
        )

    return [
        Action.build(
            f"resource link {consumer.account_id}:{consumer.resource_link} -> "
            f"{producer.account_id}:{producer.database}",
            ActionKind.CREATE,
            "resource link does not exist",
            create,
            request,
        )
    ]


def _job_role_grant_actions(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    state: ConsumerState,
) -> list[Action]:
    """The job role's missing grants, each refused first if it goes beyond DESCRIBE/SELECT.

    InvalidInputException is retried only when IAM showed the role to exist and it was created
    inside the IAM propagation window: then "Invalid principal" is the documented propagation
    delay, not a bad request (see ``awsplan.aws``).
    """
    wanted = [check_job_role_grant(g) for g in consumer_desired(producer, consumer).grants]
    return grant_actions(
        clients.lakeformation,
        wanted,
        state.grants,
        principal_is_new_role=role_is_new(state.role_created),
    )


def _policy_actions(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    state: ConsumerState,
    kms_key_arn: str | None = KMS_UNKNOWN,
) -> list[Action]:
    desired = job_role_policy(producer, consumer, _known_key(state, kms_key_arn))
    if state.role_policy is not None and same_policy(state.role_policy, desired):
        return []
    iam = clients.iam
    request = {
        "RoleName": consumer.job_role_name,
        "PolicyName": JOB_ROLE_POLICY_NAME,
        "PolicyDocument": json.dumps(desired),
    }

    def put() -> object:
        return aws_call(
            iam.put_role_policy,
            call="iam:PutRolePolicy",
            resource=f"role {consumer.job_role_name}",
            **request,
        )

    kind = ActionKind.CREATE if state.role_policy is None else ActionKind.UPDATE
    why = "inline policy missing" if state.role_policy is None else "inline policy differs"
    return [
        Action.build(
            f"IAM inline policy {JOB_ROLE_POLICY_NAME} on role {consumer.job_role_name}",
            kind,
            why,
            put,
            {**request, "PolicyDocument": desired},
        )
    ]
