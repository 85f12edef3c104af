"""``AWS::ECS::CapacityProvider`` and ``AWS::ECS::ClusterCapacityProviderAssociations`` for moto's
CloudFormation (gap 17 of moto_patches).

moto 5.2.5's ECS backend creates capacity providers and associates them with
clusters (CreateCapacityProvider, PutClusterCapacityProviders), but its
CloudFormation has no model for either resource type, so a cluster stack with
EC2 capacity groups cannot deploy: ``Ref`` of the provider and every service
strategy naming it fail.  These models only connect CloudFormation to that
backend, as AWS documents the types:

* CapacityProvider: ``Ref`` returns the provider's name; ``AutoScalingGroupArn``
  (the group's name or ARN) and ``Name`` replace it, the managed settings update
  it in place (UpdateCapacityProvider).
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-capacityprovider.html
* ClusterCapacityProviderAssociations: PutClusterCapacityProviders with the
  whole list and default strategy on create and update; ``Ref`` returns the
  cluster; deleting it disassociates every provider.
  https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-clustercapacityproviderassociations.html

Importing this module registers both models: moto finds CloudFormation models
as the direct subclasses of ``CloudFormationModel``.
"""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ecs.models import CapacityProvider as EcsCapacityProvider
from moto.ecs.models import ecs_backends


def _provider_details(props: dict[str, Any]) -> dict[str, Any]:
    """The CloudFormation provider block as ECS's API spells it (camelCase)."""
    block = props.get("AutoScalingGroupProvider", {})
    scaling = block.get("ManagedScaling", {})
    return {
        "autoScalingGroupArn": block.get("AutoScalingGroupArn"),
        "managedScaling": {key[0].lower() + key[1:]: value for key, value in scaling.items()},
        "managedTerminationProtection": block.get("ManagedTerminationProtection", "DISABLED"),
        "managedDraining": block.get("ManagedDraining", "ENABLED"),
    }


class CapacityProvider(CloudFormationModel):
    def __init__(self, provider: EcsCapacityProvider, region_name: str) -> None:
        self.provider = provider
        self.region_name = region_name

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ECS::CapacityProvider"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr == "Arn"

    def get_cfn_attribute(self, attribute_name: str) -> str:
        return self.provider.capacity_provider_arn

    @property
    def physical_resource_id(self) -> str:
        return self.provider.name

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> CapacityProvider:
        props = cloudformation_json["Properties"]
        backend = ecs_backends[account_id][region_name]
        provider = backend.create_capacity_provider(resource_name, _provider_details(props), props.get("Tags"))
        return cls(provider, region_name)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: CapacityProvider,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> CapacityProvider:
        details = _provider_details(cloudformation_json["Properties"])
        provider = original_resource.provider
        group = provider.auto_scaling_group_provider.get("autoScalingGroupArn")
        if provider.name == new_resource_name and group == details["autoScalingGroupArn"]:
            ecs_backends[account_id][region_name].update_capacity_provider(provider.name, details)
            return original_resource
        original_resource.delete(account_id, region_name)  # Name and AutoScalingGroupArn replace it
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        backend = ecs_backends[account_id][region_name]
        if backend._get_provider(resource_name) is not None:
            backend.delete_capacity_provider(resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        self.delete_from_cloudformation_json(self.provider.name, {}, account_id, region_name)


def _strategy(props: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"capacityProvider": item["CapacityProvider"], "weight": item.get("Weight", 0), "base": item.get("Base", 0)}
        for item in props.get("DefaultCapacityProviderStrategy", [])
    ]


class ClusterCapacityProviderAssociations(CloudFormationModel):
    def __init__(self, cluster: str) -> None:
        self.cluster = cluster

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::ECS::ClusterCapacityProviderAssociations"

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @property
    def physical_resource_id(self) -> str:
        return self.cluster

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str, **kwargs: Any
    ) -> ClusterCapacityProviderAssociations:
        props = cloudformation_json["Properties"]
        cluster = props["Cluster"]
        cluster = getattr(cluster, "name", cluster)  # Ref of a cluster resolves to moto's Cluster
        ecs_backends[account_id][region_name].put_cluster_capacity_providers(
            cluster, list(props.get("CapacityProviders", [])), _strategy(props)
        )
        return cls(cluster)

    @classmethod
    def update_from_cloudformation_json(  # type: ignore[override]
        cls,
        original_resource: ClusterCapacityProviderAssociations,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> ClusterCapacityProviderAssociations:
        return cls.create_from_cloudformation_json(new_resource_name, cloudformation_json, account_id, region_name)

    @classmethod
    def delete_from_cloudformation_json(  # type: ignore[override]
        cls, resource_name: str, cloudformation_json: dict[str, Any], account_id: str, region_name: str
    ) -> None:
        cluster = cloudformation_json.get("Properties", {}).get("Cluster", resource_name)
        backend = ecs_backends[account_id][region_name]
        if getattr(cluster, "name", cluster) in backend.clusters:
            backend.put_cluster_capacity_providers(getattr(cluster, "name", cluster), [], [])

    def delete(self, account_id: str, region_name: str) -> None:
        backend = ecs_backends[account_id][region_name]
        if self.cluster in backend.clusters:
            backend.put_cluster_capacity_providers(self.cluster, [], [])
