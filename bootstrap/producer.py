"""Producer side (account A): RAM share, Lake Formation grants to the organization, bucket policy.

``read_producer`` only reads; ``plan_producer`` turns the difference between the desired state
(the configuration) and what was read into a ``Plan`` whose actions make exactly those changes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from awsplan.aws import AccountClients, aws_call, check_account, partition_for
from awsplan.lakeformation import (
    DataLakeSettings,
    HeldGrants,
    pairs,
    read_data_lake_settings,
    read_grants,
)
from awsplan.plan import Action, ActionKind, Plan
from bootstrap.access_mode import (
    IamAllowedState,
    access_mode_actions,
    list_tables,
    read_iam_allowed,
)
from bootstrap.config import ProducerConfig
from bootstrap.desired import ProducerDesired, producer_desired, share_name
from bootstrap.errors import BootstrapError
from bootstrap.grants import grant_actions
from bootstrap.policies import (
    OUR_BUCKET_SIDS,
    find_statement,
    foreign_with_our_sid,
    merge_statements,
    parse_policy,
)

MANAGED_BY_TAG = {"key": "managed-by", "value": "cur-bootstrap"}
ASSOCIATED = "ASSOCIATED"
# RAM API reference (ResourceShareAssociation.status): ASSOCIATING is under way, not done yet.
PENDING_ASSOCIATION = "ASSOCIATING"
RAM_SERVICE_PRINCIPAL = "ram.amazonaws.com"


@dataclass(frozen=True)
class ShareState:
    arn: str
    resources: frozenset[str]
    principals: frozenset[str]
    pending: frozenset[str] = frozenset()  # resources or principals still ASSOCIATING


@dataclass(frozen=True)
class ProducerState:
    desired: ProducerDesired
    share: ShareState | None
    grants: HeldGrants
    bucket_policy: dict[str, Any] | None
    settings: DataLakeSettings
    access: IamAllowedState
    org_sharing: bool | None = None

    @property
    def principals(self) -> tuple[str, ...]:
        return self.desired.principals


def sharing_principals(clients: AccountClients, producer: ProducerConfig) -> tuple[str, ...]:
    """The organization ARN (read from AWS Organizations) or the account ids."""
    if not producer.shares_with_organization:
        return producer.share_accounts
    answer = aws_call(
        clients.organizations.describe_organization,
        call="organizations:DescribeOrganization",
        resource=f"the organization of account {producer.account_id}",
        missing=frozenset({"AWSOrganizationsNotInUseException"}),
    )
    if answer is None:
        raise BootstrapError(
            f"account {producer.account_id} is not in an AWS Organization; set [producer] "
            'share_with to a list of account ids instead of "organization".'
        )
    organization = answer["Organization"]
    if organization["Id"] != producer.organization_id:
        raise BootstrapError(
            f"account {producer.account_id} belongs to organization {organization['Id']}, but "
            f"[producer] organization_id = {producer.organization_id!r}; correct it."
        )
    return (str(organization["Arn"]),)


def read_share(clients: AccountClients, producer: ProducerConfig) -> ShareState | None:
    name = share_name(producer)
    pages = clients.ram.get_paginator("get_resource_shares").paginate(
        resourceOwner="SELF", name=name
    )
    shares: list[dict[str, Any]] = []
    for page in _pages(pages, "ram:GetResourceShares", f"resource share {name}"):
        shares.extend(page.get("resourceShares", []))
    live = [s for s in shares if s.get("name") == name and s.get("status") == "ACTIVE"]
    if not live:
        return None
    arn = live[0]["resourceShareArn"]
    resources, pending_resources = _associated(clients, arn, "RESOURCE")
    principals, pending_principals = _associated(clients, arn, "PRINCIPAL")
    return ShareState(
        arn=arn,
        resources=resources,
        principals=principals,
        pending=pending_resources | pending_principals,
    )


def share_settled(clients: AccountClients, producer: ProducerConfig) -> bool:
    """No association of our share is still ASSOCIATING (true when there is no share)."""
    share = read_share(clients, producer)
    return share is None or not share.pending


def read_table_locations(clients: AccountClients, producer: ProducerConfig) -> dict[str, str]:
    """S3 location of each shared table in catalog A (read-only)."""
    if producer.all_tables:
        tables = list_tables(clients, producer)
    else:
        found = [
            aws_call(
                clients.glue.get_table,
                call="glue:GetTable",
                resource=f"table {producer.database}.{name}",
                missing=frozenset({"EntityNotFoundException"}),
                DatabaseName=producer.database,
                Name=name,
            )
            for name in producer.tables
        ]
        tables = [answer["Table"] for answer in found if answer is not None]
    return {
        str(t["Name"]): str((t.get("StorageDescriptor") or {}).get("Location") or "")
        for t in tables
    }


def read_kms_key(clients: AccountClients, producer: ProducerConfig) -> str | None:
    """The SSE-KMS key ARN of the bucket's default encryption, if it uses SSE-KMS."""
    answer = aws_call(
        clients.s3.get_bucket_encryption,
        call="s3:GetEncryptionConfiguration",
        resource=f"bucket {producer.bucket}",
        missing=frozenset({"ServerSideEncryptionConfigurationNotFoundError"}),
        Bucket=producer.bucket,
    )
    if answer is None:
        return None
    for rule in answer["ServerSideEncryptionConfiguration"].get("Rules", []):
        default = rule.get("ApplyServerSideEncryptionByDefault") or {}
        if default.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse"):
            key = str(default.get("KMSMasterKeyID") or "aws/s3")
            if key.startswith("arn:"):
                return key
            partition = partition_for(producer.region)
            kind = "alias" if key.startswith("alias/") or key == "aws/s3" else "key"
            name = key.removeprefix("alias/")
            return f"arn:{partition}:kms:{producer.region}:{producer.account_id}:{kind}/{name}"
    return None


