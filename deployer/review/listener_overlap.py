"""Which rule of a listener serves a request, as ALB decides it, and which requests change owner.

Plain data in, plain data out: rules are their priority and their
``Conditions`` in the shape both DescribeRules and a template's
``AWS::ElasticLoadBalancingV2::ListenerRule`` use.  ALB's facts encoded here:

- Rules are evaluated in priority order, from the lowest value to the highest;
  the first rule whose conditions are all met serves the request, the default
  rule last.  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-rules.html
- A rule's conditions are ANDed; the values of one condition are ORed ("the
  condition is satisfied if one of the strings matches").  ``host-header`` is
  compared case-insensitively, ``path-pattern`` case-sensitively and only with
  the URL's path; both take the wildcards ``*`` (0 or more characters) and
  ``?`` (exactly one).  ``http-header`` values and ``query-string`` pairs are
  compared case-insensitively with the same wildcards; ``http-request-method``
  exactly; ``source-ip`` by CIDR.
  https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
  https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HostHeaderConditionConfig.html
  https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_PathPatternConditionConfig.html

Two rules overlap when one request meets the conditions of both.  Whether
that holds is decided exactly for wildcard patterns (an intersection of the
patterns' automata, which also spells a request both match); a condition
matched by regular expression (``RegexValues``) cannot be compared that way
and is assumed to match, so the answer errs towards reporting an overlap.
"""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

_CONFIG = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-header": "HttpHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "query-string": "QueryStringConfig",
    "source-ip": "SourceIpConfig",
}
_SPARE = "abcdefghijklmnopqrstuvwxyz0123456789"  # a character no pattern names, to spell what only wildcards match


@dataclass(frozen=True)
class Rule:
    """One listener rule: who it is (``name``), its priority, its conditions (raw RuleCondition dicts)."""

    name: str
    priority: int
    conditions: tuple[Mapping[str, Any], ...] = ()

    def values(self, condition_field: str) -> list[list[Any]]:
        """The value lists of each condition of one field (legacy ``Values`` and the typed config both count)."""
        found = []
        for condition in self.conditions:
            if condition.get("Field") == condition_field:
                config = condition.get(_CONFIG.get(condition_field, "")) or {}
                found.append(list(condition.get("Values") or []) + list(config.get("Values") or []))
        return found

    def has_regex(self) -> bool:
        """Whether a condition matches by regular expression, which this module cannot compare."""
        return any((c.get(_CONFIG.get(c.get("Field", ""), "")) or {}).get("RegexValues") for c in self.conditions)


@dataclass(frozen=True)
class Request:
    """One request; ``None`` host or path: one that no rule constrains (any host, any path)."""

    host: str | None
    path: str | None
    method: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str | None, str], ...] = ()
    source: str | None = None

    def describe(self) -> str:
        text = f"a request for {self.host or '(any host)'}{self.path or ' (any path)'}"
        extras = [f"method {self.method}"] if self.method else []
        extras += [f"header {name}: {value}" for name, value in self.headers]
        extras += [f"query {key + '=' if key else ''}{value}" for key, value in self.query]
        extras += [f"from {self.source}"] if self.source else []
        return text + (f" ({', '.join(extras)})" if extras else "")


@dataclass(frozen=True)
class OwnerChange:
    """A request that one of our rules and a foreign rule both match, and who gets it.

    ``taken_by_us``: our rule serves it although the foreign rule would without
    our rules; otherwise the foreign rule serves what our rule is meant to.
    ``assumed``: a regular-expression condition was taken to match.
    """

    ours: Rule
    theirs: Rule
    request: Request
    taken_by_us: bool
    assumed: bool = field(default=False)


def owner_changes(ours: Sequence[Rule], foreign: Sequence[Rule]) -> list[OwnerChange]:
    """Every (our rule, foreign rule) pair through which some request changes owner, with one such request.

    For each pair that overlaps, a request both match is evaluated against
    the whole listener in priority order: when a foreign rule serves it, our
    rule loses it; when one of ours does, it takes it from the foreign rule
    that serves it without ours.  Pairs at equal priorities are left out
    (ELB refuses the second rule outright, ``PriorityInUse``).
    """
    everything = [*ours, *foreign]
    found: dict[tuple[str, str, bool], OwnerChange] = {}
    for our, their in itertools.product(ours, foreign):
        if our.priority == their.priority or (request := common_request(our, their)) is None:
            continue
        winner, before = first_match(everything, request), first_match(foreign, request)
        assumed = our.has_regex() or their.has_regex()
        if winner is None or before is None:
            continue
        if winner in foreign:
            change = OwnerChange(our, winner, request, taken_by_us=False, assumed=assumed)
        else:
            change = OwnerChange(winner, before, request, taken_by_us=True, assumed=assumed)
        found.setdefault((change.ours.name, change.theirs.name, change.taken_by_us), change)
    return list(found.values())


