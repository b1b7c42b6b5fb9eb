"""Read the current state, compare it with the desired one, return a ``awsplan.plan.Plan``.

``plan_deploy`` only reads (HeadBucket, HeadObject, GetDatabase, GetJob, GetTrigger; with
``lake_formation`` also ListPermissions, ListResources, GetDataLakeSettings, GetCallerIdentity).
Each action's ``run`` makes exactly the change it names; a changed job or trigger setting is an
UpdateJob / UpdateTrigger, never a delete and re-create. Order: bucket, objects, database, Lake
Formation grants (they name the database), job, trigger (the trigger names the job).

UpdateJob replaces the whole definition: "Unspecified configuration is removed or reset to default
values" (API reference, UpdateJob ``JobUpdate``). So the update carries over every ``JobUpdate``
field deploy does not manage, and every default argument it does not set, as GetJob reports them.
"""

from __future__ import annotations

from typing import Any

from awsplan.aws import AccountClients, aws_call, partition_for
from awsplan.lakeformation import Grant, lf_principal, pairs, read_grants
from awsplan.plan import Action, ActionKind, Plan
from deploy.desired import (
    ARGUMENTS_TAG,
    MANAGED_BY,
    SHA256_METADATA,
    Bucket,
    Desired,
    GlueJob,
    OutputDatabase,
    S3Object,
    ScheduledTrigger,
)
from deploy.errors import DeployError
from deploy.lake_formation import (
    OutputGrants,
    can_create_database,
    registered_location,
    s3_arn,
)

NOT_FOUND = frozenset({"EntityNotFoundException"})
S3_NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound", "NoSuchBucket"})
ACTIVE_STATES = frozenset({"ACTIVATED", "ACTIVATING"})


def plan_deploy(clients: AccountClients, desired: Desired) -> Plan:
    """The actions that make the account match ``desired``; empty when it already does."""
    actions: list[Action] = []
    bucket_action = plan_bucket(clients.s3, desired.bucket)
    if bucket_action is not None:
        actions.append(bucket_action)
    for obj in desired.objects:
        action = plan_object(clients.s3, obj, bucket_exists=bucket_action is None)
        if action is not None:
            actions.append(action)
    database_action = plan_database(clients.glue, desired.database)
    if database_action is not None:
        actions.append(database_action)
    if desired.lake_formation is not None:
        actions.extend(
            plan_lake_formation(
                clients, desired.lake_formation, database_exists=database_action is None
            )
        )
    for action in (
        plan_job(clients.glue, desired.job),
        plan_trigger(clients.glue, desired.trigger),
    ):
        if action is not None:
            actions.append(action)
    return Plan.of(actions)


# --- S3 ---------------------------------------------------------------------------------------


def plan_bucket(s3: Any, bucket: Bucket) -> Action | None:
    found = aws_call(
        s3.head_bucket,
        call="s3:ListBucket",
        resource=f"bucket {bucket.name}",
        missing=S3_NOT_FOUND,
        Bucket=bucket.name,
    )
    if found is not None:
        return None
    request: dict[str, Any] = {"Bucket": bucket.name}
    if bucket.region != "us-east-1":
        request["CreateBucketConfiguration"] = {"LocationConstraint": bucket.region}
    return Action.build(
        f"s3://{bucket.name}",
        ActionKind.CREATE,
        "artifact bucket missing",
        lambda: aws_call(
            s3.create_bucket, call="s3:CreateBucket", resource=f"bucket {bucket.name}", **request
        ),
        request,
    )


def plan_object(s3: Any, obj: S3Object, *, bucket_exists: bool = True) -> Action | None:
    """Upload when the object is missing or its stored sha256 differs from the local file's."""
    head = None
    if bucket_exists:
        head = aws_call(
            s3.head_object,
            call="s3:GetObject",
            resource=obj.uri,
            missing=S3_NOT_FOUND,
            Bucket=obj.bucket,
            Key=obj.key,
        )
    if head is None:
        kind, why = ActionKind.CREATE, "object missing"
    else:
        current = (head.get("Metadata") or {}).get(SHA256_METADATA)
        if current == obj.sha256:
            return None
        kind = ActionKind.UPDATE
        why = f"content changed (sha256 {(current or 'unknown')[:12]} -> {obj.sha256[:12]})"
    spec = {"Bucket": obj.bucket, "Key": obj.key, "sha256": obj.sha256, "bytes": len(obj.body)}
    return Action.build(
        obj.uri,
        kind,
        why,
        lambda: aws_call(
            s3.put_object,
            call="s3:PutObject",
            resource=obj.uri,
            Bucket=obj.bucket,
            Key=obj.key,
            Body=obj.body,
            ContentType=obj.content_type,
            Metadata={SHA256_METADATA: obj.sha256},
        ),
        spec,
    )


