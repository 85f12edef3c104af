"""Resource import on the local endpoint, the way CloudFormation does it; moto 5.2.5 has none of it.

Applied inside the local endpoint process only (``tests/moto_endpoint.py``,
beside ``tests/moto_patches.py``), never in the deployer.  Each gap is one
function saying what CloudFormation does and what moto does instead;
``tests/test_moto_import.py`` holds a canary per gap that fails once the
pinned moto no longer needs the patch.

I1. ``CreateChangeSet`` with ``ChangeSetType=IMPORT``: moto reads it as a
    CREATE, ignores ``ResourcesToImport`` and, on execute, creates new
    resources beside the live ones.  CloudFormation
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import.html) takes a template
    that describes the entire stack plus an identifier per resource to import (the type's identifier
    property and the live value), and checks that each resource exists, does not belong to another stack
    in the region, and has a ``DeletionPolicy``.  An import only imports: the only change it allows is the
    addition of the resources being imported
    (https://docs.aws.amazon.com/cdk/v2/guide/ref-cli-cmd-import.html), outputs included ("As part of the
    import operation, you cannot modify or add [Outputs]").  Executing it brings the live resources into the
    stack untouched; the stack ends IMPORT_COMPLETE.
I2. ``DescribeStackResources`` by ``PhysicalResourceId``: moto requires ``StackName``.  CloudFormation
    answers the stack a physical resource belongs to
    (https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStackResources.html).
I3. Stack updates of ``AWS::ElasticLoadBalancingV2::TargetGroup`` and ``AWS::Logs::LogGroup``: moto has no
    update for them, so a changed health check or retention drops the resource out of the stack's map and
    the live resource keeps its old settings (an imported scalable target, a type moto has no model for at
    all, drops out the same way).  CloudFormation updates them in place (health check settings,
    attributes, tags, retention: "Update requires: No interruption",
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-elasticloadbalancingv2-targetgroup.html,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-logs-loggroup.html).
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Callable
from typing import Any

from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

IMPORT = "IMPORT"
_APPLIED: list[str] = []
_REQUEST = threading.local()  # ResourcesToImport of the CreateChangeSet being answered


def identifier_keys(resource_type: str) -> list[str]:
    """The identifier properties of a type, from its registry schema (``primaryIdentifier``)."""
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", resource_type).schema
    return [pointer.rsplit("/", 1)[-1] for pointer in schema.get("primaryIdentifier", [])]


def live_resource(account: str, region: str, resource_type: str, identifier: dict[str, str]) -> Any:
    """The moto object a ResourceIdentifier names, or None: the types our stacks import."""
    from moto.ecs.models import ecs_backends
    from moto.elbv2.models import elbv2_backends
    from moto.logs.models import logs_backends

    if resource_type == "AWS::Logs::LogGroup":
        return logs_backends[account][region].groups.get(identifier.get("LogGroupName", ""))
    if resource_type == "AWS::ECS::Cluster":
        cluster = ecs_backends[account][region].clusters.get(identifier.get("ClusterName", ""))
        return cluster if cluster is not None and cluster.status == "ACTIVE" else None
    if resource_type == "AWS::ECS::Service":
        services = ecs_backends[account][region].services.values()
        arn = identifier.get("ServiceArn")
        return next((s for s in services if s.arn == arn and s.status == "ACTIVE"), None)
    if resource_type == "AWS::ApplicationAutoScaling::ScalableTarget":
        return _scalable_target(account, region, identifier)
    elbv2 = elbv2_backends[account][region]
    if resource_type == "AWS::ElasticLoadBalancingV2::TargetGroup":
        return elbv2.target_groups.get(identifier.get("TargetGroupArn", ""))
    if resource_type == "AWS::ElasticLoadBalancingV2::ListenerRule":
        listeners = [ln for lb in elbv2.load_balancers.values() for ln in lb.listeners.values()]
        rules = (rule for ln in listeners for rule in ln.rules.values())
        return next((rule for rule in rules if rule.arn == identifier.get("RuleArn")), None)
    return None


def _scalable_target(account: str, region: str, identifier: dict[str, str]) -> Any:
    """moto keeps scalable targets by dimension and resource id, and gives them no CloudFormation model, so
    no physical id either: the one CloudFormation records (``ResourceId|ScalableDimension|ServiceNamespace``)
    is set on it."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends

    targets = applicationautoscaling_backends[account][region].targets
    found = targets.get(identifier.get("ScalableDimension", ""), {}).get(identifier.get("ResourceId", ""))
    if found is not None and found.service_namespace == identifier.get("ServiceNamespace"):
        found.physical_resource_id = "|".join((found.resource_id, found.scalable_dimension, found.service_namespace))
        return found
    return None


