"""Sessions, clients and the one wrapper every AWS call goes through.

One botocore ``Config`` (standard retry mode: throttling and transient errors) for every client.
On top of it, a bounded backoff for the two documented transient conditions botocore does not
retry: ``ConcurrentModificationException`` (Lake Formation and RAM API references; terraform's
``aws_lakeformation_permissions`` retries it) and the IAM propagation delay right after a role
is created (Lake Formation answers ``InvalidInputException`` "Invalid principal"; terraform
retries that for ``IAMPropagationTimeout``, 2 minutes). ``InvalidInputException`` is also the
answer to a genuinely bad request, so it is retried only where the caller passes
``retry_propagation=True``: the principal is an IAM role that ``iam:GetRole`` showed to exist
and whose ``CreateDate`` is inside that window (see ``role_is_new``). Messages are never
matched. Every other ``ClientError`` becomes an ``AwsCallError`` naming the call, the resource
and the likely missing permission.

boto3's standard credential chain and ``AWS_ENDPOINT_URL`` apply: the same code runs against
moto or LocalStack unchanged. Credentials are never logged or printed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from typing import Any

import boto3
import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from awsplan.errors import AwsCallError, AwsPlanError
from awsplan.regions import partition_for as partition_for  # re-exported for callers
from cur_analysis.io.aws import CLIENT_CONFIG as LIBRARY_CLIENT_CONFIG

# The library's retry configuration, defined once there, named for the admin tools' requests.
CLIENT_CONFIG = LIBRARY_CLIENT_CONFIG.merge(Config(user_agent_extra="cur-analysis-admin"))

CONCURRENT_MODIFICATION = "ConcurrentModificationException"
PROPAGATION_CODE = "InvalidInputException"
ACCESS_DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "AuthorizationError", "UnauthorizedOperation"}
)


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded exponential backoff for what botocore's retry mode leaves to us."""

    attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 16.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)

    def delays(self) -> Iterator[float]:
        for attempt in range(self.attempts - 1):
            yield min(self.max_delay, self.base_delay * (2**attempt))


DEFAULT_RETRY = RetryPolicy()
# terraform-provider-aws internal/service/iam: IAMPropagationTimeout = 2 minutes.
IAM_PROPAGATION_WINDOW = timedelta(minutes=2)


def role_is_new(created: datetime | None, now: datetime | None = None) -> bool:
    """Was the role created recently enough that IAM may not have propagated it yet?"""
    if created is None:
        return False
    moment = now or datetime.now(UTC)
    if created.tzinfo is None:
        created = created.replace(tzinfo=UTC)
    return moment - created < IAM_PROPAGATION_WINDOW


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


def _hint(call: str, code: str) -> str:
    if code in ACCESS_DENIED_CODES:
        hint = f"the caller likely lacks the IAM permission {call}"
        if call.startswith("lakeformation:Grant"):
            hint += (
                " or is neither a Lake Formation data lake administrator nor holds the "
                "permission with grant option"
            )
        return hint
    if code in {"EntityNotFoundException", "NoSuchEntity", "NoSuchBucket", "UnknownResource"}:
        return "the resource does not exist or is not visible to this account"
    if code == CONCURRENT_MODIFICATION:
        return "another change kept conflicting after several retries; run it again"
    if code == PROPAGATION_CODE:
        return "AWS rejected the input (a principal not yet visible after retries, or a bad name)"
    return f"check that the caller has {call} and that the resource exists"


def aws_call(
    method: Callable[..., Any],
    *,
    call: str,
    resource: str,
    missing: frozenset[str] = frozenset(),
    retry_propagation: bool = False,
    retry: RetryPolicy | None = None,
    **kwargs: Any,
) -> Any:
    """Call ``method(**kwargs)``; return ``None`` when the error code is in ``missing``.

    ``call`` is the IAM action name (``"glue:GetDatabase"``), ``resource`` a readable name.
    ``retry`` defaults to the module's ``DEFAULT_RETRY`` (read at call time).
    """
    policy = retry or DEFAULT_RETRY
    delays = policy.delays()
    while True:
        try:
            return method(**kwargs)
        except ClientError as error:
            code = error_code(error)
            if code in missing:
                return None
            retryable = code == CONCURRENT_MODIFICATION or (
                retry_propagation and code == PROPAGATION_CODE
            )
            delay = next(delays, None) if retryable else None
            if delay is None:
                raise AwsCallError(call, resource, code, _hint(call, code)) from None
            policy.sleep(delay)
        except BotoCoreError as error:
            # Connection, endpoint or credential problems: name the call, not the secret.
            raise AwsPlanError(
                f"{call} on {resource} could not be sent: {type(error).__name__}; check "
                "network access, AWS_ENDPOINT_URL and that credentials are configured."
            ) from None


