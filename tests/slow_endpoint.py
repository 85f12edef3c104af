"""The local endpoint's slow mode: change sets and stack operations take time, and the account has a rate limit.

moto finishes a change set inside CreateChangeSet and a whole stack
operation inside ExecuteChangeSet, so against it a deploy measures only the
client.  In AWS a change set takes seconds to compute and a service stack
minutes to stabilise, and every API call counts against the account's
request rate.  This module gives the endpoint that timing, as two layers of
their own on top of moto and ``tests/moto_patches.py`` (nothing here changes
what moto answers, only when):

- ``Holds`` (a patch of moto's CloudFormation backend, applied after
  ``moto_patches``): a new change set stays ``CREATE_IN_PROGRESS`` /
  ``UNAVAILABLE`` for ``change_set`` seconds, and ExecuteChangeSet refuses it
  meanwhile (``InvalidChangeSetStatus``, as CloudFormation does); an executed
  change set's stack (or one made by CreateStack) stays ``CREATE_IN_PROGRESS`` / ``UPDATE_IN_PROGRESS`` for
  its operation's time (network 6 s, ALB and cluster 4 s, service 8 s by
  default), showing only the events that started it; a new stack's outputs and
  exports appear when its operation completes, so a stack importing them
  cannot go ahead early.  Released lazily: before each request, whatever is
  due is settled, so every answer is consistent with the clock.
- Quick parsing: moto parses every template with PyYAML's pure-Python
  loader, about a tenth of a second for a service stack, and the endpoint
  answers one request at a time: forty CreateChangeSets would queue for
  seconds behind each other, a cost AWS (which answers in parallel) does not
  have.  In slow mode a JSON template is parsed with ``json`` (JSON is YAML:
  the same dict), so the endpoint's own CPU does not stand in for AWS's time.
- ``RateLimit`` (WSGI middleware): one token bucket for the whole account
  (``rate`` requests per second, ``burst`` at most); a request over it is
  answered ``Throttling`` in the protocol of the service asked, before moto
  sees it.

``GET /_slow/stats`` answers what happened (requests and throttled answers per
action, and a timeline of each stack's change sets and operations), so tests
and the benchmark judge a run by the endpoint's own record.

AWS facts: change set ``Status`` CREATE_PENDING / CREATE_IN_PROGRESS / CREATE_COMPLETE and
``ExecutionStatus`` UNAVAILABLE until it is ready
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeChangeSet.html);
ExecuteChangeSet's ``InvalidChangeSetStatus`` "The specified change set can't be used to update the stack"
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html);
``Throttling`` (HTTP 400) is the common error of a request over the account's rate
(https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html).
"""

from __future__ import annotations

import functools
import io
import json
import re
import threading
import time
import types
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

# The figures: a change set takes 2 s, stack operations 6 s (network), 4 s (ALB, cluster), 8 s (service).
OPERATIONS = ((r"-network$", 6.0), (r"-alb(-\d+)?$", 4.0), (r"-cluster$", 4.0), (r"-svc-", 8.0))


@dataclass(frozen=True)
class Slowness:
    """How slow the endpoint is: seconds per change set and per stack operation, and the account's request rate."""

    change_set: float = 2.0
    operations: tuple[tuple[str, float], ...] = OPERATIONS  # (stack-name pattern, seconds), first match wins
    other_operation: float = 4.0
    rate: float = 20.0  # requests per second for the whole account; 0: no limit
    burst: float = 20.0  # tokens the bucket holds: one second of requests

    def scaled(self, factor: float) -> Slowness:
        """The same endpoint with every delay multiplied by ``factor`` (the rate stays)."""
        return replace(
            self,
            change_set=self.change_set * factor,
            operations=tuple((pattern, seconds * factor) for pattern, seconds in self.operations),
            other_operation=self.other_operation * factor,
        )

    def operation_seconds(self, stack_name: str) -> float:
        return next((s for pattern, s in self.operations if re.search(pattern, stack_name)), self.other_operation)

    def arguments(self) -> list[str]:
        """The command line that makes ``python -m tests.moto_endpoint`` this slow."""
        return ["--slow", json.dumps({"change_set": self.change_set, "operations": self.operations,
                                      "other_operation": self.other_operation, "rate": self.rate,
                                      "burst": self.burst})]  # fmt: skip

    @classmethod
    def parse(cls, text: str) -> Slowness:
        """``--slow``'s JSON: any of the fields, and ``scale`` (every delay multiplied by it)."""
        data = json.loads(text) if text.strip() else {}
        scale = float(data.pop("scale", 1.0))
        data["operations"] = tuple(tuple(item) for item in data.get("operations", OPERATIONS))
        return cls(**data).scaled(scale)


@dataclass
class _HeldChangeSet:
    until: float
    change_set: Any  # moto's
    status: tuple[Any, Any, Any]  # (Status, ExecutionStatus, StatusReason) moto gave it


