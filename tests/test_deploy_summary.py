"""What a successful deploy prints last: each service's URLs, its log group and the command that tails it."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from deployer.view.service_access import ServiceAccess, service_lines, tail_command
from templates.contract.service_access import log_group_names, route_urls


def test_urls_come_from_the_rules_hosts_and_paths_and_the_listener_s_scheme(dev: Path) -> None:
    template = json.loads((dev / "svc-auth.json").read_text())
    assert route_urls(template, "shop-dev", {}) == ["http://api.example.com/auth"]
    (rule,) = [r for r in template["Resources"].values() if r["Type"].endswith("ListenerRule")]
    rule["Properties"]["ListenerArn"] = {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-HttpsListenerArn"}}
    assert route_urls(template, "shop-dev", {}) == ["https://api.example.com/auth"]


def test_a_rule_without_a_host_answers_on_its_alb_s_dns_name(dev: Path) -> None:
    template = json.loads((dev / "svc-web.json").read_text())
    assert route_urls(template, "shop-dev", {}) == []  # the live DNS name is not known: no URL is made up
    assert route_urls(template, "shop-dev", {"alb": "shop-dev-alb-1.eu-west-1.elb.amazonaws.com"}) == [
        "http://shop-dev-alb-1.eu-west-1.elb.amazonaws.com/"
    ]


def test_a_rule_with_only_patterns_answers_where_its_first_pattern_starts(dev: Path) -> None:
    """A console-made rule often has only ``/auth*``: the service answers at /auth, not at the host's root."""
    template = json.loads((dev / "svc-auth.json").read_text())
    (rule,) = [r for r in template["Resources"].values() if r["Type"].endswith("ListenerRule")]
    for condition in rule["Properties"]["Conditions"]:
        if condition["Field"] == "path-pattern":
            condition["PathPatternConfig"]["Values"] = ["/auth*"]
    assert route_urls(template, "shop-dev", {}) == ["http://api.example.com/auth"]


def test_the_log_group_is_the_template_s_with_its_parameters(dev: Path) -> None:
    template = json.loads((dev / "svc-auth.json").read_text())
    assert log_group_names(template, {"ExportPrefix": "shop-dev"}) == ["/ecs/shop-dev-auth"]
    assert log_group_names(json.loads((dev / "network.json").read_text()), {"ExportPrefix": "shop-dev"}) == []


def test_each_service_gets_one_line_of_urls_and_one_command_per_log_group() -> None:
    out = io.StringIO()
    services = [ServiceAccess("shop-dev-svc-auth", ["http://api.example.com/auth"], ["/ecs/shop-dev-auth"]),
                ServiceAccess("shop-dev-svc-mailer", [], ["/ecs/shop-dev-mailer"])]  # fmt: skip

    Console(file=out, width=200).print(service_lines(services, "eu-west-1", "ops team"))

    assert out.getvalue().splitlines() == [
        "Services",
        "  shop-dev-svc-auth  http://api.example.com/auth",
        "    logs /ecs/shop-dev-auth: aws logs tail /ecs/shop-dev-auth --follow --region eu-west-1 --profile "
        "'ops team'",
        "  shop-dev-svc-mailer  (no route)",
        "    logs /ecs/shop-dev-mailer: aws logs tail /ecs/shop-dev-mailer --follow --region eu-west-1 --profile "
        "'ops team'",
    ]
    assert tail_command("/ecs/x", "us-east-1") == "aws logs tail /ecs/x --follow --region us-east-1"
