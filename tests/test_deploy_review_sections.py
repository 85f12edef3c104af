"""The review's new sections as plain data: URLs that change, the prediction beside the change set, blue/green
rules against their live weights, who and where, and the flags that approve risks.

End to end on the local endpoint: tests/test_deploy_review_e2e.py.  Here, the cases the endpoint cannot
produce: a change set that disagrees with the prediction, weights that cannot be read, an ECS deployment
under way, a URL handed to another service.
"""

from __future__ import annotations

from typing import Any

import pytest

import deploy
from deployer.review.blue_green import RuleWeights, judge
from deployer.review.identity import Identity, account_mismatch, is_aws_endpoint
from deployer.review.lifecycle import TO_DELETE, Removal
from deployer.review.predicted_changes import predicted_rows
from deployer.review.route_impact import route_changes
from deployer.review.stack_review import ResourceChange, Result, Review, StackReview
from deployer.review.template_pairs import TemplatePair
from templates.contract.template_diff import predict


def service_template(*routes: tuple[str, int], test_header: bool = False) -> dict[str, Any]:
    """A service stack's listener rules as generate.py writes them: host api.example.com, one rule per path."""
    resources: dict[str, Any] = {}
    for path, priority in routes:
        conditions = [
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["api.example.com"]}},
            {"Field": "path-pattern", "PathPatternConfig": {"Values": [path, f"{path}/*"]}},
        ]
        if test_header:
            conditions.append(
                {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "X-Test", "Values": ["1"]}}
            )
        resources[f"Rule{priority}"] = {
            "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
            "Properties": {
                "ListenerArn": {"Fn::ImportValue": {"Fn::Sub": "${ExportPrefix}-HttpListenerArn"}},
                "Priority": priority,
                "Conditions": conditions,
                "Actions": [{"Type": "forward", "TargetGroupArn": {"Ref": "TargetGroup"}}],
            },
        }
    return {"Parameters": {"ExportPrefix": {"Type": "String", "Default": "shop-dev"}}, "Resources": resources}


def test_a_url_moving_to_another_service_is_one_row_changing_owner() -> None:
    pairs = {
        "svc-auth": TemplatePair(service_template(("/auth", 10), ("/login", 20)), service_template(("/auth", 10))),
        "svc-users": TemplatePair(service_template(("/users", 30)), service_template(("/users", 30), ("/login", 20))),
        "svc-shipping": TemplatePair(None, service_template(("/shipping", 40), test_header=True)),
    }

    rows = [route.cells() for route in route_changes(pairs)]

    moved = "svc-auth: TargetGroup -> svc-users: TargetGroup"
    test_route = "HTTP api.example.com /shipping, /shipping/* + header X-Test: 1"
    assert rows == [
        ["changes owner", "HTTP api.example.com /login, /login/*", "alb", "20", moved],
        ["added", test_route, "alb", "40", "svc-shipping: TargetGroup"],
    ]
    deleted = route_changes({"svc-users": TemplatePair(service_template(("/users", 30)), None)})
    assert [(r.change, r.owner_before) for r in deleted] == [("removed", "svc-users: TargetGroup")]


def vpc_template(cidr: str) -> dict[str, Any]:
    return {"Resources": {"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": cidr}}}}


def test_a_change_set_that_disagrees_with_the_prediction_is_flagged_and_the_worse_verdict_gates() -> None:
    prediction = predict(vpc_template("10.0.0.0/16"), vpc_template("10.1.0.0/16"))
    said_in_place = ResourceChange("Modify", "Vpc", "AWS::EC2::VPC", replacement="False")

    [row] = predicted_rows(prediction, [said_in_place])

    assert (row.effect, row.change_set) == ("replace", "False")
    assert row.disagreement.startswith("Vpc: predicted replace (CidrBlock (create-only): 10.0.0.0/16 -> 10.1.0.0/16)")
    assert row.risk == "replaces the VPC (predicted: create-only CidrBlock changes)"
    said_replaced = ResourceChange("Modify", "Vpc", "AWS::EC2::VPC", replacement="True", risk="replaces the VPC")
    [agreed] = predicted_rows(prediction, [said_replaced])
    assert (agreed.disagreement, agreed.risk) == ("", None)  # the change set's own row carries the risk once
    unchanged = predict(vpc_template("10.0.0.0/16"), vpc_template("10.0.0.0/16"))
    [unforeseen] = predicted_rows(unchanged, [said_replaced])
    assert (unforeseen.effect, unforeseen.change_set) == ("unchanged", "True")
    assert unforeseen.disagreement.startswith("Vpc: the change set says Replacement True, the templates do not")


def stack_with_rule() -> StackReview:
    return StackReview("svc-pizza", "shop-prod-svc-pizza", "UPDATE", Result.CHANGES)


def weights(live: dict[str, int] | None, error: str = "") -> RuleWeights:
    written = {"TargetGroup": 100, "AlternateTargetGroup": 0}
    return RuleWeights("ListenerRule1", "production", "Modify", written, live, error, "shop-prod/pizza")


def test_blue_green_rule_weights_that_cannot_be_read_are_a_risk_to_allow() -> None:
    stack = stack_with_rule()
    judge(stack, weights(None, "AccessDenied: elasticloadbalancing:DescribeRules"))
    assert stack.result is Result.CHANGES
    assert stack.risks[0].startswith("ListenerRule1 (blue/green production rule): this change set rewrites its")
    assert "AccessDenied" in stack.risks[0]


def test_blue_green_weights_mid_deployment_refuse_with_the_wait() -> None:
    stack = stack_with_rule()
    judge(stack, weights({"TargetGroup": 40, "AlternateTargetGroup": 60}))
    assert stack.result is Result.BLOCKED
    assert "an ECS deployment is shifting traffic now: deploy again once it has finished" in stack.message
    moved = stack_with_rule()
    judge(moved, weights({"TargetGroup": 0, "AlternateTargetGroup": 100}))
    assert "aws ecs update-service --cluster shop-prod --service pizza --force-new-deployment" in moved.message


def test_who_and_where_names_the_account_and_a_foreign_endpoint() -> None:
    who = Identity("123456789012", "arn:aws:sts::123456789012:assumed-role/Deployer/ci", "eu-west-1", "shop-prod")
    assert who.where() == "account 123456789012 (shop-prod), eu-west-1, as assumed-role/Deployer/ci"
    assert is_aws_endpoint("https://cloudformation.eu-west-1.amazonaws.com")
    assert not is_aws_endpoint("http://127.0.0.1:5000")
    assert account_mismatch(who, "123456789012") is None
    refusal = account_mismatch(who, "210987654321")
    assert refusal is not None and "account 123456789012 (shop-prod)" in refusal and "210987654321" in refusal


def test_deleting_stacks_is_approved_by_its_own_flag() -> None:
    review = Review("shop", "dev", "eu-west-1", {}, allow_replacement=True)
    review.lifecycle.removals = [Removal("svc-web", "shop-dev-svc-web", "id", "CREATE_COMPLETE", "tags", prune=True,
                                         result=TO_DELETE)]  # fmt: skip
    assert review.needs == ["--allow-delete"] and review.gated
    review.allow_delete = True
    assert review.needs == [] and not review.gated


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--allow-delete"], "--allow-delete approves the deletions --prune plans"),
        (["--expect-account", "1234"], "is not an AWS account id (12 digits)"),
    ],
)
def test_approval_and_account_flags_are_checked_before_any_call(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        deploy.parse_args(["--env", "dev", *flags])
    assert exited.value.code == 2 and message in capsys.readouterr().err
