"""``destroy``: remove, in reverse order, exactly what cur-bootstrap created; keep the rest.

What counts as ours (recorded when it was made):
- the RAM share named ``cur-bootstrap-<database>`` carrying the tag ``managed-by=cur-bootstrap``;
- the Lake Formation permissions this tool grants (the permissions and grant options of
  ``bootstrap.desired``), revoked only as far as they are held: any
  other permission the same principal holds stays;
- the bucket policy statements with our Sids that have the shape we write
  (``policies.looks_like_ours``); every other statement is kept byte for byte, and the policy is
  deleted only when nothing else is left;
- the resource link with the configured name that targets the producer's database;
- the job role's inline policy ``cur-bootstrap-read-cur``.
Account-level settings are kept: RAM organization sharing, data lake settings, a revoked
IAM_ALLOWED_PRINCIPALS (not restored) and hybrid opt-ins.

Order: consumer (inline policy, grants, resource link), then producer (bucket policy, grants,
share) — the reverse of apply. A second run finds nothing to do.
"""

from __future__ import annotations

import json
from typing import Any

from awsplan.aws import AccountClients, aws_call, check_account
from awsplan.lakeformation import Grant, pairs, read_grants
from awsplan.plan import Action, ActionKind, Plan
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.consumer import read_link, read_role
from bootstrap.desired import consumer_desired, producer_desired, share_name
from bootstrap.policies import (
    JOB_ROLE_POLICY_NAME,
    OUR_BUCKET_SIDS,
    looks_like_ours,
    statements_of,
    without_statements,
)
from bootstrap.producer import (
    MANAGED_BY_TAG,
    put_bucket_policy,
    read_bucket_policy,
    sharing_principals,
)


def _revocations(lakeformation: Any, account_id: str, wanted: tuple[Grant, ...]) -> list[Action]:
    held = read_grants(lakeformation, account_id, pairs(wanted))
    actions = []
    for ours in wanted:
        found = held.get(ours.principal, ours.resource)
        if found is None:
            continue
        permissions = sorted(found.permissions & ours.permissions)
        grantable = sorted(found.grantable & ours.grantable)
        if not permissions and not grantable:
            continue
        request = {
            "Principal": {"DataLakePrincipalIdentifier": ours.principal},
            "Resource": ours.resource.to_request(),
            "Permissions": permissions,
            "PermissionsWithGrantOption": grantable,
        }

        def revoke(request: dict[str, Any] = request, what: str = ours.describe()) -> object:
            return aws_call(
                lakeformation.revoke_permissions,
                call="lakeformation:RevokePermissions",
                resource=what,
                **request,
            )

        actions.append(
            Action.build(
                f"LF grant {ours.describe()}",
                ActionKind.DELETE,
                "made by cur-bootstrap; other permissions of the principal stay",
                revoke,
                request,
            )
        )
    return actions


def destroy_consumer(
    clients: AccountClients, producer: ProducerConfig, consumer: ConsumerConfig
) -> Plan:
    check_account(clients, consumer.account_id, "consumer")
    actions: list[Action] = []
    iam, glue = clients.iam, clients.glue
    _, policy = read_role(iam, consumer)
    if policy is not None:
        request = {"RoleName": consumer.job_role_name, "PolicyName": JOB_ROLE_POLICY_NAME}

        def delete_policy() -> object:
            return aws_call(
                iam.delete_role_policy,
                call="iam:DeleteRolePolicy",
                resource=f"role {consumer.job_role_name}",
                **request,
            )

        actions.append(
            Action.build(
                f"IAM inline policy {JOB_ROLE_POLICY_NAME} on role {consumer.job_role_name}",
                ActionKind.DELETE,
                "made by cur-bootstrap (its name)",
                delete_policy,
                request,
            )
        )
    actions.extend(
        _revocations(
            clients.lakeformation, consumer.account_id, consumer_desired(producer, consumer).grants
        )
    )
    link = read_link(glue, consumer)
    if link.exists and link.targets(producer):

        def drop_link() -> object:
            return aws_call(
                glue.delete_database,
                call="glue:DeleteDatabase",
                resource=f"resource link {consumer.resource_link}",
                Name=consumer.resource_link,
            )

        actions.append(
            Action.build(
                f"resource link {consumer.account_id}:{consumer.resource_link} -> "
                f"{producer.account_id}:{producer.database}",
                ActionKind.DELETE,
                "the configured resource link to the producer's database",
                drop_link,
                {"Name": consumer.resource_link},
            )
        )
    return Plan.of(actions)