def read_catalog_policy(clients: AccountClients, producer: ProducerConfig) -> dict[str, Any] | None:
    answer = aws_call(
        clients.glue.get_resource_policy,
        call="glue:GetResourcePolicy",
        resource=f"the Data Catalog of account {producer.account_id}",
        missing=frozenset({"EntityNotFoundException"}),
    )
    if answer is None or not answer.get("PolicyInJson"):
        return None
    return parse_policy(answer["PolicyInJson"], "the Data Catalog resource policy")


def read_org_sharing(clients: AccountClients, producer: ProducerConfig) -> bool | None:
    """Is RAM sharing with AWS Organizations enabled (trusted access for ram.amazonaws.com)?

    ``None`` when sharing with account ids. With it enabled, organization members receive
    shares without invitations (RAM user guide, "Enable resource sharing within AWS
    Organizations"); read from the management account.
    """
    if not producer.shares_with_organization:
        return None
    answer = aws_call(
        clients.organizations.list_aws_service_access_for_organization,
        call="organizations:ListAWSServiceAccessForOrganization",
        resource=f"the organization of account {producer.account_id}",
    )
    return any(
        s.get("ServicePrincipal") == RAM_SERVICE_PRINCIPAL
        for s in answer.get("EnabledServicePrincipals", [])
    )


def _pages(pages: Any, call: str, resource: str) -> list[dict[str, Any]]:
    return list(aws_call(lambda: list(pages), call=call, resource=resource))


def _associated(
    clients: AccountClients, share_arn: str, kind: str
) -> tuple[frozenset[str], frozenset[str]]:
    """(associated, still associating) entities of one kind."""
    pages = clients.ram.get_paginator("get_resource_share_associations").paginate(
        associationType=kind, resourceShareArns=[share_arn]
    )
    found: set[str] = set()
    pending: set[str] = set()
    for page in _pages(pages, "ram:GetResourceShareAssociations", f"resource share {share_arn}"):
        for association in page.get("resourceShareAssociations", []):
            status = association.get("status")
            if status == ASSOCIATED:
                found.add(association["associatedEntity"])
            elif status == PENDING_ASSOCIATION:
                pending.add(association["associatedEntity"])
    return frozenset(found), frozenset(pending)


def read_bucket_policy(clients: AccountClients, producer: ProducerConfig) -> dict[str, Any] | None:
    answer = aws_call(
        clients.s3.get_bucket_policy,
        call="s3:GetBucketPolicy",
        resource=f"bucket {producer.bucket}",
        missing=frozenset({"NoSuchBucketPolicy"}),
        Bucket=producer.bucket,
    )
    if answer is None:
        return None
    return parse_policy(answer["Policy"], f"the policy of bucket {producer.bucket}")


def require_database(clients: AccountClients, producer: ProducerConfig) -> None:
    found = aws_call(
        clients.glue.get_database,
        call="glue:GetDatabase",
        resource=f"database {producer.database} in account {producer.account_id}",
        missing=frozenset({"EntityNotFoundException"}),
        Name=producer.database,
    )
    if found is None:
        raise BootstrapError(
            f"database {producer.database} does not exist in account {producer.account_id}; "
            "run the CUR crawler first or correct [producer] database."
        )


def read_producer(clients: AccountClients, producer: ProducerConfig) -> ProducerState:
    """Everything the producer plan compares against (the doctor's facts build on it).
    Read-only calls only."""
    check_account(clients, producer.account_id, "producer")
    require_database(clients, producer)
    desired = producer_desired(producer, sharing_principals(clients, producer))
    settings = read_data_lake_settings(clients.lakeformation, producer.account_id)
    return ProducerState(
        desired=desired,
        share=read_share(clients, producer),
        grants=read_grants(clients.lakeformation, producer.account_id, pairs(desired.grants)),
        bucket_policy=read_bucket_policy(clients, producer),
        settings=settings,
        access=read_iam_allowed(clients, producer, settings, desired.principals),
        org_sharing=read_org_sharing(clients, producer),
    )


