"""``doctor``: check every link of the chain, read-only; one pass/fail line per check with a fix.

Checks are data (``Check``); ``run_doctor`` gathers the facts once per side and evaluates each
check against them. B's view of A's catalog goes through an injected Glue client
(``catalog_reader``, by default B's own Glue client with ``CatalogId`` = A).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any

from bootstrap.access_mode import (
    HYBRID_CROSS_ACCOUNT_VERSION,
    IAM_ALLOWED_PRINCIPALS,
    IamAllowedState,
    read_iam_allowed,
    shared_resources,
)
from bootstrap.aws import AccountClients, aws_call, check_account, paginate
from bootstrap.bucket_access import blocking_denies, read_allowed
from bootstrap.config import Config, ConsumerConfig, ProducerConfig
from bootstrap.consumer import PENDING, LinkState, read_invitations, read_link
from bootstrap.grants import (
    JOB_ROLE_ALLOWED,
    HeldGrants,
    job_role_database_grant,
    job_role_grants,
    job_role_link_grant,
    job_role_table_grants,
    link_tables,
    organization_grants,
    pairs,
    read_grants,
)
from bootstrap.policies import (
    GET_DATA_ACCESS,
    bucket_arn,
    document_allows,
    objects_arn,
    parse_policy,
    statements_of,
)
from bootstrap.producer import (
    glue_arns,
    read_bucket_policy,
    read_catalog_policy,
    read_kms_key,
    read_org_sharing,
    read_share,
    read_table_locations,
    share_name,
    sharing_principals,
)

MIN_CROSS_ACCOUNT_VERSION = 3


@dataclass(frozen=True)
class Check:
    """One diagnosis: a stable name, the outcome, what was seen, and what to do if it failed."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False  # passed, but says something the user must know or do

    def line(self) -> str:
        status = ("WARN" if self.warn else "PASS") if self.ok else "FAIL"
        text = f"{status}  {self.name}: {self.detail}"
        return text if self.ok else f"{text} -> fix: {self.fix}"


def _check(name: str, ok: bool, detail: str, fix: str) -> Check:
    return Check(name, ok, detail, "" if ok else fix)


def all_passed(checks: tuple[Check, ...]) -> bool:
    return all(c.ok for c in checks)


# --------------------------------------------------------------------------- producer facts


@dataclass(frozen=True)
class ProducerFacts:
    principals: tuple[str, ...]
    share_arn: str | None
    share_resources: frozenset[str]
    share_principals: frozenset[str]
    grants: HeldGrants
    settings: Mapping[str, Any]
    registered: tuple[str, ...]
    bucket_policy: dict[str, Any] | None
    access: IamAllowedState
    share_pending: frozenset[str] = frozenset()
    org_sharing: bool | None = None
    table_locations: Mapping[str, str] = field(default_factory=dict)
    kms_key: str | None = None
    catalog_policy: dict[str, Any] | None = None


def read_producer_facts(clients: AccountClients, producer: ProducerConfig) -> ProducerFacts:
    check_account(clients, producer.account_id, "producer")
    share = read_share(clients, producer)
    settings = aws_call(
        clients.lakeformation.get_data_lake_settings,
        call="lakeformation:GetDataLakeSettings",
        resource=f"Lake Formation settings of account {producer.account_id}",
    )["DataLakeSettings"]
    registered = paginate(
        clients.lakeformation.list_resources,
        "ResourceInfoList",
        call="lakeformation:ListResources",
        resource=f"registered locations of account {producer.account_id}",
    )
    principals = sharing_principals(clients, producer)
    return ProducerFacts(
        principals=principals,
        share_arn=share.arn if share else None,
        share_resources=share.resources if share else frozenset(),
        share_principals=share.principals if share else frozenset(),
        grants=read_grants(
            clients.lakeformation,
            producer.account_id,
            pairs(organization_grants(producer, principals)),
        ),
        settings=settings,
        registered=tuple(str(r["ResourceArn"]) for r in registered),
        bucket_policy=read_bucket_policy(clients, producer),
        access=read_iam_allowed(clients, producer, dict(settings), principals),
        share_pending=share.pending if share else frozenset(),
        org_sharing=read_org_sharing(clients, producer),
        table_locations=read_table_locations(clients, producer),
        kms_key=read_kms_key(clients, producer),
        catalog_policy=read_catalog_policy(clients, producer),
    )