def paginate(
    method: Callable[..., Any],
    result_key: str,
    *,
    call: str,
    resource: str,
    token_in: str = "NextToken",
    token_out: str = "NextToken",
    **kwargs: Any,
) -> list[Any]:
    """All pages of a list call that has no boto3 paginator (e.g. lakeformation:ListPermissions)."""
    items: list[Any] = []
    request = dict(kwargs)
    while True:
        page = aws_call(method, call=call, resource=resource, **request)
        items.extend(page.get(result_key, []))
        token = page.get(token_out)
        if not token:
            return items
        request = {**kwargs, token_in: token}


@cache
def _loader() -> botocore.loaders.Loader:
    """One service-model loader per process: models are parsed once, not once per session."""
    return botocore.loaders.create_loader()


def _botocore_session(profile: str | None = None) -> botocore.session.Session:
    core = botocore.session.Session(profile=profile)
    core.register_component("data_loader", _loader())
    return core


def make_session(
    *,
    region: str,
    profile: str | None = None,
    assume_role_arn: str | None = None,
    session_name: str,
) -> boto3.Session:
    """A session from the standard credential chain (or ``profile``), optionally assuming a role."""
    base = boto3.Session(botocore_session=_botocore_session(profile), region_name=region)
    if profile is not None and profile not in base.available_profiles:
        raise AwsPlanError(
            f"AWS profile {profile!r} is not defined in the AWS config or credentials files; "
            "check ~/.aws/config or remove profile from the configuration."
        )
    if assume_role_arn is None:
        return base
    sts = base.client("sts", config=CLIENT_CONFIG)
    answer = aws_call(
        sts.assume_role,
        call="sts:AssumeRole",
        resource=assume_role_arn,
        RoleArn=assume_role_arn,
        RoleSessionName=session_name,
    )
    creds = answer["Credentials"]
    return boto3.Session(
        botocore_session=_botocore_session(),
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=region,
    )


class AccountClients:
    """The clients of one account, created once each from one session with ``CLIENT_CONFIG``.

    ``overrides`` replaces a client by service name (tests pass a botocore-stubbed client for a
    call moto does not implement).
    """

    def __init__(self, session: boto3.Session, overrides: Mapping[str, Any] | None = None) -> None:
        self.session = session
        self._overrides = dict(overrides or {})
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service in self._overrides:
            return self._overrides[service]
        if service not in self._clients:
            self._clients[service] = self.session.client(service, config=CLIENT_CONFIG)
        return self._clients[service]

    @property
    def region(self) -> str:
        return str(self.session.region_name)

    @cached_property
    def account_id(self) -> str:
        identity = aws_call(
            self.client("sts").get_caller_identity,
            call="sts:GetCallerIdentity",
            resource="the current credentials",
        )
        return str(identity["Account"])

    @property
    def glue(self) -> Any:
        return self.client("glue")

    @property
    def lakeformation(self) -> Any:
        return self.client("lakeformation")

    @property
    def ram(self) -> Any:
        return self.client("ram")

    @property
    def s3(self) -> Any:
        return self.client("s3")

    @property
    def iam(self) -> Any:
        return self.client("iam")

    @property
    def organizations(self) -> Any:
        return self.client("organizations")


def check_account(clients: AccountClients, expected: str, side: str) -> None:
    """Refuse to touch an account other than the one the configuration names."""
    actual = clients.account_id
    if actual != expected:
        raise AwsPlanError(
            f"the {side} credentials belong to account {actual}, but the configuration says "
            f"[{side}] account_id = {expected!r}; set [{side}] profile or assume_role_arn."
        )