def first_match(rules: Iterable[Rule], request: Request) -> Rule | None:
    """The rule that serves ``request``: the lowest priority number whose conditions all match."""
    return next((rule for rule in sorted(rules, key=lambda r: r.priority) if matches(rule, request)), None)


def matches(rule: Rule, request: Request) -> bool:
    """Whether every condition of ``rule`` is met by ``request`` (a regex condition counts as met)."""
    for condition in rule.conditions:
        kind = condition.get("Field", "")
        if (condition.get(_CONFIG.get(kind, "")) or {}).get("RegexValues"):
            continue
        (values,) = Rule("", 0, (condition,)).values(kind) or [[]]
        if not _meets(kind, condition, values, request):
            return False
    return True


def _meets(kind: str, condition: Mapping[str, Any], values: list[Any], request: Request) -> bool:
    if kind in ("host-header", "path-pattern"):
        text = request.host if kind == "host-header" else request.path
        if text is None:  # a host (path) no specific pattern matches: only all-wildcard ones do
            return any(_text(v).strip("*") == "" for v in values)
        return any(glob_match(_text(v), text, fold=kind == "host-header") for v in values)
    if kind == "http-request-method":
        return request.method in values
    if kind == "http-header":
        name = str((condition.get("HttpHeaderConfig") or {}).get("HttpHeaderName", "")).lower()
        sent = [value for header, value in request.headers if header.lower() == name]
        return any(glob_match(_text(v), value, fold=True) for v in values for value in sent)
    if kind == "query-string":
        return any(_query_matches(pair, key, value) for pair in values for key, value in request.query)
    if kind == "source-ip":
        return request.source is not None and any(_within(request.source, v) for v in values)
    return True  # a condition type ALB may add later: assume met, so an overlap is reported rather than missed


class _Disjoint(Exception):
    """No request meets both rules' conditions of one field."""


def common_request(a: Rule, b: Rule) -> Request | None:
    """A request that meets the conditions of both rules, or None when no request can."""
    both = [*a.conditions, *b.conditions]
    try:
        host = _common_text(a.values("host-header") + b.values("host-header"), fold=True)
        path = _common_text(a.values("path-pattern") + b.values("path-pattern"), fold=False)
        method = _common_method(a.values("http-request-method") + b.values("http-request-method"))
        headers = _common_headers(both)
        source = _common_source(a.values("source-ip") + b.values("source-ip"))
    except _Disjoint:
        return None
    pairs = [values[0] for values in a.values("query-string") + b.values("query-string") if values]
    return Request(host, path, method, headers, tuple(_query_pair(pair) for pair in pairs), source)


def _common_text(conditions: list[list[Any]], fold: bool) -> str | None:
    """A text meeting every condition (one value of each); None: unconstrained, any text."""
    patterns = [[_text(v) for v in values] for values in conditions if values]
    for choice in itertools.product(*patterns):
        if all(p.strip("*") == "" for p in choice):
            return None  # only "*": any text, no specific one
        if (text := common_string(choice, fold)) is not None:
            return _readable(text, choice, fold)
    if patterns:
        raise _Disjoint
    return None


def _common_method(conditions: list[list[Any]]) -> str | None:
    if not conditions:
        return None
    common = set.intersection(*(set(values) for values in conditions))
    if not common:
        raise _Disjoint
    return min(common)


def _common_headers(conditions: list[Mapping[str, Any]]) -> tuple[tuple[str, str], ...]:
    """One value per header name meeting every ``http-header`` condition on that name (names ignore case)."""
    by_name: dict[str, list[list[Any]]] = {}
    for condition in conditions:
        if condition.get("Field") == "http-header":
            config = condition.get("HttpHeaderConfig") or {}
            name = str(config.get("HttpHeaderName", "")).lower()
            by_name.setdefault(name, []).append(list(config.get("Values") or []))
    return tuple((name, _common_text(values, fold=True) or "x") for name, values in sorted(by_name.items()))


