"""ALB's rule evaluation on plain data: wildcards, ANDed conditions, priority order, and who loses a request.

Each case is a pair of rules as DescribeRules (or a template) writes them;
the answers are checked against what ALB's documentation says it does.
"""

from __future__ import annotations

from typing import Any

import pytest

from deployer.review.certificate_names import covers, uncovered
from deployer.review.listener_overlap import (
    Request,
    Rule,
    common_request,
    common_string,
    first_match,
    glob_match,
    matches,
    owner_changes,
)


def rule(name: str, priority: int, hosts: list[str] | None = None, paths: list[str] | None = None, *more: Any) -> Rule:
    conditions: list[dict[str, Any]] = []
    if hosts:
        conditions.append({"Field": "host-header", "HostHeaderConfig": {"Values": hosts}})
    if paths:
        conditions.append({"Field": "path-pattern", "PathPatternConfig": {"Values": paths}})
    return Rule(name, priority, (*conditions, *more))


def header(name: str, *values: str) -> dict[str, Any]:
    return {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": name, "Values": list(values)}}


@pytest.mark.parametrize(
    ("patterns", "fold", "common"),
    [
        (["*.example.org", "api.example.org"], True, "api.example.org"),
        (["*.EXAMPLE.org", "api.example.ORG"], True, "api.example.org"),  # hosts ignore case
        (["/API", "/api"], False, None),  # paths do not
        (["/*", "/wishlist"], False, "/wishlist"),
        (["/a?c", "/ab*"], False, "/abc"),  # ? is exactly one character
        (["/a?", "/a"], False, None),
        (["a*b", "*c*"], False, "acb"),
        (["api.example.org", "www.example.org"], True, None),
        (["/api/*", "/api"], False, None),  # a path rule for /api/* does not serve /api
        (["/[a]", "/a"], False, None),  # brackets are literal characters to ALB, not a class
    ],
)
def test_wildcard_patterns_have_a_common_text_exactly_when_alb_would_match_both(
    patterns: list[str], fold: bool, common: str | None
) -> None:
    assert common_string(patterns, fold) == common
    if common is not None:
        assert all(glob_match(p, common, fold) for p in patterns)


def test_the_request_named_reads_like_a_host() -> None:
    """Two ``*.example.org`` rules share ``.example.org`` first; the request named is ``a.example.org``."""
    both = common_request(rule("a", 1, ["*.example.org"]), rule("b", 2, ["*.EXAMPLE.org"]))
    assert both == Request("a.example.org", None)


def test_a_foreign_catch_all_at_a_better_priority_swallows_our_new_path() -> None:
    ours = [rule("web", 40000, ["shop.example.com"], ["/wishlist", "/wishlist/*"])]
    theirs = [rule("arn:their-catch-all", 5, None, ["/*"])]

    (change,) = owner_changes(ours, theirs)

    assert (change.ours.name, change.theirs.name, change.taken_by_us) == ("web", "arn:their-catch-all", False)
    assert change.request.describe() == "a request for shop.example.com/wishlist"
    assert first_match([*ours, *theirs], change.request) is theirs[0]


@pytest.mark.parametrize(
    ("ours", "request_text"),
    [
        (rule("host-only", 10, ["billing.example.org"]), "a request for billing.example.org/api/"),
        (rule("wildcard", 10, ["*.example.org"]), "a request for billing.example.org/api/"),
    ],
    ids=["host-only", "wildcard host"],
)
def test_our_broader_rule_at_a_better_priority_takes_their_traffic(ours: Rule, request_text: str) -> None:
    theirs = rule("arn:billing", 20, ["billing.example.org"], ["/api/*"])

    (change,) = owner_changes([ours], [theirs])

    assert change.taken_by_us and change.theirs is theirs and change.request.describe() == request_text


def test_the_same_pair_in_the_other_priority_order_is_their_rule_serving_first() -> None:
    """Their specific rule at a better priority keeps its requests: our broad rule loses those."""
    ours, theirs = rule("wildcard", 30, ["*.example.org"]), rule("arn:billing", 20, ["billing.example.org"], ["/api/*"])
    (change,) = owner_changes([ours], [theirs])
    assert not change.taken_by_us


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (rule("o", 10, ["a.example.org"], ["/x"]), rule("t", 5, ["b.example.org"])),
        (rule("o", 10, ["*.example.org"], ["/api/*"]), rule("t", 5, ["*.example.org"], ["/web/*"])),
        (
            rule("o", 10, None, None, {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["GET"]}}),
            rule("t", 5, None, None, {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["POST"]}}),
        ),
        (
            rule("o", 10, None, None, {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/16"]}}),
            rule("t", 5, None, None, {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.1.0.0/16"]}}),
        ),
        (rule("o", 10, None, None, header("x-env", "green")), rule("t", 5, None, None, header("X-Env", "blue"))),
        (rule("o", 10, ["a.example.org"], ["/x"]), rule("t", 5, ["*.example.org"], ["/y"])),  # host alike, path not
    ],
    ids=["hosts", "paths", "methods", "source ips", "header values", "one condition of two"],
)
def test_rules_a_condition_keeps_apart_do_not_overlap(ours: Rule, theirs: Rule) -> None:
    """Conditions are ANDed: one condition that no request meets for both keeps the rules apart."""
    assert common_request(ours, theirs) is None
    assert owner_changes([ours], [theirs]) == []


def test_their_header_rule_on_our_host_takes_requests_that_carry_the_header() -> None:
    ours = rule("ours", 10, ["a.example.org"])
    theirs = rule("arn:canary", 5, ["a.example.org"], None, header("X-Canary", "on"))
    (change,) = owner_changes([ours], [theirs])
    assert change.request.describe() == "a request for a.example.org (any path) (header x-canary: on)"
    assert not change.taken_by_us
    assert matches(theirs, change.request) and not matches(theirs, Request("a.example.org", "/"))


def test_a_request_both_match_goes_to_the_first_rule_of_the_whole_listener() -> None:
    """The pair (ours, theirs at 30) overlaps, but a better foreign rule serves those requests: it is named."""
    ours = [rule("ours", 20, ["a.example.org"], ["/x/*"])]
    catch_all = rule("arn:catch-all", 5, ["*.example.org"])
    later = rule("arn:later", 30, ["a.example.org"])
    names = {(c.theirs.name, c.taken_by_us) for c in owner_changes(ours, [catch_all, later])}
    assert names == {("arn:catch-all", False)}


def test_another_of_our_rules_taking_the_request_is_named_as_the_taker() -> None:
    ours = [rule("broad", 5, ["*.example.org"]), rule("narrow", 20, ["a.example.org"], ["/x"])]
    theirs = [rule("arn:theirs", 30, ["a.example.org"], ["/x"])]
    takers = {(c.ours.name, c.theirs.name, c.taken_by_us) for c in owner_changes(ours, theirs)}
    assert takers == {("broad", "arn:theirs", True)}


def test_equal_priorities_are_left_to_the_priority_check() -> None:
    assert owner_changes([rule("o", 7, ["a.example.org"])], [rule("t", 7, ["a.example.org"])]) == []


def test_a_regular_expression_condition_is_assumed_to_match_and_says_so() -> None:
    regex = {"Field": "host-header", "HostHeaderConfig": {"RegexValues": ["^.*\\.example\\.org$"]}}
    (change,) = owner_changes([rule("o", 10, ["a.example.org"])], [Rule("arn:regex", 5, (regex,))])
    assert change.assumed and not change.taken_by_us


def test_the_legacy_values_field_counts_like_the_typed_config() -> None:
    legacy = Rule("arn:legacy", 5, ({"Field": "path-pattern", "Values": ["/*"]},))
    assert owner_changes([rule("o", 10, ["a.example.org"], ["/x"])], [legacy])


@pytest.mark.parametrize(
    ("name", "host", "covered"),
    [
        ("*.example.com", "api.example.com", True),
        ("*.example.com", "API.Example.com", True),
        ("*.example.com", "example.com", False),  # a wildcard does not cover the apex
        ("*.example.com", "api.staging.example.com", False),  # nor more than one label
        ("api.staging.example.com", "api.staging.example.com", True),
    ],
)
def test_a_certificate_name_covers_a_host_as_tls_clients_judge_it(name: str, host: str, covered: bool) -> None:
    assert covers(name, host) is covered


def test_hosts_no_certificate_covers_are_listed_wildcard_patterns_included() -> None:
    hosts = ["api.staging.example.com", "*.example.com", "*.shop.example.org"]
    assert uncovered(hosts, ["*.example.com", "example.com"]) == ["*.shop.example.org", "api.staging.example.com"]