def plan_producer(clients: AccountClients, producer: ProducerConfig) -> Plan:
    state = read_producer(clients, producer)
    access_actions, notes = access_mode_actions(clients, producer, state.access, state.principals)
    if state.share is not None and state.share.pending:
        notes = [
            *notes,
            f"RAM share {share_name(producer)}: {', '.join(sorted(state.share.pending))} still "
            "ASSOCIATING (pending, not yet associated); plan again in a minute.",
        ]
    return Plan.of(
        [
            *_org_sharing_actions(clients, producer, state),
            *_share_actions(clients, producer, state),
            *grant_actions(clients.lakeformation, state.desired.grants, state.grants),
            *access_actions,
            *_bucket_actions(clients, producer, state),
        ],
        notes,
        bucket_conflicts(producer, state),
    )


def _share_actions(
    clients: AccountClients, producer: ProducerConfig, state: ProducerState
) -> list[Action]:
    ram = clients.ram
    name = state.desired.share_name
    resources = state.desired.share_resources
    principals = state.principals
    where = f"RAM share {name} in {producer.account_id}"
    if state.share is None:
        request = {
            "name": name,
            "resourceArns": list(resources),
            "principals": list(principals),
            "allowExternalPrincipals": not producer.shares_with_organization,
            "tags": [MANAGED_BY_TAG],
        }

        def create() -> object:
            return aws_call(
                ram.create_resource_share, call="ram:CreateResourceShare", resource=where, **request
            )

        why = "no active share of the catalog, database and tables"
        return [Action.build(where, ActionKind.CREATE, why, create, request)]

    actions: list[Action] = []
    share_arn = state.share.arn
    present = state.share.resources | state.share.principals | state.share.pending
    missing_resources = [r for r in resources if r not in present]
    missing_principals = [p for p in principals if p not in present]
    for field, missing, what in (
        ("resourceArns", missing_resources, "resources"),
        ("principals", missing_principals, "principals"),
    ):
        if not missing:
            continue
        request = {"resourceShareArn": share_arn, field: missing}

        def associate(request: dict[str, Any] = request) -> object:
            return aws_call(
                ram.associate_resource_share,
                call="ram:AssociateResourceShare",
                resource=where,
                **request,
            )

        why = f"share lacks {what}: {', '.join(missing)}"
        actions.append(Action.build(where, ActionKind.UPDATE, why, associate, request))
    return actions


def _org_sharing_actions(
    clients: AccountClients, producer: ProducerConfig, state: ProducerState
) -> list[Action]:
    """A share with the organization as principal needs RAM's organization sharing enabled."""
    if state.org_sharing is not False:
        return []
    ram = clients.ram

    def enable() -> object:
        return aws_call(
            ram.enable_sharing_with_aws_organization,
            call="ram:EnableSharingWithAwsOrganization",
            resource=f"the organization of account {producer.account_id}",
        )

    return [
        Action.build(
            f"RAM sharing with AWS Organizations in {producer.account_id}",
            ActionKind.UPDATE,
            "not enabled; organization principals need it (no invitations then)",
            enable,
        )
    ]


def bucket_conflicts(producer: ProducerConfig, state: ProducerState) -> list[str]:
    return [
        f"the policy of bucket {producer.bucket} has a statement with Sid {sid} that "
        "cur-bootstrap did not write; rename or remove that statement by hand (it is never "
        "replaced)"
        for sid in foreign_with_our_sid(state.bucket_policy, producer)
    ]


def _bucket_actions(
    clients: AccountClients, producer: ProducerConfig, state: ProducerState
) -> list[Action]:
    if foreign_with_our_sid(state.bucket_policy, producer):
        return []  # reported as a conflict
    statements = state.desired.bucket_statements
    merged = merge_statements(state.bucket_policy, statements, drop_sids=OUR_BUCKET_SIDS)
    if merged is None:
        return []
    s3 = clients.s3
    text = json.dumps(merged)
    sids = ", ".join(s["Sid"] for s in statements)
    where = f"bucket policy of {producer.bucket} (Sid {sids})"
    if state.bucket_policy is None:
        kind, why = ActionKind.CREATE, "bucket has no policy"
    elif any(find_statement(state.bucket_policy, sid) for sid in OUR_BUCKET_SIDS):
        kind, why = ActionKind.UPDATE, "our statements differ from the desired ones"
    else:
        kind, why = ActionKind.UPDATE, "our statements are missing; other statements are kept"

    def put() -> object:
        return put_bucket_policy(s3, producer, text)

    return [
        Action.build(
            where, kind, why, put, {"Bucket": producer.bucket, "Statement": list(statements)}
        )
    ]


def put_bucket_policy(s3: Any, producer: ProducerConfig, text: str) -> object:
    """Replace the bucket policy with ``text`` (a document already merged by Sid)."""
    return aws_call(
        s3.put_bucket_policy,
        call="s3:PutBucketPolicy",
        resource=f"bucket {producer.bucket}",
        Bucket=producer.bucket,
        Policy=text,
    )