def location_registered(facts: ProducerFacts, producer: ProducerConfig) -> bool:
    """Is the CUR location (the bucket, or a path containing the prefix) registered with LF?"""
    bucket = bucket_arn(producer)
    target = f"{bucket}/{producer.prefix}" if producer.prefix else bucket
    return any(
        target == arn.rstrip("/") or target.startswith(arn.rstrip("/") + "/")
        for arn in facts.registered
    )


def producer_checks(
    facts: ProducerFacts, producer: ProducerConfig, consumer: ConsumerConfig | None = None
) -> tuple[Check, ...]:
    name = share_name(producer)
    apply_producer = "run 'cur-bootstrap apply --side producer'"
    checks = [
        _check(
            "producer.ram-share",
            facts.share_arn is not None,
            f"RAM share {name} " + ("is active" if facts.share_arn else "not found"),
            apply_producer,
        )
    ]
    if facts.org_sharing is not None:
        checks.append(
            _check(
                "producer.ram-org-sharing",
                facts.org_sharing,
                "RAM sharing with AWS Organizations is enabled: members get the share without "
                "an invitation"
                if facts.org_sharing
                else "RAM sharing with AWS Organizations is not enabled: an organization "
                "principal cannot receive the share",
                apply_producer + " (enables it), or in the management account: RAM > Settings",
            )
        )
    for label, wanted_entities, held, what in (
        (
            "producer.ram-share-resources",
            glue_arns(producer),
            facts.share_resources,
            "share contains the catalog, database and tables",
        ),
        (
            "producer.ram-share-principals",
            facts.principals,
            facts.share_principals,
            f"share is associated with {', '.join(facts.principals)}",
        ),
    ):
        pending = [e for e in wanted_entities if e in facts.share_pending]
        missing = [e for e in wanted_entities if e not in held and e not in facts.share_pending]
        if pending and not missing:
            detail = f"still ASSOCIATING (pending, not yet associated): {', '.join(pending)}"
            fix = "wait a minute for RAM to finish, then run doctor again"
        else:
            detail = what if not missing else f"share lacks {', '.join(missing)}"
            fix = apply_producer
        checks.append(
            _check(label, facts.share_arn is not None and not missing and not pending, detail, fix)
        )
    wanted = organization_grants(producer, facts.principals)
    for label, is_database in (("lf-org-database", True), ("lf-org-tables", False)):
        lacking = [
            g.describe()
            for g in wanted
            if g.resource.is_database == is_database
            and g.missing_given(facts.grants.get(g.principal, g.resource)) is not None
        ]
        what = "DESCRIBE on the database" if is_database else "SELECT+DESCRIBE on the tables"
        checks.append(
            _check(
                f"producer.{label}",
                not lacking,
                f"{what}, with grant option, granted to the share principals"
                if not lacking
                else f"missing: {'; '.join(lacking)}",
                apply_producer,
            )
        )
    version_text = str((facts.settings.get("Parameters") or {}).get("CROSS_ACCOUNT_VERSION", "1"))
    version = int(version_text) if version_text.isdigit() else 1
    checks.append(
        _check(
            "producer.cross-account-version",
            version >= MIN_CROSS_ACCOUNT_VERSION,
            f"CROSS_ACCOUNT_VERSION is {version}",
            f"in account {producer.account_id}, Lake Formation > Data catalog settings, set "
            f"'Cross account version settings' to version {MIN_CROSS_ACCOUNT_VERSION} or later "
            "(cur-bootstrap does not change data lake settings)",
        )
    )
    checks.append(_iam_allowed_check(facts, producer))
    registered = location_registered(facts, producer)
    checks.append(_bucket_policy_check(facts, producer, consumer, registered))
    checks.append(_table_location_check(facts, producer))
    checks.append(_encryption_check(facts, producer))
    checks.append(_catalog_policy_check(facts, producer))
    return tuple(checks)