@dataclass
class _HeldStack:
    until: float
    status: str  # what moto says the operation ended in
    events: list[Any]  # the operation's events after the one that started it
    output_map: Any = None  # a new stack's outputs, shown once it is complete
    exports: dict[str, Any] = field(default_factory=dict)


class Holds:
    """Change sets and stack operations in progress, and the record of when each started and ended."""

    def __init__(self, slowness: Slowness, clock: Callable[[], float] = time.monotonic) -> None:
        self.slowness = slowness
        self.clock = clock
        self.started = clock()
        self.change_sets: dict[str, _HeldChangeSet] = {}
        self.stacks: dict[str, tuple[Any, Any, _HeldStack]] = {}  # stack id -> (backend, stack, hold)
        self.timeline: list[dict[str, Any]] = []
        self.busy: Counter[str] = Counter()  # seconds moto spent answering (under the endpoint's lock), per action

    def install(self) -> None:
        """Patch moto's CloudFormation backend (once per process, on top of ``moto_patches``)."""
        from moto.cloudformation.models import CloudFormationBackend

        backend = CloudFormationBackend
        backend.create_change_set = self._creating(backend.create_change_set)  # type: ignore[method-assign]
        backend.execute_change_set = self._executing(backend.execute_change_set)  # type: ignore[method-assign]
        backend.create_stack = self._creating_stack(backend.create_stack)  # type: ignore[method-assign]
        _parse_json_quickly()

    def _note(self, stack: str, what: str, at: float | None = None) -> None:
        self.timeline.append({"stack": stack, "what": what, "t": round((at or self.clock()) - self.started, 3)})

    def _creating(self, create: Callable[..., tuple[str, str]]) -> Callable[..., tuple[str, str]]:
        @functools.wraps(create)
        def patched(backend: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
            change_set_id, stack_id = create(backend, *args, **kwargs)
            change_set = backend.change_sets[change_set_id]
            real = (change_set.status, change_set.execution_status, change_set.status_reason)
            self.change_sets[change_set_id] = _HeldChangeSet(self.clock() + self.slowness.change_set, change_set, real)
            change_set.status, change_set.execution_status, change_set.status_reason = (
                "CREATE_IN_PROGRESS",
                "UNAVAILABLE",
                None,
            )
            self._note(change_set.stack_name, "change set created")
            return change_set_id, stack_id

        return patched

    def _executing(self, execute: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(execute)
        def patched(backend: Any, change_set_name: str, stack_name: str | None = None) -> None:
            change_set = backend.describe_change_set(change_set_name)
            if change_set.change_set_id in self.change_sets:
                raise _invalid_status(change_set.change_set_id)
            stack = backend.stacks[change_set.stack_id]
            seen = len(stack.events)
            execute(backend, change_set_name, stack_name)
            self._hold(backend, stack, change_set.change_set_type, seen)

        return patched

    def _creating_stack(self, create: Callable[..., Any]) -> Callable[..., Any]:
        """CreateStack: the operation takes its time as an executed CREATE change set does."""

        @functools.wraps(create)
        def patched(backend: Any, *args: Any, **kwargs: Any) -> Any:
            stack = create(backend, *args, **kwargs)
            self._note(stack.name, "stack created")
            self._hold(backend, stack, "CREATE", 0)
            return stack

        return patched

    def _hold(self, backend: Any, stack: Any, kind: str, seen: int) -> None:
        """The operation moto just finished is shown in progress until its time is up."""
        events = stack.events[seen:]
        starting = [e for e in events if e.resource_status.endswith("_IN_PROGRESS")][:1]
        hold = _HeldStack(
            self.clock() + self.slowness.operation_seconds(stack.name), stack.status, events[len(starting) :]
        )
        stack.events[seen:] = starting
        stack.status = f"{kind}_IN_PROGRESS"
        if kind == "CREATE":  # a stack being created has no outputs yet, and nothing can import them
            hold.output_map, stack.output_map = stack.output_map, types.SimpleNamespace(values=list, exports=[])
            hold.exports = {n: e for n, e in backend.exports.items() if e.exporting_stack_id == stack.stack_id}
            for name in hold.exports:
                del backend.exports[name]
        self.stacks[stack.stack_id] = (backend, stack, hold)
        self._note(stack.name, "executed")

    def settle(self) -> None:
        """Everything whose time is up becomes what moto made it: before each request, so answers follow the clock."""
        now = self.clock()
        for change_set_id, held in list(self.change_sets.items()):
            if held.until <= now:
                del self.change_sets[change_set_id]
                change_set = held.change_set
                change_set.status, change_set.execution_status, change_set.status_reason = held.status
                self._note(change_set.stack_name, "change set ready", held.until)
        for stack_id, (backend, stack, held) in list(self.stacks.items()):
            if held.until <= now:
                del self.stacks[stack_id]
                stack.status = held.status
                for event in held.events:
                    event.timestamp = datetime.now(UTC).replace(tzinfo=None)  # moto's naive UTC
                stack.events += held.events
                if held.output_map is not None:
                    stack.output_map = held.output_map
                backend.exports.update(held.exports)
                self._note(stack.name, "done", held.until)

    def middleware(self, app: Any) -> Callable[..., Iterable[bytes]]:
        """``app`` with every due hold settled before each request (run it under the endpoint's one lock)."""

        def settled(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
            started = time.perf_counter()
            self.settle()
            answer = list(app(environ, start_response))
            self.busy[environ.get("slow.action", "?")] += time.perf_counter() - started
            return answer

        return settled


def _parse_json_quickly() -> None:
    """moto's template parsing, ``json`` first (a JSON template gives the same dict), PyYAML for the rest."""
    from moto.cloudformation.models import ChangeSet, Stack

    yaml_parse = Stack.parse_template

    def parse_template(template: str) -> dict[str, Any]:
        try:
            return json.loads(template)
        except (TypeError, ValueError):
            return yaml_parse(template)

    def change_set_template(change_set: Any) -> None:
        change_set.template_dict = parse_template(change_set.template)

    Stack.parse_template = staticmethod(parse_template)  # type: ignore[method-assign]
    ChangeSet._parse_template = change_set_template  # type: ignore[method-assign]


def _invalid_status(change_set_id: str) -> Exception:
    from moto.cloudformation.exceptions import CloudFormationError

    class InvalidChangeSetStatus(CloudFormationError):
        code = "InvalidChangeSetStatus"

    return InvalidChangeSetStatus(
        f"ChangeSet [{change_set_id}] cannot be executed in its current status of [CREATE_IN_PROGRESS]"
    )


class RateLimit:
    """One token bucket for every request of the account; over it, ``Throttling`` before moto sees the request."""

    def __init__(
        self, app: Any, slowness: Slowness, holds: Holds | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.rate, self.burst = slowness.rate, max(1.0, slowness.burst)
        self.holds = holds
        self.clock = clock
        self.tokens, self.last = self.burst, clock()
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.throttled: Counter[str] = Counter()

    def take(self) -> bool:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
            self.last = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_slow/"):
            return _answer(start_response, "200 OK", "application/json", json.dumps(self.stats()).encode())
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        action, protocol = request_action(environ, body)
        if self.rate > 0 and not self.take():
            self.throttled[action] += 1
            return _throttling(start_response, protocol)
        self.requests[action] += 1
        environ["slow.action"] = action
        return self.app(environ, start_response)

    def stats(self) -> dict[str, Any]:
        timeline = list(self.holds.timeline) if self.holds else []
        busy = {action: round(seconds, 3) for action, seconds in (self.holds.busy if self.holds else {}).items()}
        return {"requests": dict(self.requests), "throttled": dict(self.throttled), "busy": busy, "timeline": timeline}


def request_action(environ: dict[str, Any], body: bytes) -> tuple[str, str]:
    """(API action, protocol) of a request: query (form body), json (X-Amz-Target) or rpc-v2-cbor (the path)."""
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1], "json"
    path = environ.get("PATH_INFO", "")
    if "/operation/" in path:
        return path.rsplit("/", 1)[-1], "cbor"
    fields = parse_qs(body.decode("utf-8", "replace"))
    return (fields.get("Action") or ["?"])[0], "query"


def _answer(start_response: Any, status: str, content_type: str, body: bytes, extra: Iterable[tuple[str, str]] = ()):
    start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))), *extra])
    return [body]