def owning_stack(backend: Any, physical_id: str, but: str | None = None) -> Any:
    """The live stack (other than ``but``) that holds a resource with this physical id, or None."""
    for stack in backend.stacks.values():
        if stack.stack_id == but or stack.status in ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS"):
            continue
        held = [r for r in stack.resource_map._parsed_resources.values() if hasattr(r, "logical_resource_id")]
        if any(getattr(r, "physical_resource_id", None) == physical_id for r in held):
            return stack
    return None


def patch_import_change_sets() -> None:
    """Gap I1: ``ChangeSetType=IMPORT`` validated and executed as CloudFormation does."""
    from moto.cloudformation.models import ChangeSet, CloudFormationBackend
    from moto.cloudformation.responses import CloudFormationResponse

    respond = CloudFormationResponse.create_change_set

    @functools.wraps(respond)
    def create_change_set_response(self: Any) -> Any:
        importing = self._get_param("ChangeSetType") == IMPORT
        _REQUEST.resources = self._get_param("ResourcesToImport") if importing else None
        try:
            return respond(self)
        finally:
            _REQUEST.resources = None

    CloudFormationResponse.create_change_set = create_change_set_response  # type: ignore[method-assign]
    CloudFormationBackend.create_change_set = _importing(CloudFormationBackend.create_change_set)  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = _import_events(CloudFormationBackend.execute_change_set)  # type: ignore[method-assign]
    ChangeSet.apply = _apply_import(ChangeSet.apply)  # type: ignore[method-assign]


def _importing(create: Callable[..., tuple[str, str]]) -> Callable[..., tuple[str, str]]:
    @functools.wraps(create)
    def patched(self: Any, stack_name: str, change_set_name: str, template: str, *args: Any, **kwargs: Any) -> Any:
        resources = getattr(_REQUEST, "resources", None)
        if resources is None:
            return create(self, stack_name, change_set_name, template, *args, **kwargs)
        existing = next((s for s in self.stacks.values() if s.name == stack_name and s.status not in _GONE), None)
        new_template = json.loads(template)
        _check_shape(new_template, resources, existing)
        kwargs["change_set_type"] = "UPDATE" if existing is not None else "CREATE"
        change_set_id, stack_id = create(self, stack_name, change_set_name, template, *args, **kwargs)
        change_set = self.change_sets[change_set_id]
        change_set.change_set_type, change_set.resources_to_import = IMPORT, resources
        for change in change_set.changes:
            change.action = "Import"
        reason = _account_problem(self, resources, stack_id)
        if reason:
            change_set.status, change_set.execution_status, change_set.status_reason = "FAILED", "UNAVAILABLE", reason
        return change_set_id, stack_id

    return patched


_GONE = ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")


def _check_shape(template: dict[str, Any], resources: list[dict[str, Any]], existing: Any) -> None:
    """The template only adds the resources to import, each with a DeletionPolicy and its identifier keys."""
    from moto.cloudformation.exceptions import ValidationError

    new = template.get("Resources") or {}
    old = existing.template_dict.get("Resources", {}) if existing is not None else {}
    wanted = {r["LogicalResourceId"]: r for r in resources}
    for logical_id, request in wanted.items():
        spec = new.get(logical_id)
        if spec is None or spec.get("Type") != request["ResourceType"]:
            kind = request["ResourceType"]
            raise ValidationError(message=f"Resource {logical_id} of type {kind} is not in the template")
        if logical_id in old:
            raise ValidationError(message=f"Resource {logical_id} already belongs to the stack")
        if "DeletionPolicy" not in spec:
            raise ValidationError(message=f"The following resources to import [{logical_id}] must have DeletionPolicy")
        keys = sorted(request.get("ResourceIdentifier", {}))
        if keys != sorted(identifier_keys(request["ResourceType"])):
            raise ValidationError(
                message=f"Invalid ResourceIdentifier for {logical_id}: {request['ResourceType']} is identified by "
                f"{', '.join(identifier_keys(request['ResourceType']))}, not {', '.join(keys)}"
            )
        _check_identifier_matches(logical_id, spec, request["ResourceIdentifier"])
    changed = sorted(k for k in set(new) | set(old) if k not in wanted and new.get(k) != old.get(k))
    if changed:
        raise ValidationError(
            message=f"You have modified resources {changed} in your template that are not being imported. "
            "Update, create or delete operations cannot be executed during import operations."
        )
    if existing is not None and template.get("Outputs") != existing.template_dict.get("Outputs"):
        raise ValidationError(message="As part of the import operation, you cannot modify or add [Outputs]")
    if existing is None and template.get("Outputs"):
        raise ValidationError(message="As part of the import operation, you cannot modify or add [Outputs]")


