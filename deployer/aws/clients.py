"""Clients and timing: the only place that decides how we talk to AWS.

Retrying is botocore's job, not ours: every client uses the standard retry
mode (throttling, 5xx and dropped connections retried with exponential
backoff and jitter, up to ``MAX_ATTEMPTS``).  How fast the run sends is the
run's pacing (``deployer.run.pacing``, hooked on every client below):
botocore's adaptive mode paces one client from the rate it measures, and a
run whose forty threads make their change sets in the same second measured
too little: it paced a 40-service deploy below what the account allowed
(``make bench``: 1.30 against 1.20 of the critical path for 20 services,
same endpoint, same rate).  ``AWS_ENDPOINT_URL`` and the standard credential
chain are honoured by boto3 itself.

One gap in botocore's retries is closed here: an error answer whose body is
not the protocol's XML (a load balancer's plain-text 503, a proxy's HTML
error page) makes botocore's parser raise ``ResponseParserError`` before the
retry handler ever sees the answer, so it is not retried and escapes every
``except BotoCoreError``.  A ``before-parse`` handler rewrites such a body
into the protocol's error shape (code ``HTTP<status>``, a snippet of what was
received as the message); botocore then treats it like any other error of
that status: a 5xx (and a 429) is retried, and the last one raises a
``ClientError`` we print as one line.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound
from botocore.parsers import ResponseParserError

from deployer.errors import UsageError

MAX_ATTEMPTS = 10  # per call, the first one included, unless AWS_MAX_ATTEMPTS (the SDKs' standard variable) says


def retries() -> Config:
    """Every client's config: botocore's standard retry mode, and our name in the user agent."""
    policy = {"mode": "standard", "total_max_attempts": max_attempts()}
    return Config(retries=policy, user_agent_extra="fargate-stacks-deployer")  # type: ignore[arg-type]


def max_attempts() -> int:
    """Attempts per call: AWS_MAX_ATTEMPTS when it is a positive number (the SDKs' variable), else ours."""
    value = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(value) if value.isdigit() and int(value) > 0 else MAX_ATTEMPTS


# Everything a call to AWS may raise: an API error, a transport error, or an answer botocore could not read
# (a 2xx body that is not XML: no status says it is worth retrying).
AWS_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError, ResponseParserError)

THROTTLING_CODES = frozenset(
    ("Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException", "SlowDown")
)
SNIPPET = 200  # characters of an unreadable body kept in the error message
# Calls a deploy can do without (drift is advisory): an unreadable answer means "not supported here", not "retry".
OPTIONAL_ACTIONS = frozenset(("DetectStackDrift", "DescribeStackDriftDetectionStatus", "DescribeStackResourceDrifts"))


@dataclass(frozen=True)
class Timing:
    """How long and how often we wait; tests shrink these, production keeps the defaults.

    A change set is first asked about ``change_set_first`` seconds after it
    is made (then when the run's change sets were seen ready so far), then
    less and less often: CloudFormation computes most in a few seconds, and
    three sit on a first deploy's critical path (``run.change_set_wait``).  A
    stack operation's status is checked about every sixteenth of its age,
    between ``poll_min`` and ``poll_max``: seen within half a second while it
    is young, without asking every second for half an hour.
    """

    change_set_first: float = 1.0  # the first DescribeChangeSet after CreateChangeSet ...
    change_set_delay: float = 10  # ... then two at half a second, then each pause 1.5 times longer, up to this
    change_set_attempts: int = 120
    busy_delay: int = 15  # a stack another operation is changing
    busy_timeout: int = 1800  # 0: refuse at once instead of waiting
    delete_delay: int = 10
    poll_min: float = 0.5  # stack status during an operation: every sixteenth of its age, within these bounds
    poll_max: float = 10.0
    operation_timeout: int = 3 * 3600  # ECS services may take long to stabilise
    lock_delay: float = 15  # --wait: how often to try the environment's lock again


