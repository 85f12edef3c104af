"""``AWS::ServiceDiscovery::PrivateDnsNamespace`` for moto's CloudFormation (gap 3 of moto_patches).

Importing this module registers the model: moto finds CloudFormation models
as the direct subclasses of ``CloudFormationModel``.  The namespace itself is
created by moto's servicediscovery backend, so ``servicediscovery`` calls
against the endpoint see it.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.servicediscovery.models import Namespace, servicediscovery_backends


class PrivateDnsNamespace(CloudFormationModel):
    def __init__(self, namespace: Namespace, account_id: str, region_name: str) -> None:
        self.namespace = namespace
        self.account_id = account_id
        self.region_name = region_name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ServiceDiscovery::PrivateDnsNamespace"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in {"Id", "Arn", "HostedZoneId"}

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name == "HostedZoneId":
            return self.namespace.dns_properties["HostedZoneId"]
        return {"Id": self.namespace.id, "Arn": self.namespace.arn}[attribute_name]

    @property
    def physical_resource_id(self) -> str:
        return self.namespace.id

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> PrivateDnsNamespace:
        backend = servicediscovery_backends[account_id][region_name]
        props = cloudformation_json["Properties"]
        operation_id = backend.create_private_dns_namespace(
            name=resource_name,
            creator_request_id=kwargs.get("LogicalId", resource_name),
            description=props.get("Description", ""),
            vpc=props["Vpc"],
            tags=props.get("Tags", []),
            properties=props.get("Properties", {}),
        )
        namespace_id = backend.get_operation(operation_id).targets["NAMESPACE"]
        return cls(backend.get_namespace(namespace_id), account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: PrivateDnsNamespace,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> PrivateDnsNamespace:
        props = cloudformation_json["Properties"]
        namespace = original_resource.namespace
        if namespace.name == new_resource_name and namespace.vpc == props["Vpc"]:
            namespace.description = props.get("Description", "")
            return original_resource
        original_resource.delete(account_id, region_name)  # Name and Vpc replace the namespace
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        backend = servicediscovery_backends[account_id][region_name]
        for namespace in list(backend.namespaces.values()):
            if namespace.name == resource_name:
                backend.delete_namespace(namespace.id)

    def delete(self, account_id: str, region_name: str) -> None:
        servicediscovery_backends[account_id][region_name].delete_namespace(self.namespace.id)
