"""The gaps of moto 5.2.5's CloudFormation that stop our generated stacks deploying, patched.

Applied only inside the local endpoint process (``tests/moto_endpoint.py``),
never in the deployer.  Each gap is one function; each says what real
CloudFormation does and what moto does instead.  Remove a function when the
pinned moto fixes its gap (``tests/test_deploy_endpoint.py`` shows whether
each one is still needed).

1. Change sets and exports (the gap the issue names): a CREATE change set
   builds its stack without the region's exports, so the first
   ``Fn::ImportValue`` fails on execute; executing any change set neither
   rebuilds the stack's outputs nor registers its exports.  ``create_stack``
   does both.
2. ``Fn::GetAZs`` with ``{"Ref": "AWS::Region"}`` (the documented idiom, the
   same as ``""``): moto uses the unresolved dict as the region name, so
   ``Fn::Select [0, Fn::GetAZs ...]`` yields "{'Ref': 'AWS::Region'}a" and every
   subnet fails, on create_stack and change sets alike.
3. ``AWS::ServiceDiscovery::PrivateDnsNamespace`` has no CloudFormation model,
   so ``Fn::GetAtt [Namespace, Id]`` fails.  moto's servicediscovery backend can
   create the namespace; the model below only connects the two.
4. ``ListChangeSets`` ignores ``StackName`` (a required parameter) and answers
   every change set of the region; CloudFormation answers those of the stack
   named (by name or id).  The deployer lists a stack's change sets to clean up
   the ones an earlier run left, and must not need to filter them again.
5. ``ListImports`` is not implemented (the endpoint answers HTTP 500).
   CloudFormation answers the names of the stacks whose template imports the
   export, or a ValidationError "Export '<name>' is not imported by any stack."
   The deployer asks it before pruning or tearing down stacks whose exports
   others may still use.
6. Deleting a stack leaves its route tables, NAT gateways (and their network
   interfaces), Elastic IPs and internet gateways in place (their models have
   no delete), so the VPC's own deletion fails and moto's synchronous
   DeleteStack answers DependencyViolation.  CloudFormation deletes every
   resource of the stack; a teardown of the network stack needs that.
7. ``CreateChangeSet`` with a name the stack already has a change set under:
   CloudFormation answers AlreadyExistsException, moto makes a second one; and
   a CREATE change set for a stack that is REVIEW_IN_PROGRESS (made by an
   earlier CREATE change set) belongs to that stack in CloudFormation, while
   moto makes a second stack of the same name.  The deployer's environment
   lock rests on the name being taken (``deployer/run/environment_lock.py``).
8. ``DeleteChangeSet`` of a change set that is gone: CloudFormation answers
   ChangeSetNotFound, moto fails with an internal error (HTTP 500).
9. ``GetTemplate`` with ``ChangeSetName``: CloudFormation answers the change
   set's template, moto ignores the change set (and without ``StackName``
   answers that no stack "None" exists).  ``--apply-plan`` reads it back to
   prove a change set was made from the reviewed template.
10. ``ExecuteChangeSet``: CloudFormation then deletes every other change set of
    the stack ("they aren't applicable to the updated stack"); moto keeps them
    AVAILABLE, so a reviewed plan would still look applicable after someone
    else's deploy.
11. An action moto does not implement (DetectStackDrift, ...): the endpoint
    answers HTTP 500 with a Python traceback as plain text, which a client
    must treat as a server error and retry.  AWS answers an action it does not
    know with HTTP 400 ``InvalidAction`` (XML), an error not worth retrying.
12. ``UpdateStack``: CloudFormation makes the stack's change sets OBSOLETE
    ("a change set might be ... in an OBSOLETE state because the stack was
    already updated") and refuses to execute one that is not AVAILABLE
    (``InvalidChangeSetStatus``); moto keeps them AVAILABLE and executes them
    over the newer stack.  ``--apply-plan`` must see the plan overtaken.
13. Deleting a stack (or removing the resource in an update) leaves its
    ``AWS::ElasticLoadBalancingV2::ListenerRule``, ``TargetGroup`` and
    ``AWS::EC2::VPCEndpoint`` in place: moto's models have no delete.
    CloudFormation deletes them; on a shared listener a rule left behind turns
    into "another team's" rule, in an existing VPC a gateway endpoint left
    behind into "someone else's" route.
14. A resource that fails while a change set executes (or a stack is created):
    CloudFormation accepts ExecuteChangeSet (CreateStack), records the
    resource's CREATE_FAILED/UPDATE_FAILED event and rolls the stack back
    (ROLLBACK_COMPLETE for a new stack, the previous template for an update:
    UPDATE_ROLLBACK_COMPLETE).  moto fails the call itself with the resource's
    error (in the resource service's format: a JSON body inside a
    query-protocol answer) and leaves the stack half made in
    REVIEW_IN_PROGRESS, CREATE_IN_PROGRESS or UPDATE_IN_PROGRESS.
15. An action the service's model does not know at all: the endpoint answers
    HTTP 500 with an HTML page (botocore's OperationNotFoundError escapes),
    which a client retries until it gives up.  AWS answers HTTP 400
    ``InvalidAction`` at once (gap 11 covers actions moto knows but lacks).
16. DescribeStacks of a deleted stack (by its id, as the deployer follows a
    deletion): moto computes its outputs from the resource map, and a
    ``Ref``/``GetAtt`` to a deleted resource creates it again (a VPC, a Cloud
    Map namespace...), so a teardown leaves resources behind.  CloudFormation
    deletes a stack's resources and a read creates nothing.
17. ``AWS::ECS::CapacityProvider`` and ``AWS::ECS::ClusterCapacityProviderAssociations``
    have no CloudFormation model, so a cluster stack with EC2 capacity groups
    fails at ``Ref`` of its provider.  moto's ECS backend creates providers and
    associates them; the models in ``tests/moto_capacity.py`` only connect them.
18. An ALB's ``CanonicalHostedZoneId`` is a placeholder (``Z2P70J7EXAMPLE``) in every region; AWS
    answers the region's zone for load balancers, which alias records and rule B006 rely on.
"""