def _iam_allowed_check(facts: ProducerFacts, producer: ProducerConfig) -> Check:
    """IAM_ALLOWED_PRINCIPALS on the shared database and tables, in the database's
    CreateTableDefaultPermissions, and in the account defaults (see bootstrap.access_mode)."""
    access = facts.access
    account_defaults = [
        key
        for key in ("CreateDatabaseDefaultPermissions", "CreateTableDefaultPermissions")
        if any(
            p.get("Principal", {}).get("DataLakePrincipalIdentifier") == IAM_ALLOWED_PRINCIPALS
            for p in facts.settings.get(key, [])
        )
    ]
    places = [access.where(producer)] if access.present else []
    if account_defaults:
        places.append(f"the account's {', '.join(account_defaults)}")
    wanted_opt_ins = {
        (p, r) for p in facts.principals for r in shared_resources(producer, access.tables)
    }
    hybrid_ok = (
        producer.iam_allowed_principals == "hybrid"
        and access.cross_account_version >= HYBRID_CROSS_ACCOUNT_VERSION
        and wanted_opt_ins <= access.opted_in
    )
    if not places:
        return Check(
            "producer.iam-allowed-principals", True, "IAM_ALLOWED_PRINCIPALS holds nothing"
        )
    if hybrid_ok and not account_defaults:
        return Check(
            "producer.iam-allowed-principals",
            True,
            f"IAM_ALLOWED_PRINCIPALS holds {'; '.join(places)}, in hybrid access mode: the "
            "share principals are opted in",
        )
    return Check(
        "producer.iam-allowed-principals",
        False,
        f"IAM_ALLOWED_PRINCIPALS holds {'; '.join(places)}: Lake Formation leaves access to "
        "these resources to IAM alone, so the grants of the share do not decide who reads "
        "them, and new tables keep getting it",
        'choose [producer] iam_allowed_principals = "revoke" (A\'s IAM-only users then need Lake '
        'Formation grants) or "hybrid" (opt-in; CROSS_ACCOUNT_VERSION 4) and run '
        "'cur-bootstrap apply --side producer'"
        + (
            f"; and in account {producer.account_id}, Lake Formation > Data catalog settings, "
            "clear 'Use only IAM access control for new databases/tables'"
            if account_defaults
            else ""
        ),
    )


def _bucket_policy_check(
    facts: ProducerFacts,
    producer: ProducerConfig,
    consumer: ConsumerConfig | None,
    registered: bool,
) -> Check:
    name = "producer.bucket-policy"
    if registered:
        return Check(
            name,
            True,
            "the location is registered with Lake Formation: it vends credentials, the bucket "
            "policy does not matter (the job role needs lakeformation:GetDataAccess)",
        )
    allowed = read_allowed(facts.bucket_policy, producer)
    denies = blocking_denies(facts.bucket_policy, producer, consumer)
    principal = (
        f"aws:PrincipalOrgID {producer.organization_id}"
        if producer.shares_with_organization
        else f"accounts {', '.join(producer.share_accounts)}"
    )
    where = f"s3://{producer.bucket}/{producer.prefix}"
    lacking = [action for action, ok in allowed.items() if not ok]
    if denies:
        detail = (
            f"Deny statement(s) {', '.join(denies)} of bucket {producer.bucket} would block "
            "the consumer"
        )
        fix = "narrow those Deny statements by hand (cur-bootstrap never edits foreign statements)"
    elif lacking:
        detail = (
            f"no statement of the policy of bucket {producer.bucket} allows "
            f"{' and '.join(lacking)} on {where} to {principal} (a StringNotEquals or another "
            "organization id does not allow; the location is not registered with Lake Formation)"
        )
        fix = "run 'cur-bootstrap apply --side producer' (adds our statements, keeps the others)"
    else:
        detail = (
            f"bucket {producer.bucket} policy allows s3:GetObject and s3:ListBucket on {where} "
            f"to {principal}"
        )
        fix = ""
    return _check(name, not denies and not lacking, detail, fix)