class Clients:
    """The run's clients: CloudFormation made up front, the others (S3, ELB, ECS, CloudWatch, ...) on first use.

    Creating a client costs tens of milliseconds (S3's model is the largest),
    and most runs never use S3 (only templates over the inline limit, with
    --bucket, go there).  Clients are thread-safe, sessions are not: the lock
    makes one at a time.
    """

    def __init__(
        self,
        cloudformation: Any,
        s3: Any = None,
        elbv2: Any = None,
        make: Callable[[str], Any] | None = None,
        ecs: Any = None,
        cloudwatch: Any = None,
    ) -> None:
        self.cloudformation = cloudformation
        self._made: dict[str, Any] = {
            "s3": s3, "elbv2": elbv2, "ecs": ecs, "cloudwatch": cloudwatch, "acm": None, "sts": None, "iam": None
        }  # fmt: skip
        self._make = make
        self._lock = threading.Lock()
        self.profile = ""  # the profile the credentials come from ("" when none was named)
        self.credentials = ""  # how botocore found them: env, shared-credentials-file, sso, iam-role, ...

    @property
    def s3(self) -> Any:
        return self._client("s3")

    @property
    def elbv2(self) -> Any:
        return self._client("elbv2")

    @property
    def ecs(self) -> Any:
        return self._client("ecs")

    @property
    def cloudwatch(self) -> Any:
        return self._client("cloudwatch")

    @property
    def acm(self) -> Any:
        return self._client("acm")

    @property
    def sts(self) -> Any:
        return self._client("sts")

    @property
    def iam(self) -> Any:
        return self._client("iam")

    @property
    def endpoint(self) -> str:
        """The endpoint CloudFormation is reached at (``AWS_ENDPOINT_URL`` or AWS's own)."""
        return str(getattr(getattr(self.cloudformation, "meta", None), "endpoint_url", "") or "")

    def of(self, name: str) -> Any:
        """The client of any other service, by botocore's name (``ecs``, ``logs``, ...), made on first use."""
        return self._client(name)

    def _client(self, name: str) -> Any:
        with self._lock:
            if self._made.get(name) is None and self._make is not None:
                self._made[name] = self._make(name)
            return self._made.get(name)


# Called (from the calling thread) when botocore is about to retry a call: progress shows "retrying".
OnRetry = Callable[[str, str, int], None]  # operation, reason, attempt


@dataclass(frozen=True)
class Pacing:
    """The run's pacing (``deployer.run.pacing``), seen from the clients: asked before each call, told each answer."""

    before_call: Callable[[], int]  # blocks until the call may go; a token for ``answered`` (when it was sent)
    answered: Callable[[bool, int | None], None]  # each attempt's answer: throttled or not, and that token


def make_clients(
    profile: str | None, region: str, on_retry: OnRetry | None = None, pacing: Pacing | None = None
) -> Clients:
    """One client per service (CloudFormation now, the others when first used), all hardened alike."""
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise UsageError(f"--profile: {exc}") from None
    config = retries()

    def make(name: str) -> Any:
        return harden(session.client(name, config=config), on_retry, pacing)

    clients = Clients(make("cloudformation"), make=make)
    clients.profile = profile or os.environ.get("AWS_PROFILE", "")
    try:
        credentials = session.get_credentials()  # the chain's answer; the first call would resolve them anyway
    except BotoCoreError:
        credentials = None  # the first call says what is wrong
    clients.credentials = str(getattr(credentials, "method", "") or "")
    return clients


def make_ec2_client(profile: str | None, region: str) -> Any:
    """An EC2 client for the brownfield pre-check, hardened like the others.

    Its own session, outside ``Clients``: the check runs before any stack is
    worked on, so there is no stack to report its retries on.
    """
    session = boto3.Session(profile_name=profile, region_name=region)
    return harden(session.client("ec2", config=retries()))


def harden(client: Any, on_retry: OnRetry | None = None, pacing: Pacing | None = None) -> Any:
    """Register the unreadable-answer handler (the retry observer, the run's pacing) on ``client``; returns it.

    The pacing is asked before every attempt (``request-created``, before
    the request is signed), botocore's retries included: a throttled burst
    retried unpaced would be throttled again and again, and each retry of a
    client draws on botocore's retry quota (500, five per throttled retry in
    standard mode), which a hundred stacks starting together would exhaust:
    then calls fail with ``Throttling`` without being retried at all.
    https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
    """
    protocol = client.meta.service_model.resolved_protocol

    def before_parse(response_dict: dict[str, Any], operation_model: Any = None, **_: Any) -> None:
        name = getattr(operation_model, "name", "")
        readable_error(response_dict, protocol, raise_for=name if name in OPTIONAL_ACTIONS else None)

    client.meta.events.register("before-parse", before_parse)
    if on_retry is not None:
        client.meta.events.register("needs-retry", _observer(on_retry))
    if pacing is not None:
        client.meta.events.register_first("request-created", _paced(pacing.before_call))
        client.meta.events.register("needs-retry", _answers(pacing.answered))
    return client