# --- Glue database ----------------------------------------------------------------------------


def plan_database(glue: Any, database: OutputDatabase) -> Action | None:
    """Create the output database when missing; an existing one is left as it is."""
    found = aws_call(
        glue.get_database,
        call="glue:GetDatabase",
        resource=f"database {database.name}",
        missing=NOT_FOUND,
        Name=database.name,
    )
    if found is not None:
        if found["Database"].get("TargetDatabase"):
            raise DeployError(
                f"output database {database.name} is a resource link to another catalog; "
                "set [job] output_database to a database of this account"
            )
        return None
    request = {
        "DatabaseInput": {
            "Name": database.name,
            "Description": database.description,
            "LocationUri": database.location,
        }
    }
    return Action.build(
        f"glue database {database.name}",
        ActionKind.CREATE,
        "output database missing",
        lambda: aws_call(
            glue.create_database,
            call="glue:CreateDatabase",
            resource=f"database {database.name}",
            **request,
        ),
        request,
    )


# --- Lake Formation ---------------------------------------------------------------------------


def plan_lake_formation(
    clients: AccountClients, grants: OutputGrants, *, database_exists: bool
) -> list[Action]:
    """Grants the job role lacks on the output database, its tables and a registered location.

    A missing database is created by the deployer first: without CREATE_DATABASE that would fail
    half-way, so it is an error here, before anything is changed.
    """
    lakeformation = clients.lakeformation
    if not database_exists:
        _check_can_create_database(clients, grants)
    wanted = list(grants.catalog_grants())
    location = registered_location(
        lakeformation,
        grants.catalog_id,
        s3_arn(grants.output_path, partition_for(clients.region)),
    )
    if location is not None:
        wanted.append(grants.location_grant(location))
    # A database about to be created holds no grants yet: only read what can exist.
    readable = [g for g in wanted if database_exists or g.resource.location is not None]
    held = read_grants(lakeformation, grants.catalog_id, pairs(readable))
    actions = []
    for grant in wanted:
        missing = grant.missing_given(held.get(grant.principal, grant.resource))
        if missing is not None:
            actions.append(_grant_action(lakeformation, missing))
    return actions


def _check_can_create_database(clients: AccountClients, grants: OutputGrants) -> None:
    caller = lf_principal(
        aws_call(
            clients.client("sts").get_caller_identity,
            call="sts:GetCallerIdentity",
            resource="the current credentials",
        )["Arn"]
    )
    if not can_create_database(clients.lakeformation, caller, grants.catalog_id):
        raise DeployError(
            f"output database {grants.database} is missing and {caller} cannot create it under "
            f"Lake Formation: it is not a data lake administrator and holds no CREATE_DATABASE "
            f"on catalog {grants.catalog_id}; have an administrator grant it CREATE_DATABASE "
            "(Lake Formation > Administrative roles and tasks > Database creators) or create "
            "the database"
        )


def _grant_action(lakeformation: Any, missing: Grant) -> Action:
    """A GrantPermissions for what the job role lacks (``missing``: only those permissions)."""
    request = missing.request()
    return Action.build(
        f"lakeformation {missing.resource.describe()} -> {missing.principal}",
        ActionKind.CREATE,
        f"job role lacks {', '.join(sorted(missing.permissions))}",
        lambda: aws_call(
            lakeformation.grant_permissions,
            call="lakeformation:GrantPermissions",
            resource=missing.resource.describe(),
            retry_propagation=True,
            **request,
        ),
        request,
    )


# --- Glue job ---------------------------------------------------------------------------------