def _table_location_check(facts: ProducerFacts, producer: ProducerConfig) -> Check:
    root = f"s3://{producer.bucket}/{producer.prefix}".rstrip("/")
    outside = sorted(
        f"{t} ({loc or 'no location'})"
        for t, loc in facts.table_locations.items()
        if not (loc.rstrip("/") == root or loc.startswith(root + "/"))
    )
    return _check(
        "producer.table-location",
        bool(facts.table_locations) and not outside,
        f"every shared table is stored under {root}/"
        if facts.table_locations and not outside
        else (
            f"tables outside {root}/: {', '.join(outside)}"
            if outside
            else f"no table found in {producer.database}"
        ),
        "correct [producer] bucket/prefix to where the crawler's tables point (the bucket "
        "policy and the job role policy only cover that location)",
    )


def _encryption_check(facts: ProducerFacts, producer: ProducerConfig) -> Check:
    name = "producer.bucket-encryption"
    if facts.kms_key is None:
        return Check(name, True, f"bucket {producer.bucket} does not use SSE-KMS")
    return Check(
        name,
        True,
        f"bucket {producer.bucket} uses SSE-KMS with key {facts.kms_key}: the job role needs "
        "kms:Decrypt on it (cur-bootstrap adds it to the job role's policy when both sides are "
        f"planned together) and the key policy in account {producer.account_id} must allow the "
        "consumer account",
        warn=True,
    )


def _catalog_policy_check(facts: ProducerFacts, producer: ProducerConfig) -> Check:
    """LF developer guide, "Cross-account data sharing prerequisites": when the Data Catalog has
    a resource policy, it must allow glue:ShareResource to ram.amazonaws.com."""
    name = "producer.catalog-resource-policy"
    if facts.catalog_policy is None:
        return Check(name, True, "the Data Catalog has no resource policy")
    ok = any(
        isinstance(s, Mapping)
        and s.get("Effect") == "Allow"
        and "ram.amazonaws.com"
        in _as_list(
            (s.get("Principal") or {}).get("Service")
            if isinstance(s.get("Principal"), Mapping)
            else None
        )
        and any(fnmatchcase("glue:shareresource", a.lower()) for a in _as_list(s.get("Action")))
        for s in statements_of(facts.catalog_policy)
    )
    return _check(
        name,
        ok,
        "the Data Catalog resource policy allows glue:ShareResource to ram.amazonaws.com"
        if ok
        else "the Data Catalog resource policy does not allow glue:ShareResource to "
        "ram.amazonaws.com, so RAM cannot share the catalog resources",
        f"in account {producer.account_id}, add to the Data Catalog policy an Allow of "
        "glue:ShareResource for Service ram.amazonaws.com on the catalog, database and tables",
    )


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value or []]


# --------------------------------------------------------------------------- consumer facts


@dataclass(frozen=True)
class ConsumerFacts:
    invitation_statuses: tuple[str, ...]
    link: LinkState
    target_visible: bool
    target_error: str
    grants: HeldGrants
    role_exists: bool
    role_policies: tuple[dict[str, Any], ...]
    partitions: Mapping[str, int] | None


def _role_policies(iam: Any, consumer: ConsumerConfig) -> tuple[bool, tuple[dict[str, Any], ...]]:
    role = consumer.job_role_name
    names = aws_call(
        lambda: [
            n
            for page in iam.get_paginator("list_role_policies").paginate(RoleName=role)
            for n in page.get("PolicyNames", [])
        ],
        call="iam:ListRolePolicies",
        resource=f"role {role}",
        missing=frozenset({"NoSuchEntity"}),
    )
    if names is None:
        return False, ()
    documents = []
    for policy_name in names:
        answer = aws_call(
            iam.get_role_policy,
            call="iam:GetRolePolicy",
            resource=f"inline policy {policy_name} of role {role}",
            RoleName=role,
            PolicyName=policy_name,
        )
        document = parse_policy(answer["PolicyDocument"], f"inline policy {policy_name}")
        if document is not None:
            documents.append(document)
    return True, tuple(documents)