def _common_source(conditions: list[list[Any]]) -> str | None:
    if not conditions:
        return None
    for choice in itertools.product(*conditions):
        networks = [ipaddress.ip_network(str(v), strict=False) for v in choice]
        if all(n.version == networks[0].version for n in networks) and all(
            x.overlaps(y) for x, y in itertools.combinations(networks, 2)
        ):
            return str(min(networks, key=lambda n: n.num_addresses))
    raise _Disjoint


def _query_pair(pair: Mapping[str, Any]) -> tuple[str | None, str]:
    """A query parameter meeting one ``{Key, Value}`` pair; a request can carry any number of parameters."""
    key, value = pair.get("Key"), str(pair.get("Value", ""))
    return (common_string([key], True) if key else None), common_string([value], True) or ""


def _query_matches(pair: Mapping[str, Any], key: str | None, value: str) -> bool:
    wanted = pair.get("Key")
    key_ok = not wanted or (key is not None and glob_match(str(wanted), key, fold=True))
    return key_ok and glob_match(str(pair.get("Value", "")), value, fold=True)


def _within(source: str, cidr: Any) -> bool:
    network, wanted = ipaddress.ip_network(source, strict=False), ipaddress.ip_network(str(cidr), strict=False)
    return network.version == wanted.version and network.subnet_of(wanted)  # type: ignore[arg-type]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "*"  # an expression in a template: it may match anything


@cache
def _pattern(pattern: str, fold: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.DOTALL | (re.IGNORECASE if fold else 0))


def glob_match(pattern: str, text: str, fold: bool) -> bool:
    """ALB's wildcard match: ``*`` any 0 or more characters, ``?`` exactly one, the rest literally."""
    return _pattern(pattern, fold).fullmatch(text) is not None


def common_string(patterns: Sequence[str], fold: bool) -> str | None:
    """A shortest text all ``patterns`` match (ALB wildcards), or None when they have none in common.

    A breadth-first walk over the product of the patterns' automata, each
    pattern's state the set of positions it may be at.  Characters no pattern
    names behave alike (only ``?`` and ``*`` take them), so one spare
    character stands for all of them.
    """
    texts = [p.lower() if fold else p for p in patterns]
    literals = sorted({c for p in texts for c in p if c not in "*?"})
    alphabet = literals + [c for c in _SPARE if c not in literals][:1]
    start = tuple(_closure(p, {0}) for p in texts)
    came_from: dict[tuple[frozenset[int], ...], tuple[Any, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        state = queue.popleft()
        if all(len(p) in positions for p, positions in zip(texts, state, strict=True)):
            return _spell(came_from, state)
        for char in alphabet:
            after = tuple(_step(p, positions, char) for p, positions in zip(texts, state, strict=True))
            if all(after) and after not in came_from:
                came_from[after] = (state, char)
                queue.append(after)
    return None


def _closure(pattern: str, positions: set[int]) -> frozenset[int]:
    """Positions reachable by letting ``*`` match nothing."""
    reached, todo = set(positions), list(positions)
    while todo:
        i = todo.pop()
        if i < len(pattern) and pattern[i] == "*" and i + 1 not in reached:
            reached.add(i + 1)
            todo.append(i + 1)
    return frozenset(reached)


def _step(pattern: str, positions: frozenset[int], char: str) -> frozenset[int]:
    nxt = set()
    for i in positions:
        if i < len(pattern):
            if pattern[i] == "*":
                nxt.add(i)
            elif pattern[i] in ("?", char):
                nxt.add(i + 1)
    return _closure(pattern, nxt)


def _spell(came_from: Mapping[Any, tuple[Any, str] | None], state: Any) -> str:
    chars = []
    while (step := came_from[state]) is not None:
        state, char = step
        chars.append(char)
    return "".join(reversed(chars))


def _readable(text: str, patterns: Sequence[str], fold: bool) -> str:
    """The shortest common text can read oddly (``.example.org`` for two ``*.example.org``): a letter in front."""
    if text.startswith(".") and all(glob_match(p, "a" + text, fold) for p in patterns):
        return "a" + text
    return text