# JobUpdate's members (botocore's Glue model), in three groups that together cover them all (a
# test checks it against the installed model): deploy sets these ...
MANAGED_JOB_FIELDS = (
    "Description",
    "Role",
    "ExecutionProperty",
    "Command",
    "DefaultArguments",
    "MaxRetries",
    "Timeout",
    "WorkerType",
    "NumberOfWorkers",
    "GlueVersion",
    "ExecutionClass",
)
# ... carries these over unchanged from GetJob, so an update never wipes a user's settings ...
CARRIED_JOB_FIELDS = (
    "Connections",
    "SecurityConfiguration",
    "NotificationProperty",
    "NonOverridableArguments",
    "LogUri",
    "JobMode",
    "JobRunQueuingEnabled",
    "CodeGenConfigurationNodes",
    "SourceControlDetails",
    "MaintenanceWindow",
)
# ... and never sends these: GetJob reports the capacity the workers amount to, and the API
# refuses MaxCapacity together with WorkerType and NumberOfWorkers (API reference, MaxCapacity).
DERIVED_JOB_FIELDS = ("AllocatedCapacity", "MaxCapacity")


def carried_over(job: dict[str, Any], ours: set[str]) -> dict[str, Any]:
    """What GetJob holds that deploy does not manage: set fields, and default arguments other than
    ``ours`` (the ones deploy sets, and the ones its tag records it has set)."""
    kept = {
        field: job[field] for field in CARRIED_JOB_FIELDS if job.get(field) not in (None, {}, [])
    }
    arguments = {k: v for k, v in (job.get("DefaultArguments") or {}).items() if k not in ours}
    if arguments:
        kept["DefaultArguments"] = arguments
    return kept


def describe_kept(kept: dict[str, Any]) -> str:
    """``keeps Connections, DefaultArguments[--user-flag]``; empty when nothing is kept."""
    names = [
        f"DefaultArguments[{', '.join(sorted(kept[f]))}]" if f == "DefaultArguments" else f
        for f in kept
    ]
    return f"keeps {', '.join(names)}" if names else ""


def current_job_definition(job: dict[str, Any]) -> dict[str, Any]:
    """GetJob's answer in the JobUpdate shape, only the fields deploy manages, defaults filled."""
    command = job.get("Command") or {}
    return {
        "Description": job.get("Description") or "",
        "Role": job.get("Role"),
        "ExecutionProperty": {
            "MaxConcurrentRuns": (job.get("ExecutionProperty") or {}).get("MaxConcurrentRuns", 1)
        },
        "Command": {
            "Name": command.get("Name"),
            "ScriptLocation": command.get("ScriptLocation"),
            "PythonVersion": command.get("PythonVersion"),
        },
        "DefaultArguments": dict(job.get("DefaultArguments") or {}),
        "MaxRetries": job.get("MaxRetries", 0),
        "Timeout": job.get("Timeout"),
        "WorkerType": job.get("WorkerType"),
        "NumberOfWorkers": job.get("NumberOfWorkers"),
        "GlueVersion": job.get("GlueVersion"),
        "ExecutionClass": job.get("ExecutionClass") or "STANDARD",
    }


def describe_changes(current: dict[str, Any], desired: dict[str, Any]) -> str:
    """``NumberOfWorkers 2 -> 5; DefaultArguments[--periods]`` for the fields that differ."""
    parts: list[str] = []
    for field, want in desired.items():
        have = current.get(field)
        if have == want:
            continue
        if isinstance(want, dict) and isinstance(have, dict):
            keys = sorted(k for k in set(want) | set(have) if want.get(k) != have.get(k))
            parts.append(f"{field}[{', '.join(keys)}]")
        else:
            parts.append(f"{field} {have!r} -> {want!r}")
    return "; ".join(parts)


def plan_job(glue: Any, job: GlueJob) -> Action | None:
    found = aws_call(
        glue.get_job,
        call="glue:GetJob",
        resource=f"job {job.name}",
        missing=NOT_FOUND,
        JobName=job.name,
    )
    desired = job.definition()
    if found is None:
        request = {"Name": job.name, "Tags": job.tags(), **desired}
        return Action.build(
            f"glue job {job.name}",
            ActionKind.CREATE,
            "job missing",
            lambda: aws_call(
                glue.create_job, call="glue:CreateJob", resource=f"job {job.name}", **request
            ),
            request,
        )
    recorded = _recorded_arguments(glue, job)
    arguments = desired["DefaultArguments"]
    ours = set(arguments) | set((recorded or "").split())
    current = current_job_definition(found["Job"])
    current["DefaultArguments"] = {
        k: v for k, v in current["DefaultArguments"].items() if k in ours
    }
    retag = recorded != job.arguments_tag
    if current == desired and not retag:
        return None
    kept = carried_over(found["Job"], ours)
    spec: dict[str, Any] = {"JobName": job.name}
    if current != desired:
        spec["JobUpdate"] = {
            **desired,
            **{k: v for k, v in kept.items() if k != "DefaultArguments"},
            "DefaultArguments": {**kept.get("DefaultArguments", {}), **arguments},
        }
    if retag:
        spec["TagsToAdd"] = {ARGUMENTS_TAG: job.arguments_tag}
    reasons = [
        describe_changes(current, desired),
        describe_kept(kept) if "JobUpdate" in spec else "",
    ]
    if retag:
        reasons.append(f"tag {ARGUMENTS_TAG} {recorded!r} -> {job.arguments_tag!r}")

    def run() -> None:
        if "JobUpdate" in spec:
            aws_call(
                glue.update_job,
                call="glue:UpdateJob",
                resource=f"job {job.name}",
                JobName=job.name,
                JobUpdate=spec["JobUpdate"],
            )
        if retag:
            aws_call(
                glue.tag_resource,
                call="glue:TagResource",
                resource=f"job {job.name}",
                ResourceArn=job.arn,
                TagsToAdd=spec["TagsToAdd"],
            )

    return Action.build(
        f"glue job {job.name}", ActionKind.UPDATE, "; ".join(r for r in reasons if r), run, spec
    )