def _period_partitions(
    reader: Any, producer: ProducerConfig, period: tuple[str, str]
) -> dict[str, int]:
    """Partitions of each CUR-partitioned table for the period, read through ``reader``.

    Legacy CUR: ``year``/``month`` (month not zero-padded); CUR 2.0: ``billing_period``.
    Tables with neither scheme are not CUR data tables and are skipped.
    """
    year, month = period
    where = f"database {producer.account_id}:{producer.database}"
    if producer.all_tables:
        tables = paginate(
            reader.get_tables,
            "TableList",
            call="glue:GetTables",
            resource=where,
            CatalogId=producer.account_id,
            DatabaseName=producer.database,
        )
    else:
        found = [
            aws_call(
                reader.get_table,
                call="glue:GetTable",
                resource=f"table {producer.database}.{name}",
                missing=frozenset({"EntityNotFoundException"}),
                CatalogId=producer.account_id,
                DatabaseName=producer.database,
                Name=name,
            )
            for name in producer.tables
        ]
        tables = [answer["Table"] for answer in found if answer is not None]
    counts: dict[str, int] = {}
    for table in tables:
        keys = {k["Name"].lower(): k["Name"] for k in table.get("PartitionKeys", [])}
        if "year" in keys and "month" in keys:
            expression = f"{keys['year']} = '{year}' and {keys['month']} = '{int(month)}'"
        elif "billing_period" in keys:
            expression = f"{keys['billing_period']} = '{year}-{month}'"
        else:
            continue
        partitions = paginate(
            reader.get_partitions,
            "Partitions",
            call="glue:GetPartitions",
            resource=f"table {producer.database}.{table['Name']}",
            CatalogId=producer.account_id,
            DatabaseName=producer.database,
            TableName=table["Name"],
            Expression=expression,
        )
        counts[str(table["Name"])] = len(partitions)
    return counts


def read_consumer_facts(
    clients: AccountClients,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    *,
    catalog_reader: Any = None,
    period: tuple[str, str] | None = None,
) -> ConsumerFacts:
    check_account(clients, consumer.account_id, "consumer")
    reader = catalog_reader if catalog_reader is not None else clients.glue
    target = aws_call(
        reader.get_database,
        call="glue:GetDatabase",
        resource=f"database {producer.account_id}:{producer.database} seen from "
        f"{consumer.account_id}",
        missing=frozenset({"EntityNotFoundException", "AccessDeniedException"}),
        CatalogId=producer.account_id,
        Name=producer.database,
    )
    role_exists, policies = _role_policies(clients.iam, consumer)
    return ConsumerFacts(
        invitation_statuses=tuple(
            i.status for i in read_invitations(clients.ram, producer, consumer)
        ),
        link=read_link(clients.glue, consumer),
        target_visible=target is not None,
        target_error="" if target is not None else "not found or access denied",
        grants=read_grants(
            clients.lakeformation,
            consumer.account_id,
            [
                *pairs(job_role_grants(producer, consumer)),
                (consumer.job_role_arn, link_tables(consumer)),
            ],
        ),
        role_exists=role_exists,
        role_policies=policies,
        # Partitions can only be looked for once B sees A's database.
        partitions=(
            _period_partitions(reader, producer, period) if period and target is not None else None
        ),
    )