def _our_share(clients: AccountClients, producer: ProducerConfig) -> tuple[str | None, list[str]]:
    """The ARN of our share (name and tag), and notes about same-named foreign shares."""
    name = share_name(producer)
    answer = aws_call(
        lambda: [
            s
            for page in clients.ram.get_paginator("get_resource_shares").paginate(
                resourceOwner="SELF", name=name
            )
            for s in page.get("resourceShares", [])
        ],
        call="ram:GetResourceShares",
        resource=f"resource share {name}",
    )
    live = [s for s in answer if s.get("name") == name and s.get("status") == "ACTIVE"]
    ours = [s for s in live if MANAGED_BY_TAG in s.get("tags", [])]
    notes = (
        [f"RAM share {name} has no managed-by=cur-bootstrap tag: kept (not ours)"]
        if live and not ours
        else []
    )
    return (str(ours[0]["resourceShareArn"]) if ours else None), notes


def destroy_producer(clients: AccountClients, producer: ProducerConfig) -> Plan:
    check_account(clients, producer.account_id, "producer")
    actions: list[Action] = []
    notes: list[str] = []
    s3, ram = clients.s3, clients.ram
    document = read_bucket_policy(clients, producer)
    ours = [
        str(s["Sid"])
        for s in statements_of(document or {})
        if isinstance(s, dict) and s.get("Sid") in OUR_BUCKET_SIDS and looks_like_ours(s, producer)
    ]
    foreign = [
        str(s["Sid"])
        for s in statements_of(document or {})
        if isinstance(s, dict) and s.get("Sid") in OUR_BUCKET_SIDS and str(s["Sid"]) not in ours
    ]
    notes.extend(
        f"bucket policy statement {sid} was not written by cur-bootstrap: kept" for sid in foreign
    )
    if document is not None and ours:
        rest = without_statements(document, tuple(ours))
        if statements_of(rest):
            text = json.dumps(rest)

            def put() -> object:
                return put_bucket_policy(s3, producer, text)

            run, why = put, "our statements removed; the others kept unchanged"
        else:

            def delete() -> object:
                return aws_call(
                    s3.delete_bucket_policy,
                    call="s3:DeleteBucketPolicy",
                    resource=f"bucket {producer.bucket}",
                    Bucket=producer.bucket,
                )

            run, why = delete, "only our statements were in it"
        actions.append(
            Action.build(
                f"bucket policy of {producer.bucket} (Sid {', '.join(ours)})",
                ActionKind.DELETE,
                why,
                run,
                {"Bucket": producer.bucket, "RemovedSids": ours},
            )
        )
    principals = sharing_principals(clients, producer)
    actions.extend(
        _revocations(
            clients.lakeformation,
            producer.account_id,
            producer_desired(producer, principals).grants,
        )
    )
    share_arn, share_notes = _our_share(clients, producer)
    notes.extend(share_notes)
    if share_arn is not None:

        def delete_share() -> object:
            return aws_call(
                ram.delete_resource_share,
                call="ram:DeleteResourceShare",
                resource=f"resource share {share_arn}",
                resourceShareArn=share_arn,
            )

        actions.append(
            Action.build(
                f"RAM share {share_name(producer)} in {producer.account_id}",
                ActionKind.DELETE,
                "made by cur-bootstrap (name and managed-by tag)",
                delete_share,
                {"resourceShareArn": share_arn},
            )
        )
    return Plan.of(actions, notes)