PACING_KEY = "fargate_stacks_pacing"  # where the call's request context keeps what ``before_call`` returned


def _paced(before_call: Callable[[], int]) -> Callable[..., None]:
    def wait(request: Any = None, **_: Any) -> None:
        token = before_call()
        context = getattr(request, "context", None)
        if isinstance(context, dict):  # the call's context: what ``needs-retry`` sees as request_dict["context"]
            context[PACING_KEY] = token

    return wait


def _answers(answered: Callable[[bool, int | None], None]) -> Callable[..., None]:
    """Tell ``answered`` whether each attempt's answer was throttling; never decides a retry itself."""

    def observe(response: Any = None, request_dict: dict[str, Any] | None = None, **_: Any) -> None:
        if response:
            error = (response[1] or {}).get("Error") or {}
            token = ((request_dict or {}).get("context") or {}).get(PACING_KEY)
            answered(error.get("Code") in THROTTLING_CODES, token)

    return observe


def readable_error(response: dict[str, Any], protocol: str, raise_for: str | None = None) -> None:
    """Replace an error answer's unreadable body with the protocol's error shape, in place.

    ``raise_for`` (an optional call's operation): raise that error at once
    instead, before botocore's retry handler sees the answer: not retried.
    """
    status = response.get("status_code", 200)
    body = response.get("body")
    if status < 300 or not isinstance(body, bytes) or _readable(body, protocol):
        return
    text = body.decode("utf-8", "replace").strip()
    text = " ".join(text.split())[:SNIPPET] or "(empty body)"
    message = f"unreadable answer from the endpoint or a proxy on the way: {text}"
    code = f"HTTP{status}"
    if raise_for is not None:
        error = {"Code": code, "Message": message}
        raise ClientError({"Error": error, "ResponseMetadata": {"HTTPStatusCode": status}}, raise_for)
    if protocol in ("json", "rest-json"):
        response["body"] = json.dumps({"__type": code, "message": message}).encode()
    else:
        error = f"<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>"
        response["body"] = (error if protocol == "rest-xml" else f"<ErrorResponse>{error}</ErrorResponse>").encode()


def _readable(body: bytes, protocol: str) -> bool:
    stripped = body.strip()
    if not stripped:
        return True  # botocore's generic error parse handles an empty body itself
    if protocol in ("json", "rest-json"):
        return stripped.startswith(b"{")
    try:
        root = ElementTree.fromstring(stripped)  # noqa: S314 - an error answer from our own endpoint, no entities
    except ElementTree.ParseError:
        return False
    return root.tag.lower() != "html"


def _observer(on_retry: OnRetry) -> Callable[..., None]:
    """Tell ``on_retry`` about an answer botocore's retry handler is about to judge; it never decides."""

    limit = max_attempts()

    def observe(attempts: int, response: Any, caught_exception: Exception | None, operation: Any, **_: Any) -> None:
        reason = transient_reason(response[1] if response else None, caught_exception)
        if reason and attempts < limit:
            on_retry(operation.name, reason, attempts)

    return observe


def transient_reason(parsed: dict[str, Any] | None, exc: BaseException | None) -> str:
    """Why an answer is worth asking again (throttling, 5xx, a dropped connection), or "" when it is not."""
    if exc is not None:
        return type(exc).__name__ if isinstance(exc, BotoCoreError | ConnectionError) else ""
    error = (parsed or {}).get("Error") or {}
    status = (parsed or {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 200)
    if error.get("Code") in THROTTLING_CODES:
        return str(error["Code"])
    return f"HTTP {status}" if status >= 500 or status == 429 else ""


def stack_missing(exc: ClientError) -> bool:
    """CloudFormation's answer for a stack that does not exist: a ValidationError saying so."""
    error = exc.response.get("Error", {})
    return error.get("Code") == "ValidationError" and "does not exist" in error.get("Message", "")


def is_transient(exc: BaseException) -> bool:
    """A failed call that says nothing about the stack: ask again later (the retries botocore made ran out)."""
    if isinstance(exc, ClientError):
        return bool(transient_reason(exc.response, None))
    return isinstance(exc, BotoCoreError | ResponseParserError)


def one_line(exc: BaseException) -> str:
    """An AWS error as the single line the user sees (a parser error quotes the whole body on several)."""
    return " ".join(str(exc).split())[:400]