def _throttling(start_response: Any, protocol: str) -> Iterable[bytes]:
    message = "Rate exceeded"
    if protocol == "json":
        body = json.dumps({"__type": "ThrottlingException", "message": message}).encode()
        return _answer(start_response, "400 Bad Request", "application/x-amz-json-1.1", body)
    if protocol == "cbor":
        body = _cbor_map({"__type": "ThrottlingException", "message": message})
        return _answer(
            start_response, "400 Bad Request", "application/cbor", body, [("smithy-protocol", "rpc-v2-cbor")]
        )
    error = f"<Error><Type>Sender</Type><Code>Throttling</Code><Message>{message}</Message></Error>"
    body = f"<ErrorResponse>{error}<RequestId>slow-endpoint</RequestId></ErrorResponse>".encode()
    return _answer(start_response, "400 Bad Request", "text/xml", body)


def _cbor_map(values: dict[str, str]) -> bytes:
    """A CBOR map of short text strings (RFC 8949: major type 5 holding major type 3 items)."""

    def text(value: str) -> bytes:
        data = value.encode()
        assert len(data) < 24, "short strings only"
        return bytes([0x60 | len(data)]) + data

    return bytes([0xA0 | len(values)]) + b"".join(text(k) + text(v) for k, v in values.items())


def stats(url: str) -> dict[str, Any]:
    """What the slow endpoint at ``url`` recorded (requests, throttled answers, each stack's timeline)."""
    import urllib.request

    with urllib.request.urlopen(f"{url}/_slow/stats", timeout=10) as answer:  # noqa: S310 - our loopback endpoint
        return json.loads(answer.read())