def _check_identifier_matches(logical_id: str, spec: dict[str, Any], identifier: dict[str, str]) -> None:
    """An identifier property the template writes as text must name the same resource as the identifier."""
    from moto.cloudformation.exceptions import ValidationError

    properties = spec.get("Properties") or {}
    for key, value in identifier.items():
        written = properties.get(key)
        if isinstance(written, str) and written != value:
            raise ValidationError(
                message=f"Resource {logical_id}: the template's {key} {written!r} is not the identifier {value!r}"
            )


def _account_problem(backend: Any, resources: list[dict[str, Any]], stack_id: str) -> str | None:
    """Why the import cannot happen in this account: a resource missing, or held by another stack."""
    account, region = backend.account_id, backend.region_name
    for request in resources:
        identifier, kind = request.get("ResourceIdentifier", {}), request["ResourceType"]
        found = live_resource(account, region, kind, identifier)
        described = ", ".join(f"{k}={v}" for k, v in sorted(identifier.items()))
        if found is None:
            return f"Resource of type '{kind}' with identifier '{described}' was not found."
        owner = owning_stack(backend, found.physical_resource_id, but=stack_id)
        if owner is not None:
            return (
                f"Resource of type '{kind}' with identifier '{described}' already exists in stack {owner.stack_id}. "
                "A resource can belong to one stack only."
            )
    return None


