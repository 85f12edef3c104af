"""Pieces every template shares: the export-prefix parameter, tags, exports, a security group's closed egress."""

from __future__ import annotations

from troposphere import Export, Output, Parameter, Tags, Template, ec2

from templates.naming import EXPORT_PREFIX_PARAM, ExportKey, export_name, export_prefix
from templates.params.environment import Environment

TEMPLATE_VERSION = "2010-09-09"


def new_template(env: Environment, description: str) -> Template:
    t = Template(Description=f"fargate-stacks {env.project}/{env.environment}: {description}")
    t.set_version(TEMPLATE_VERSION)
    t.add_parameter(
        Parameter(
            EXPORT_PREFIX_PARAM,
            Type="String",
            Default=export_prefix(env.project, env.environment),
            AllowedPattern="^[a-z][a-z0-9-]*$",
            ConstraintDescription="lowercase letters, digits and hyphens, starting with a letter",
            Description="Prefix of every export this stack reads and writes; keep the default "
            "unless you run a second copy of the environment.",
        )
    )
    # The console layout every stack starts with; a stack with more parameters replaces it.
    add_parameter_groups(
        t, {"Wiring": [EXPORT_PREFIX_PARAM]}, {EXPORT_PREFIX_PARAM: "Export prefix of the environment"}
    )
    return t


def tags(env: Environment, service: str | None = None, **extra: str) -> Tags:
    values = {"project": env.project, "environment": env.environment}
    if service is not None:
        values["service"] = service
    values.update(extra)
    return Tags(**values)


def add_export(t: Template, key: ExportKey, value: object, description: str) -> None:
    t.add_output(Output(key.value, Description=description, Value=value, Export=Export(export_name(key))))


def add_parameter_groups(t: Template, groups: dict[str, list[str]], labels: dict[str, str]) -> None:
    """Console layout: parameters grouped and labelled instead of one alphabetical list."""
    t.set_metadata(
        {
            "AWS::CloudFormation::Interface": {
                "ParameterGroups": [
                    {"Label": {"default": label}, "Parameters": names} for label, names in groups.items()
                ],
                "ParameterLabels": {name: {"default": text} for name, text in labels.items()},
            }
        }
    )


def removal_policy(retain: bool) -> dict[str, str]:
    """DeletionPolicy and UpdateReplacePolicy of data worth keeping (log groups): Retain unless told to delete."""
    policy = "Retain" if retain else "Delete"
    return {"DeletionPolicy": policy, "UpdateReplacePolicy": policy}


def no_egress(description: str) -> list[ec2.SecurityGroupRule]:
    """A security group's egress that opens nothing: one dead-end rule (ICMP to 127.0.0.1/32).

    A VPC security group created without egress rules gets a default rule allowing all outbound traffic;
    the default is left out only when at least one egress rule is given.
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html
    ``description`` says why this group opens nothing.
    """
    return [
        ec2.SecurityGroupRule(IpProtocol="icmp", FromPort=-1, ToPort=-1, CidrIp="127.0.0.1/32", Description=description)
    ]