def _recorded_arguments(glue: Any, job: GlueJob) -> str | None:
    """The [job.arguments] names the last deploy recorded on the job; ``None`` if it did not."""
    tags = aws_call(
        glue.get_tags, call="glue:GetTags", resource=f"job {job.name}", ResourceArn=job.arn
    )
    return (tags.get("Tags") or {}).get(ARGUMENTS_TAG)


# --- Glue trigger -----------------------------------------------------------------------------


def current_trigger_definition(trigger: dict[str, Any]) -> dict[str, Any]:
    return {
        "Description": trigger.get("Description") or "",
        "Schedule": trigger.get("Schedule"),
        "Actions": [
            {"JobName": a.get("JobName")}
            | ({"Arguments": a["Arguments"]} if a.get("Arguments") else {})
            for a in trigger.get("Actions") or []
        ],
    }


def plan_trigger(glue: Any, trigger: ScheduledTrigger) -> Action | None:
    found = aws_call(
        glue.get_trigger,
        call="glue:GetTrigger",
        resource=f"trigger {trigger.name}",
        missing=NOT_FOUND,
        Name=trigger.name,
    )
    resource = f"glue trigger {trigger.name}"
    desired = trigger.definition()
    if found is None:
        request = {
            "Name": trigger.name,
            "Type": "SCHEDULED",
            "StartOnCreation": trigger.enabled,
            "Tags": MANAGED_BY,
            **desired,
        }
        return Action.build(
            resource,
            ActionKind.CREATE,
            "trigger missing",
            lambda: aws_call(
                glue.create_trigger,
                call="glue:CreateTrigger",
                resource=f"trigger {trigger.name}",
                **request,
            ),
            request,
        )
    current_trigger = found["Trigger"]
    if current_trigger.get("Type") != "SCHEDULED":
        raise DeployError(
            f"trigger {trigger.name} exists with type {current_trigger.get('Type')}, not "
            "SCHEDULED; delete it in the Glue console or set [schedule] name to another name"
        )
    current = current_trigger_definition(current_trigger)
    needs_update = current != desired
    active = current_trigger.get("State") in ACTIVE_STATES
    toggle = None if active == trigger.enabled else ("start" if trigger.enabled else "stop")
    if not needs_update and toggle is None:
        return None
    reasons = [describe_changes(current, desired)] if needs_update else []
    if toggle is not None:
        state = current_trigger.get("State")
        reasons.append(f"State {state} -> {'ACTIVATED' if trigger.enabled else 'DEACTIVATED'}")
    spec: dict[str, Any] = {"Name": trigger.name}
    if needs_update:
        spec["TriggerUpdate"] = {"Name": trigger.name, **desired}
    if toggle is not None:
        spec["State"] = f"{toggle}_trigger"

    def run() -> None:
        if needs_update:
            aws_call(
                glue.update_trigger,
                call="glue:UpdateTrigger",
                resource=f"trigger {trigger.name}",
                Name=trigger.name,
                TriggerUpdate=spec["TriggerUpdate"],
            )
        if toggle is not None:
            aws_call(
                getattr(glue, f"{toggle}_trigger"),
                call=f"glue:{toggle.capitalize()}Trigger",
                resource=f"trigger {trigger.name}",
                Name=trigger.name,
            )

    return Action.build(resource, ActionKind.UPDATE, "; ".join(reasons), run, spec)