def consumer_checks(
    facts: ConsumerFacts,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    *,
    registered: bool | None = None,
    period: tuple[str, str] | None = None,
) -> tuple[Check, ...]:
    """``registered``: whether A registered the location with LF (``None``: not known)."""
    apply_consumer = "run 'cur-bootstrap apply --side consumer'"
    checks: list[Check] = []
    if producer.shares_with_organization:
        checks.append(
            Check(
                "consumer.invitation",
                True,
                "shared with the organization: no invitation exists (RAM organization sharing "
                "is checked on the producer side: producer.ram-org-sharing)",
            )
        )
    else:
        statuses = facts.invitation_statuses
        ok = "ACCEPTED" in statuses and PENDING not in statuses
        if PENDING in statuses:
            detail, fix = "the invitation is pending", apply_consumer + " (accepts it)"
        elif ok:
            detail, fix = "the invitation was accepted", ""
        elif statuses:
            detail = f"the invitation is {'/'.join(sorted(set(statuses))).lower()}"
            fix = (
                f"in account {producer.account_id}, remove account {consumer.account_id} from "
                f"RAM share {share_name(producer)} and run 'cur-bootstrap apply --side producer' "
                "to invite it again"
            )
        else:
            detail = f"no invitation from {producer.account_id} to {share_name(producer)}"
            fix = "run 'cur-bootstrap apply --side producer'"
        checks.append(_check("consumer.invitation", ok, detail, fix))

    link_ok = facts.link.exists and facts.link.targets(producer)
    checks.append(
        _check(
            "consumer.resource-link",
            link_ok,
            f"{consumer.resource_link} is {facts.link.describe()}",
            apply_consumer
            if not facts.link.exists
            else f"drop or rename database {consumer.resource_link} in account "
            f"{consumer.account_id} by hand (it was not made by cur-bootstrap), then "
            + apply_consumer,
        )
    )
    checks.append(
        _check(
            "consumer.target-visible",
            facts.target_visible,
            f"database {producer.account_id}:{producer.database} is "
            + ("visible from " if facts.target_visible else f"{facts.target_error} from ")
            + consumer.account_id,
            "check the RAM share and the producer grants ('cur-bootstrap doctor --side "
            "producer') and, for account principals, accept the invitation",
        )
    )
    for label, wanted in (
        ("consumer.grant-link", (job_role_link_grant(producer, consumer),)),
        ("consumer.grant-target-database", (job_role_database_grant(producer, consumer),)),
        ("consumer.grant-target-tables", job_role_table_grants(producer, consumer)),
    ):
        lacking = [
            g.describe()
            for g in wanted
            if g.missing_given(facts.grants.get(g.principal, g.resource)) is not None
        ]
        checks.append(
            _check(
                label,
                not lacking,
                "granted: " + "; ".join(g.describe() for g in wanted)
                if not lacking
                else "missing: " + "; ".join(lacking),
                apply_consumer,
            )
        )
    on_link_tables = [
        g.describe()
        for g in facts.grants.grants
        if not g.resource.is_database
        and g.resource.catalog_id == consumer.account_id
        and g.resource.database == consumer.resource_link
    ]
    checks.append(
        _check(
            "consumer.no-grants-on-link-tables",
            not on_link_tables,
            "no table grants on the resource link"
            if not on_link_tables
            else "table grants made on the link instead of the target: "
            + "; ".join(on_link_tables),
            "revoke them by hand (cur-bootstrap never revokes) and grant on the target tables "
            f"in catalog {producer.account_id}: {apply_consumer}",
        )
    )
    checks.append(_least_privilege_check(facts, consumer))
    checks.append(_iam_read_check(facts, producer, consumer, registered))
    checks.append(_get_data_access_check(facts, consumer, registered))
    if period is not None:
        if facts.partitions is None:
            checks.append(
                Check(
                    "consumer.partition",
                    False,
                    f"cannot look for {period[0]}-{period[1]} partitions: database "
                    f"{producer.account_id}:{producer.database} is not visible from "
                    f"{consumer.account_id}",
                    "fix consumer.target-visible first",
                )
            )
        else:
            checks.append(_partition_check(facts.partitions, producer, period))
    return tuple(checks)


def _least_privilege_check(facts: ConsumerFacts, consumer: ConsumerConfig) -> Check:
    """The job role needs DESCRIBE and SELECT only; more (or grant option) is a warning."""
    extra = [
        g.describe()
        for g in facts.grants.of_principal(consumer.job_role_arn)
        if (g.permissions - JOB_ROLE_ALLOWED) or g.grantable
    ]
    if not extra:
        return Check(
            "consumer.job-role-least-privilege",
            True,
            "the job role holds no more than DESCRIBE/SELECT on the shared resources",
        )
    return Check(
        "consumer.job-role-least-privilege",
        True,
        "the job role holds more than DESCRIBE/SELECT: " + "; ".join(extra) + " (revoke the "
        "extra permissions by hand: cur-bootstrap never revokes them)",
        warn=True,
    )


