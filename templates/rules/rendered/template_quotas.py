"""CloudFormation's quotas measured on the templates as written (Q101-Q107): exit 1, output unchanged.

Counted on the text CloudFormation will get.  The size warning (Q104) does
not block: a template above 51,200 bytes is still deployable, only not as an
inline body (the deployer uploads it to S3).
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.aws.quotas import (
    CLOUDFORMATION_QUOTAS_URL,
    EXPORT_NAME_LENGTH,
    INLINE_TEMPLATE_BYTES,
    OUTPUTS_PER_TEMPLATE,
    PARAMETERS_PER_TEMPLATE,
    RESOURCES_PER_TEMPLATE,
    S3_TEMPLATE_BYTES,
)
from templates.contract.graph import exports_of
from templates.contract.rendered import RenderedFolder
from templates.rules.registry import Found, rendered_rule

# Names AWS limits that a template might set explicitly.  We let CloudFormation
# generate target-group and load-balancer names today (it keeps them within
# 32), so these only bite if a literal name is ever emitted.
NAME_LIMITS: dict[tuple[str, str], int] = {
    ("AWS::ElasticLoadBalancingV2::TargetGroup", "Name"): 32,
    ("AWS::ElasticLoadBalancingV2::LoadBalancer", "Name"): 32,
    ("AWS::ECS::TaskDefinition", "Family"): 255,
    ("AWS::ECS::Service", "ServiceName"): 255,
    ("AWS::ECS::Cluster", "ClusterName"): 255,
    ("AWS::Logs::LogGroup", "LogGroupName"): 512,
    ("AWS::IAM::Role", "RoleName"): 64,
    ("AWS::EC2::SecurityGroup", "GroupDescription"): 255,
    ("AWS::ServiceDiscovery::PrivateDnsNamespace", "Name"): 253,
}


def _count(folder: RenderedFolder, section: str, limit: int) -> Iterator[Found]:
    for template in folder.templates.values():
        count = len(template.doc.get(section) or {})
        if count > limit:
            yield Found(
                template.file,
                f"{count} {section.lower()}; a CloudFormation template allows at most {limit}: split the stack",
            )


@rendered_rule("Q101", "more than 500 resources in one template", CLOUDFORMATION_QUOTAS_URL, limit="500")
def resources_per_template(folder: RenderedFolder) -> Iterator[Found]:
    yield from _count(folder, "Resources", RESOURCES_PER_TEMPLATE)


@rendered_rule("Q102", "more than 200 parameters in one template", CLOUDFORMATION_QUOTAS_URL, limit="200")
def parameters_per_template(folder: RenderedFolder) -> Iterator[Found]:
    yield from _count(folder, "Parameters", PARAMETERS_PER_TEMPLATE)


@rendered_rule("Q103", "more than 200 outputs in one template", CLOUDFORMATION_QUOTAS_URL, limit="200")
def outputs_per_template(folder: RenderedFolder) -> Iterator[Found]:
    yield from _count(folder, "Outputs", OUTPUTS_PER_TEMPLATE)


@rendered_rule(
    "Q104",
    "a template above 51,200 bytes: valid, but only from S3 (warning; the deployer uploads it)",
    CLOUDFORMATION_QUOTAS_URL,
    limit=f"{INLINE_TEMPLATE_BYTES:,} bytes inline",
)
def inline_template_size(folder: RenderedFolder) -> Iterator[Found]:
    for template in folder.templates.values():
        size = len(template.text.encode())
        if INLINE_TEMPLATE_BYTES < size <= S3_TEMPLATE_BYTES:
            yield Found(
                template.file,
                f"{size:,} bytes, above the {INLINE_TEMPLATE_BYTES:,}-byte inline TemplateBody limit: "
                "the deployer must upload it to an S3 bucket and pass TemplateURL",
                warning=True,
            )


@rendered_rule("Q105", "a template over 1 MB", CLOUDFORMATION_QUOTAS_URL, limit=f"{S3_TEMPLATE_BYTES:,} bytes from S3")
def template_size(folder: RenderedFolder) -> Iterator[Found]:
    for template in folder.templates.values():
        size = len(template.text.encode())
        if size > S3_TEMPLATE_BYTES:
            yield Found(
                template.file, f"{size:,} bytes; CloudFormation accepts at most {S3_TEMPLATE_BYTES:,} even from S3"
            )


@rendered_rule("Q106", "an explicit resource name over its limit (e.g. 32 for target groups and load balancers)")
def explicit_name_length(folder: RenderedFolder) -> Iterator[Found]:
    for template in folder.templates.values():
        for logical_id, resource in (template.doc.get("Resources") or {}).items():
            props = resource.get("Properties") or {}
            for (kind, prop), limit in NAME_LIMITS.items():
                value = props.get(prop)
                if resource.get("Type") == kind and isinstance(value, str) and len(value) > limit:
                    yield Found(
                        template.file,
                        f"{logical_id}.{prop} {value!r} is {len(value)} characters; {kind} allows {limit}",
                    )


@rendered_rule("Q107", "an export name over 255 characters", CLOUDFORMATION_QUOTAS_URL, limit=f"{EXPORT_NAME_LENGTH}")
def export_name_length(folder: RenderedFolder) -> Iterator[Found]:
    for template in folder.templates.values():
        for name in exports_of(template.doc):
            if len(name) > EXPORT_NAME_LENGTH:
                yield Found(
                    template.file, f"export name {name!r} is {len(name)} characters; AWS allows {EXPORT_NAME_LENGTH}"
                )
