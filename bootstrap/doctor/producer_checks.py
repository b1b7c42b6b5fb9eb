"""The producer side's checks (account A): pure functions of ``ProducerFacts``."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from awsplan.checks import Check
from awsplan.checks import check as _check
from bootstrap.access_mode import HYBRID_CROSS_ACCOUNT_VERSION, shared_resources
from bootstrap.bucket_access import blocking_denies, read_allowed
from bootstrap.config import ConsumerConfig, ProducerConfig
from bootstrap.doctor.facts import ProducerFacts, location_registered
from bootstrap.policies import statements_of

MIN_CROSS_ACCOUNT_VERSION = 3


APPLY_PRODUCER = "run 'cur-bootstrap apply --side producer'"


def producer_checks(
    facts: ProducerFacts, producer: ProducerConfig, consumer: ConsumerConfig | None = None
) -> tuple[Check, ...]:
    registered = location_registered(facts, producer)
    return (
        *_share_checks(facts),
        *_org_grant_checks(facts),
        _cross_account_version_check(facts, producer),
        _iam_allowed_check(facts, producer),
        _bucket_policy_check(facts, producer, consumer, registered),
        _table_location_check(facts, producer),
        _encryption_check(facts, producer),
        _catalog_policy_check(facts, producer),
    )


def _share_checks(facts: ProducerFacts) -> list[Check]:
    """The RAM share exists and holds the desired resources and principals (ASSOCIATING is
    pending, not missing); organization sharing is on when it can be read."""
    name = facts.state.desired.share_name
    share = facts.state.share
    pending = share.pending if share else frozenset()
    checks = [
        _check(
            "producer.ram-share",
            share is not None,
            f"RAM share {name} " + ("is active" if share else "not found"),
            APPLY_PRODUCER,
        )
    ]
    if facts.state.org_sharing is not None:
        checks.append(
            _check(
                "producer.ram-org-sharing",
                facts.state.org_sharing,
                "RAM sharing with AWS Organizations is enabled: members get the share without "
                "an invitation"
                if facts.state.org_sharing
                else "RAM sharing with AWS Organizations is not enabled: an organization "
                "principal cannot receive the share",
                APPLY_PRODUCER + " (enables it), or in the management account: RAM > Settings",
            )
        )
    for label, wanted_entities, held, what in (
        (
            "producer.ram-share-resources",
            facts.state.desired.share_resources,
            share.resources if share else frozenset(),
            "share contains the catalog, database and tables",
        ),
        (
            "producer.ram-share-principals",
            facts.state.desired.principals,
            share.principals if share else frozenset(),
            f"share is associated with {', '.join(facts.state.desired.principals)}",
        ),
    ):
        waiting = [e for e in wanted_entities if e in pending]
        missing = [e for e in wanted_entities if e not in held and e not in pending]
        if waiting and not missing:
            detail = f"still ASSOCIATING (pending, not yet associated): {', '.join(waiting)}"
            fix = "wait a minute for RAM to finish, then run doctor again"
        else:
            detail = what if not missing else f"share lacks {', '.join(missing)}"
            fix = APPLY_PRODUCER
        ok = share is not None and not missing and not waiting
        checks.append(_check(label, ok, detail, fix))
    return checks


def _org_grant_checks(facts: ProducerFacts) -> list[Check]:
    checks = []
    for label, is_database in (("lf-org-database", True), ("lf-org-tables", False)):
        lacking = [
            g.describe()
            for g in facts.state.desired.grants
            if g.resource.is_database == is_database
            and g.missing_given(facts.state.grants.get(g.principal, g.resource)) is not None
        ]
        what = "DESCRIBE on the database" if is_database else "SELECT+DESCRIBE on the tables"
        checks.append(
            _check(
                f"producer.{label}",
                not lacking,
                f"{what}, with grant option, granted to the share principals"
                if not lacking
                else f"missing: {'; '.join(lacking)}",
                APPLY_PRODUCER,
            )
        )
    return checks


def _cross_account_version_check(facts: ProducerFacts, producer: ProducerConfig) -> Check:
    version = facts.state.settings.cross_account_version
    return _check(
        "producer.cross-account-version",
        version >= MIN_CROSS_ACCOUNT_VERSION,
        f"CROSS_ACCOUNT_VERSION is {version}",
        f"in account {producer.account_id}, Lake Formation > Data catalog settings, set "
        f"'Cross account version settings' to version {MIN_CROSS_ACCOUNT_VERSION} or later "
        "(cur-bootstrap does not change data lake settings)",
    )


def _iam_allowed_check(facts: ProducerFacts, producer: ProducerConfig) -> Check:
    """IAM_ALLOWED_PRINCIPALS on the shared database and tables, in the database's
    CreateTableDefaultPermissions, and in the account defaults (see bootstrap.access_mode)."""
    state = facts.state
    access = state.access
    account_defaults = state.settings.iam_allowed_defaults()
    places = [access.where(producer)] if access.present else []
    if account_defaults:
        places.append(f"the account's {', '.join(account_defaults)}")
    resources = shared_resources(producer, access.tables)
    wanted_opt_ins = {(p, r) for p in state.desired.principals for r in resources}
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
    allowed = read_allowed(facts.state.bucket_policy, producer)
    denies = blocking_denies(facts.state.bucket_policy, producer, consumer)
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