def _apply_import(apply: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(apply)
    def patched(self: Any) -> None:
        if self.change_set_type != IMPORT:
            return apply(self)
        resources = self.stack.resource_map
        account, region = self.stack.account_id, self.stack.region_name
        for request in self.resources_to_import:
            found = live_resource(account, region, request["ResourceType"], request["ResourceIdentifier"])
            found.logical_resource_id = request["LogicalResourceId"]
            found.cf_resource_type = request["ResourceType"]
            found.imported_into_stack = True  # gap I3: stays in the stack through updates
            resources._parsed_resources[request["LogicalResourceId"]] = found
            self.stack._add_stack_event("IMPORT_COMPLETE")
            self.stack.events[-1].logical_resource_id = request["LogicalResourceId"]
            self.stack.events[-1].physical_resource_id = found.physical_resource_id
            self.stack.events[-1].resource_type = request["ResourceType"]
        resources._template = self.template_dict
        resources._resource_json_map = self.template_dict["Resources"]
        resources.input_parameters = self.parameters
        resources.load_mapping()
        resources.load_parameters()
        resources.load_conditions()
        return None

    return patched


def _import_events(execute: Callable[..., None]) -> Callable[..., None]:
    """The stack's own events say IMPORT_IN_PROGRESS / IMPORT_COMPLETE, as CloudFormation's do."""

    @functools.wraps(execute)
    def patched(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.describe_change_set(change_set_name)
        importing = change_set is not None and change_set.change_set_type == IMPORT
        if importing and change_set.status != "CREATE_COMPLETE":
            from moto.cloudformation.exceptions import ValidationError

            raise ValidationError(message=f"ChangeSet [{change_set_name}] cannot be executed in its current state")
        seen = len(change_set.stack.events) if importing else 0
        execute(self, change_set_name, stack_name)
        if importing:
            for event in change_set.stack.events[seen:]:
                if event.logical_resource_id == change_set.stack.name:
                    status = event.resource_status
                    event.resource_status = status.replace("UPDATE", "IMPORT").replace("CREATE", "IMPORT")

    return patched


def patch_describe_stack_resources_by_physical_id() -> None:
    """Gap I2: ``DescribeStackResources`` with ``PhysicalResourceId`` answers the stack holding that resource."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse, StackResourceDTO
    from moto.core.responses import ActionResult

    describe = CloudFormationResponse.describe_stack_resources

    @functools.wraps(describe)
    def patched(self: Any) -> Any:
        physical_id = self._get_param("PhysicalResourceId")
        if not physical_id:
            return describe(self)
        stack = owning_stack(self.cloudformation_backend, physical_id)
        if stack is None:
            raise ValidationError(message=f"Stack for {physical_id} does not exist")
        held = [r for r in stack.stack_resources if getattr(r, "physical_resource_id", None) == physical_id]
        return ActionResult({"StackResources": [StackResourceDTO(stack, resource) for resource in held]})

    CloudFormationResponse.describe_stack_resources = patched  # type: ignore[method-assign]


def patch_in_place_updates() -> None:
    """Gap I3: target groups and log groups updated in place, keeping their physical id."""
    from moto.elbv2.models import FakeTargetGroup, elbv2_backends
    from moto.logs.models import LogGroup, logs_backends

    def target_group(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                     account_id: str, region_name: str) -> Any:  # fmt: skip
        props = cloudformation_json["Properties"]
        backend = elbv2_backends[account_id][region_name]
        backend.modify_target_group(
            original_resource.arn,
            health_check_path=props.get("HealthCheckPath"),
            health_check_interval=props.get("HealthCheckIntervalSeconds"),
            health_check_timeout=props.get("HealthCheckTimeoutSeconds"),
            healthy_threshold_count=props.get("HealthyThresholdCount"),
            unhealthy_threshold_count=props.get("UnhealthyThresholdCount"),
            http_codes=(props.get("Matcher") or {}).get("HttpCode"),
        )
        attributes = {a["Key"]: a["Value"] for a in props.get("TargetGroupAttributes") or []}
        if attributes:
            backend.modify_target_group_attributes(original_resource.arn, attributes)
        return original_resource

    def log_group(cls: Any, original_resource: Any, new_resource_name: str, cloudformation_json: Any,
                  account_id: str, region_name: str) -> Any:  # fmt: skip
        retention = cloudformation_json["Properties"].get("RetentionInDays")
        backend = logs_backends[account_id][region_name]
        if retention is None:
            backend.delete_retention_policy(original_resource.name)
        else:
            backend.put_retention_policy(original_resource.name, int(retention))
        return original_resource

    for model, update in ((FakeTargetGroup, target_group), (LogGroup, log_group)):
        assert getattr(model.update_from_cloudformation_json, "__isabstractmethod__", False), (
            f"moto's {model.__name__} updates itself now: check gap I3"
        )
        model.update_from_cloudformation_json = classmethod(update)  # type: ignore[method-assign,assignment]
    _keep_imported_without_model()


def _keep_imported_without_model() -> None:
    """An imported resource of a type moto has no CloudFormation model for (a scalable target) stays in the
    stack through an update, as every resource of a CloudFormation stack does; moto sets it to None."""
    from moto.cloudformation import parsing

    update = parsing.parse_and_update_resource

    @functools.wraps(update)
    def patched(logical_id: str, resource_json: Any, resources_map: Any, *args: Any, **kwargs: Any) -> Any:
        changed = update(logical_id, resource_json, resources_map, *args, **kwargs)
        original = resources_map._parsed_resources.get(logical_id)
        if changed is None and getattr(original, "imported_into_stack", False):
            return original
        return changed

    parsing.parse_and_update_resource = patched  # ResourceMap.update calls it through this module global


GAPS: dict[str, Callable[[], None]] = {
    "IMPORT change sets": patch_import_change_sets,
    "DescribeStackResources PhysicalResourceId": patch_describe_stack_resources_by_physical_id,
    "in-place updates": patch_in_place_updates,
}


def apply_all() -> list[str]:
    """Apply every patch once per process; returns the names applied."""
    for name, patch in GAPS.items():
        if name not in _APPLIED:
            patch()
            _APPLIED.append(name)
    return list(_APPLIED)