from __future__ import annotations

import copy
import functools
import types
from collections.abc import Callable
from typing import Any

_APPLIED: list[str] = []


def patch_change_set_exports() -> None:
    """Gap 1: resolve imports in CREATE change sets; register outputs and exports on execute."""
    from moto.cloudformation.models import CloudFormationBackend

    backend = CloudFormationBackend
    backend.create_change_set = _with_region_exports(backend.create_change_set)  # type: ignore[method-assign]
    backend.execute_change_set = _registering_exports(backend.execute_change_set)  # type: ignore[method-assign]


def _with_region_exports(create_change_set: Callable[..., tuple[str, str]]) -> Callable[..., tuple[str, str]]:
    @functools.wraps(create_change_set)
    def patched(self: Any, *args: Any, **kwargs: Any) -> tuple[str, str]:
        change_set_id, stack_id = create_change_set(self, *args, **kwargs)
        stack = self.stacks[stack_id]
        # The same live dict create_stack hands to a new stack.
        stack.cross_stack_resources = self.exports
        stack.resource_map.cross_stack_resources = self.exports
        return change_set_id, stack_id

    return patched


def _registering_exports(execute_change_set: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(execute_change_set)
    def patched(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        execute_change_set(self, change_set_name, stack_name)
        stack = self.stacks[self.describe_change_set(change_set_name).stack_id]
        stack._parse_template()
        stack.output_map = stack._create_output_map()
        for name in [name for name, export in self.exports.items() if export.exporting_stack_id == stack.stack_id]:
            del self.exports[name]
        self._validate_export_uniqueness(stack)
        self.exports.update({export.name: export for export in stack.exports})

    return patched


def patch_get_azs_ref() -> None:
    """Gap 2: resolve the argument of ``Fn::GetAZs`` before moto uses it as a region name."""
    from moto.cloudformation import parsing

    clean_json = parsing.clean_json

    @functools.wraps(clean_json)
    def patched(resource_json: Any, resources_map: Any) -> Any:
        if isinstance(resource_json, dict) and isinstance(resource_json.get("Fn::GetAZs"), dict):
            region = clean_json(resource_json["Fn::GetAZs"], resources_map)
            resource_json = {**resource_json, "Fn::GetAZs": region}
        return clean_json(resource_json, resources_map)

    parsing.clean_json = patched  # clean_json recurses through this module global


def patch_private_dns_namespace() -> None:
    """Gap 3: a CloudFormation model for Cloud Map private DNS namespaces."""
    from moto.cloudformation import parsing

    from tests.moto_namespace import PrivateDnsNamespace

    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    assert PrivateDnsNamespace.cloudformation_type() in parsing.get_model_map()


def patch_capacity_providers() -> None:
    """Gap 12: CloudFormation models for ECS capacity providers and the cluster's association of them."""
    from moto.cloudformation import parsing

    from tests.moto_capacity import CapacityProvider, ClusterCapacityProviderAssociations

    parsing.get_model_list.cache_clear()
    parsing.get_model_map.cache_clear()
    parsing.get_name_type_map.cache_clear()
    models = parsing.get_model_map()
    assert {CapacityProvider.cloudformation_type(), ClusterCapacityProviderAssociations.cloudformation_type()} <= set(
        models
    )


def patch_list_change_sets_stack_name() -> None:
    """Gap 4: ``ListChangeSets`` answers only the change sets of the stack named."""
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def list_change_sets(self: Any) -> ActionResult:
        stack = self.cloudformation_backend.get_stack(self._get_param("StackName"))  # ValidationError if missing
        change_sets = self.cloudformation_backend.list_change_sets()
        return ActionResult({"Summaries": [cs for cs in change_sets if cs.stack_id == stack.stack_id]})

    CloudFormationResponse.list_change_sets = list_change_sets  # type: ignore[method-assign]


def patch_list_imports() -> None:
    """Gap 5: ``ListImports`` from the live stacks' templates (their ``Fn::ImportValue``, resolved by moto)."""
    from moto.cloudformation import parsing
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    def imported(stack: Any) -> set[str]:
        found: set[str] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "Fn::ImportValue":
                        found.add(str(parsing.clean_json(value, stack.resource_map)))
                    else:
                        walk(value)
            elif isinstance(node, list):
                for item in node:
                    walk(item)

        walk(stack.template_dict.get("Resources", {}))
        return found

    def list_imports(self: Any) -> ActionResult:
        name = self._get_param("ExportName")
        live = [s for s in self.cloudformation_backend.stacks.values() if s.status not in _NOT_LIVE]
        importers = sorted(stack.name for stack in live if name in imported(stack))
        if not importers:
            raise ValidationError(message=f"Export '{name}' is not imported by any stack.")
        return ActionResult({"Imports": importers})

    CloudFormationResponse.list_imports = list_imports  # type: ignore[attr-defined]


def patch_network_deletes() -> None:
    """Gap 6: a ``delete`` for the EC2 models moto's stack deletion skips (moto calls ``resource.delete``)."""
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.elastic_ip_addresses import ElasticAddress
    from moto.ec2.models.internet_gateways import InternetGateway
    from moto.ec2.models.nat_gateways import NatGateway
    from moto.ec2.models.route_tables import RouteTable

    def route_table(self: Any, account_id: str, region: str) -> None:
        backend = ec2_backends[account_id][region]
        for association in list(self._associations):
            backend.disassociate_route_table(association)
        backend.delete_route_table(self.id)

    def nat_gateway(self: Any, account_id: str, region: str) -> None:
        backend = ec2_backends[account_id][region]
        if self._eni.public_ip:
            backend.disassociate_address(address=self._eni.public_ip)
        backend.delete_network_interface(self._eni.id)
        backend.delete_nat_gateway(self.id)

    def elastic_ip(self: Any, account_id: str, region: str) -> None:
        ec2_backends[account_id][region].release_address(address=self.public_ip)

    def internet_gateway(self: Any, account_id: str, region: str) -> None:
        backend = ec2_backends[account_id][region]
        if self.vpc:
            backend.detach_internet_gateway(self.id, self.vpc.id)
        backend.delete_internet_gateway(self.id)

    for model, delete in (
        (RouteTable, route_table),
        (NatGateway, nat_gateway),
        (ElasticAddress, elastic_ip),
        (InternetGateway, internet_gateway),
    ):
        assert not hasattr(model, "delete"), f"moto's {model.__name__} has a delete now: check gap 6"
        model.delete = delete  # type: ignore[attr-defined]


_NOT_LIVE = ("DELETE_COMPLETE", "REVIEW_IN_PROGRESS")  # gone, or a change set nobody executed: imports nothing


def patch_change_set_names() -> None:
    """Gap 7: one change set per name and stack; a CREATE change set joins a REVIEW_IN_PROGRESS stack."""
    from moto.cloudformation.exceptions import AlreadyExistsException
    from moto.cloudformation.models import CloudFormationBackend

    create_change_set = CloudFormationBackend.create_change_set

    @functools.wraps(create_change_set)
    def patched(self: Any, stack_name: str, change_set_name: str, *args: Any, **kwargs: Any) -> tuple[str, str]:
        waiting = [s for s in self.stacks.values() if s.name == stack_name and s.status == "REVIEW_IN_PROGRESS"]
        for change_set in self.change_sets.values():
            if change_set.change_set_name == change_set_name and change_set.stack.name == stack_name:
                raise AlreadyExistsException(f"ChangeSet [{change_set_name}] already exists")
        change_set_id, stack_id = create_change_set(self, stack_name, change_set_name, *args, **kwargs)
        if waiting and stack_id != waiting[0].stack_id:  # moto made a second stack: use the waiting one
            del self.stacks[stack_id]
            self.change_sets[change_set_id].stack = waiting[0]
            self.change_sets[change_set_id].stack_id = waiting[0].stack_id
            stack_id = waiting[0].stack_id
        return change_set_id, stack_id

    CloudFormationBackend.create_change_set = patched  # type: ignore[method-assign]


def patch_delete_missing_change_set() -> None:
    """Gap 8: ChangeSetNotFound for a change set that does not exist (by id or name)."""
    from moto.cloudformation.exceptions import CloudFormationError
    from moto.cloudformation.models import CloudFormationBackend

    class ChangeSetNotFound(CloudFormationError):
        code = "ChangeSetNotFound"

    delete_change_set = CloudFormationBackend.delete_change_set

    @functools.wraps(delete_change_set)
    def patched(self: Any, change_set_name: str) -> None:
        known = change_set_name in self.change_sets or any(
            cs.change_set_name == change_set_name for cs in self.change_sets.values()
        )
        if not known:
            raise ChangeSetNotFound(f"ChangeSet [{change_set_name}] does not exist")
        delete_change_set(self, change_set_name)

    CloudFormationBackend.delete_change_set = patched  # type: ignore[method-assign]


def patch_execute_discards_the_others() -> None:
    """Gap 10: executing a change set deletes the stack's other change sets (the executed one stays listed)."""
    from moto.cloudformation.models import CloudFormationBackend

    execute_change_set = CloudFormationBackend.execute_change_set

    @functools.wraps(execute_change_set)
    def patched(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        executed = self.describe_change_set(change_set_name)
        execute_change_set(self, change_set_name, stack_name)
        if executed is not None:
            for change_set_id, other in list(self.change_sets.items()):
                if other.stack_id == executed.stack_id and other is not executed:
                    del self.change_sets[change_set_id]

    CloudFormationBackend.execute_change_set = patched  # type: ignore[method-assign]


def patch_get_template_of_change_set() -> None:
    """Gap 9: ``GetTemplate`` answers the template of the change set named."""
    from moto.cloudformation.exceptions import ValidationError
    from moto.cloudformation.responses import CloudFormationResponse
    from moto.core.responses import ActionResult

    get_template = CloudFormationResponse.get_template

    @functools.wraps(get_template)
    def patched(self: Any) -> ActionResult:
        name = self._get_param("ChangeSetName")
        if not name:
            return get_template(self)
        change_set = self.cloudformation_backend.describe_change_set(name)
        if change_set is None:
            raise ValidationError(message=f"ChangeSet [{name}] does not exist")
        return ActionResult({"TemplateBody": change_set.template})

    CloudFormationResponse.get_template = patched  # type: ignore[method-assign]


def patch_unimplemented_actions() -> None:
    """Gap 11: an action moto lacks answers 400 InvalidAction, as AWS answers an action it does not know."""
    from xml.sax.saxutils import escape

    from moto.core.responses import BaseResponse

    call_action = BaseResponse.call_action

    @functools.wraps(call_action)
    def patched(self: Any) -> Any:
        try:
            return call_action(self)
        except NotImplementedError:
            message = escape(f"{self._get_action()} is not available here")
            error = f"<Type>Sender</Type><Code>InvalidAction</Code><Message>{message}</Message>"
            body = f"<ErrorResponse><Error>{error}</Error><RequestId>moto</RequestId></ErrorResponse>"
            return 400, {"Content-Type": "text/xml"}, body

    BaseResponse.call_action = patched  # type: ignore[method-assign]


def patch_update_stack_obsoletes_change_sets() -> None:
    """Gap 12: UpdateStack makes the stack's AVAILABLE change sets OBSOLETE; only AVAILABLE ones execute.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ChangeSetSummary.html (ExecutionStatus)
    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_ExecuteChangeSet.html (InvalidChangeSetStatus)
    """
    from moto.cloudformation.exceptions import CloudFormationError
    from moto.cloudformation.models import CloudFormationBackend

    class InvalidChangeSetStatus(CloudFormationError):
        code = "InvalidChangeSetStatus"

    update_stack = CloudFormationBackend.update_stack
    execute_change_set = CloudFormationBackend.execute_change_set

    @functools.wraps(update_stack)
    def updating(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        stack = update_stack(self, name, *args, **kwargs)
        for change_set in self.change_sets.values():
            if change_set.stack_id == stack.stack_id and change_set.execution_status == "AVAILABLE":
                change_set.execution_status = "OBSOLETE"
        return stack

    @functools.wraps(execute_change_set)
    def executing(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        change_set = self.describe_change_set(change_set_name)
        if change_set is not None and change_set.execution_status != "AVAILABLE":
            raise InvalidChangeSetStatus(
                f"ChangeSet [{change_set.change_set_id}] cannot be executed in its current execution status of "
                f"[{change_set.execution_status}]"
            )
        execute_change_set(self, change_set_name, stack_name)

    CloudFormationBackend.update_stack = updating  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = executing  # type: ignore[method-assign]


def patch_listener_rule_and_target_group_deletes() -> None:
    """Gap 13: a ``delete`` for listener rules, target groups and VPC endpoints, which moto's stack deletion calls.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stacks.html (deleting a stack deletes its
    resources, unless their DeletionPolicy retains them).
    """
    from moto.ec2.models import ec2_backends
    from moto.ec2.models.vpcs import VPCEndPoint
    from moto.elbv2.models import FakeListenerRule, FakeTargetGroup, elbv2_backends

    def rule(self: Any, account_id: str, region: str) -> None:
        elbv2_backends[account_id][region].delete_rule(self.arn)

    def target_group(self: Any, account_id: str, region: str) -> None:
        elbv2_backends[account_id][region].delete_target_group(self.arn)

    def endpoint(self: Any, account_id: str, region: str) -> None:
        ec2_backends[account_id][region].delete_vpc_endpoints([self.id])  # its routes go, its state is "deleted"

    for model, delete in ((FakeListenerRule, rule), (FakeTargetGroup, target_group), (VPCEndPoint, endpoint)):
        assert not hasattr(model, "delete"), f"moto's {model.__name__} has a delete now: check gap 13"
        model.delete = delete  # type: ignore[attr-defined]


class _RolledBack(Exception):
    """A change set's resource failed and its stack was rolled back: ExecuteChangeSet itself succeeded."""

    def __init__(self, change_set: Any) -> None:
        super().__init__(change_set.change_set_name)
        self.change_set = change_set


def patch_failed_resource_rolls_back() -> None:
    """Gap 14: a resource failing during ExecuteChangeSet or CreateStack rolls its stack back, as CloudFormation does.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/stack-failure-options.html (by default a
    failed create or update rolls the stack back to its last stable state);
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html (statuses).
    Apply this patch last: it must be the outermost ``execute_change_set``, so nothing that follows a
    successful execution (registering exports) runs after a rollback.
    """
    from moto.cloudformation import parsing
    from moto.cloudformation.models import ChangeSet, CloudFormationBackend

    for name in ("parse_and_create_resource", "parse_and_update_resource"):
        setattr(parsing, name, _naming_the_failed_resource(getattr(parsing, name)))
    apply, execute_change_set = ChangeSet.apply, CloudFormationBackend.execute_change_set

    @functools.wraps(apply)
    def applying(self: Any) -> None:
        stack = self.stack
        before = (stack.template, copy.deepcopy(stack.template_dict), dict(stack.parameters or {}))
        try:
            apply(self)
        except Exception as exc:  # any resource error: AWS reports it on the resource, not the call
            _roll_back(self, exc, *before)
            raise _RolledBack(self) from exc

    @functools.wraps(execute_change_set)
    def executing(self: Any, change_set_name: str, stack_name: str | None = None) -> None:
        try:
            execute_change_set(self, change_set_name, stack_name)
        except _RolledBack as rolled_back:
            rolled_back.change_set.execution_status = "EXECUTE_FAILED"

    create_stack = CloudFormationBackend.create_stack

    @functools.wraps(create_stack)
    def creating(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return create_stack(self, name, *args, **kwargs)
        except Exception as exc:
            stack = next((s for s in self.stacks.values() if s.name == name and s.status == "CREATE_IN_PROGRESS"), None)
            if stack is None:  # refused before the stack existed (AlreadyExists, a bad template): the call's error
                raise
            for export in [n for n, e in self.exports.items() if e.exporting_stack_id == stack.stack_id]:
                del self.exports[export]  # moto registers a new stack's exports before making its resources
            created = types.SimpleNamespace(stack=stack, change_set_type="CREATE", template=stack.template)
            _roll_back(created, exc, stack.template, copy.deepcopy(stack.template_dict), dict(stack.parameters or {}))
            return stack

    ChangeSet.apply = applying  # type: ignore[method-assign]
    CloudFormationBackend.execute_change_set = executing  # type: ignore[method-assign]
    CloudFormationBackend.create_stack = creating  # type: ignore[method-assign]


def _naming_the_failed_resource(parse: Callable[..., Any]) -> Callable[..., Any]:
    """The innermost resource whose creation or update raised is the one that failed (a Ref resolves inside)."""

    @functools.wraps(parse)
    def patched(logical_id: str, resource_json: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return parse(logical_id, resource_json, *args, **kwargs)
        except Exception as exc:
            if not hasattr(exc, "failed_resource"):
                exc.failed_resource = (logical_id, resource_json.get("Type", ""))  # type: ignore[attr-defined]
            raise

    return patched


def _roll_back(change_set: Any, exc: Exception, template: str, template_dict: Any, parameters: Any) -> None:
    """The failed resource's event, then the stack back where it was: deleted resources for a new stack."""
    from moto.cloudformation.models import Event

    stack = change_set.stack
    logical_id, kind = getattr(exc, "failed_resource", (stack.name, "AWS::CloudFormation::Stack"))
    reason = getattr(exc, "message", "") or str(exc) or type(exc).__name__
    creating = change_set.change_set_type == "CREATE"
    existed = not creating and logical_id in (template_dict.get("Resources") or {})
    failed = Event(stack.stack_id, stack.name, logical_id, "", kind, "UPDATE_FAILED" if existed else "CREATE_FAILED",
                   reason, None)  # fmt: skip
    stack.events.append(failed)
    prefix = "" if creating else "UPDATE_"
    stack._add_stack_event(
        f"{prefix}ROLLBACK_IN_PROGRESS",
        resource_status_reason=f"The following resource(s) failed to {'create' if creating else 'update'}: "
        f"[{logical_id}]. Rollback requested by user.",
    )
    try:
        if creating:
            stack.resource_map.delete()
        else:
            stack.resource_map.update(template_dict, parameters)
    except Exception as cleanup:  # what CloudFormation reports as a failed rollback
        stack._add_stack_event(f"{prefix}ROLLBACK_FAILED", resource_status_reason=str(cleanup))
        stack.status = f"{prefix}ROLLBACK_FAILED"
        return
    stack._add_stack_event(f"{prefix}ROLLBACK_COMPLETE")
    stack.status = f"{prefix}ROLLBACK_COMPLETE"
    if creating:
        stack.template = change_set.template  # a rolled-back new stack keeps the template it was made from
        stack._parse_template()
    else:
        stack.template, stack.template_dict = template, template_dict


def patch_unknown_actions() -> None:
    """Gap 15: an action the service does not know answers HTTP 400 InvalidAction at once (not a retried 500).

    https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/CommonErrors.html (InvalidAction, 400:
    "The action or operation requested is invalid").
    """
    from xml.sax.saxutils import escape

    from botocore.model import OperationNotFoundError
    from moto.core.responses import BaseResponse

    dispatch = BaseResponse._dispatch

    @functools.wraps(dispatch)
    def patched(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return dispatch(self, *args, **kwargs)
        except OperationNotFoundError as exc:
            message = escape(f"{exc} is not a valid action of this service")
            error = f"<Type>Sender</Type><Code>InvalidAction</Code><Message>{message}</Message>"
            body = f"<ErrorResponse><Error>{error}</Error><RequestId>moto</RequestId></ErrorResponse>"
            return 400, {"Content-Type": "text/xml"}, body

    BaseResponse._dispatch = patched  # type: ignore[method-assign]


def patch_deleted_stack_outputs() -> None:
    """Gap 16: a deleted stack has no outputs or exports to compute, so describing it creates nothing.

    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-console-delete-stack.html (deleting a
    stack deletes its resources, those retained by a DeletionPolicy excepted).
    """
    from moto.cloudformation.models import Stack

    for name in ("outputs", "exports"):
        computed = getattr(Stack, name)

        def read(self: Any, computed: property = computed, empty: Any = None if name == "outputs" else []) -> Any:
            return empty if self.status == "DELETE_COMPLETE" else computed.fget(self)  # type: ignore[misc]

        setattr(Stack, name, property(read))


def patch_alb_hosted_zone() -> None:
    """Gap 18: an ALB's CanonicalHostedZoneId is its region's Route 53 zone for load balancers (what an alias
    record names); moto answers the placeholder ``Z2P70J7EXAMPLE`` in every region, which rule B006 rightly
    refuses in an existing ALB's params.  https://docs.aws.amazon.com/general/latest/gr/elb.html#elb_region
    """
    from moto.elbv2.models import FakeLoadBalancer

    from templates.aws.elb import ALB_HOSTED_ZONES

    original = FakeLoadBalancer.__init__

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        region = str(self.arn).split(":")[3]
        self.canonical_hosted_zone_id = ALB_HOSTED_ZONES.get(region, self.canonical_hosted_zone_id)

    FakeLoadBalancer.__init__ = init  # type: ignore[method-assign]


GAPS: dict[str, Callable[[], None]] = {
    "change set exports": patch_change_set_exports,
    "Fn::GetAZs Ref": patch_get_azs_ref,
    "PrivateDnsNamespace": patch_private_dns_namespace,
    "ListChangeSets StackName": patch_list_change_sets_stack_name,
    "ListImports": patch_list_imports,
    "network deletes": patch_network_deletes,
    "change set names": patch_change_set_names,
    "DeleteChangeSet missing": patch_delete_missing_change_set,
    "GetTemplate ChangeSetName": patch_get_template_of_change_set,
    "ExecuteChangeSet discards the others": patch_execute_discards_the_others,
    "unimplemented actions": patch_unimplemented_actions,
    "UpdateStack obsoletes change sets": patch_update_stack_obsoletes_change_sets,
    "listener rule, target group and endpoint deletes": patch_listener_rule_and_target_group_deletes,
    "unknown actions": patch_unknown_actions,
    "deleted stack outputs": patch_deleted_stack_outputs,
    "ECS capacity providers": patch_capacity_providers,
    "ALB hosted zone": patch_alb_hosted_zone,
    "failed resource rolls back": patch_failed_resource_rolls_back,  # last: the outermost execute_change_set
}


def apply_all() -> list[str]:
    """Apply every patch once per process; returns the names applied."""
    for name, patch in GAPS.items():
        if name not in _APPLIED:
            patch()
            _APPLIED.append(name)
    return list(_APPLIED)