def _iam_read_check(
    facts: ConsumerFacts,
    producer: ProducerConfig,
    consumer: ConsumerConfig,
    registered: bool | None,
) -> Check:
    name = "consumer.iam-s3-read"
    if registered:
        return Check(
            name, True, "not needed: the location is registered, Lake Formation vends credentials"
        )
    sample_object = objects_arn(producer).removesuffix("*") + "x"
    can_get = any(document_allows(d, "s3:GetObject", sample_object) for d in facts.role_policies)
    can_list = any(
        document_allows(d, "s3:ListBucket", bucket_arn(producer)) for d in facts.role_policies
    )
    ok = facts.role_exists and can_get and can_list
    if not facts.role_exists:
        detail = f"role {consumer.job_role_arn} does not exist"
    elif ok:
        detail = f"inline policy allows s3:GetObject and s3:ListBucket on {producer.bucket}"
    else:
        lacking = [
            a for a, has in (("s3:GetObject", can_get), ("s3:ListBucket", can_list)) if not has
        ]
        detail = (
            f"no inline policy of the job role allows {' and '.join(lacking)} on {producer.bucket}"
        )
    return _check(name, ok, detail, "run 'cur-bootstrap apply --side consumer'")


def _get_data_access_check(
    facts: ConsumerFacts, consumer: ConsumerConfig, registered: bool | None
) -> Check:
    name = "consumer.iam-get-data-access"
    if registered is False:
        return Check(name, True, "not needed: the location is not registered with Lake Formation")
    ok = facts.role_exists and any(
        document_allows(d, GET_DATA_ACCESS, "*") for d in facts.role_policies
    )
    why = "the location is registered" if registered else "registration not known (consumer only)"
    detail = (
        f"inline policy allows {GET_DATA_ACCESS} ({why})"
        if ok
        else f"no inline policy of the job role allows {GET_DATA_ACCESS} ({why})"
    )
    return _check(name, ok, detail, "run 'cur-bootstrap apply --side consumer'")


def _partition_check(
    counts: Mapping[str, int], producer: ProducerConfig, period: tuple[str, str]
) -> Check:
    year, month = period
    name = "consumer.partition"
    if not counts:
        return Check(
            name,
            False,
            f"no table in {producer.database} has year/month or billing_period partition keys",
            "run the CUR crawler in the producer account, or correct [producer] tables",
        )
    empty = sorted(t for t, n in counts.items() if n == 0)
    return _check(
        name,
        not empty,
        f"{year}-{month}: partitions found in {', '.join(sorted(counts))}"
        if not empty
        else f"{year}-{month}: no partition in {', '.join(empty)} "
        f"(predicate year = '{year}' and month = '{int(month)}')",
        "wait for the CUR delivery of that month, then run the crawler (or MSCK REPAIR TABLE) "
        "in the producer account",
    )


def run_doctor(
    config: Config,
    *,
    producer: AccountClients | None,
    consumer: AccountClients | None,
    catalog_reader: Any = None,
    period: tuple[str, str] | None = None,
) -> tuple[Check, ...]:
    """All checks for the sides whose clients are given. Read-only."""
    checks: list[Check] = []
    registered: bool | None = None
    if producer is not None:
        facts = read_producer_facts(producer, config.producer)
        registered = location_registered(facts, config.producer)
        checks.extend(producer_checks(facts, config.producer, config.consumer))
    if consumer is not None:
        cfacts = read_consumer_facts(
            consumer,
            config.producer,
            config.consumer,
            catalog_reader=catalog_reader,
            period=period,
        )
        checks.extend(
            consumer_checks(
                cfacts, config.producer, config.consumer, registered=registered, period=period
            )
        )
    return tuple(checks)
