"""Params of EC2 capacity in the cluster: the groups (``cluster.capacity_groups``) and a service's share of them.

A capacity group is an Auto Scaling group of ECS container instances behind
an ECS capacity provider; services choose it in ``capacity.ec2``.  The schema
only: which instance types exist, whether a task fits them, which
combinations ECS accepts are rules (``templates/rules/params/capacity.py``,
K001-K029, and the limits L040-L049).  Field descriptions are the params
reference.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from templates.params.formats import KmsKeyArn
from templates.params.strict import Name, Strict

INSTANCE_TYPE = r"^[a-z][a-z0-9-]*\.[a-z0-9]+$"
InstanceTypeName = Annotated[str, StringConstraints(pattern=INSTANCE_TYPE, max_length=32)]
SPOT_ALLOCATION = Literal[
    "price-capacity-optimized", "capacity-optimized", "capacity-optimized-prioritized", "lowest-price"
]


class RootVolume(Strict):
    """The container instance's root EBS volume: image layers, container writable layers, logs."""

    size_gib: int = Field(
        30,
        ge=30,
        le=16384,
        description="Size in GiB; at least 30 (the ECS-optimized AMI's own root volume). Images and containers' "
        "writable layers live here: give GPU and ML images room.",
    )
    type: Literal["gp3", "gp2"] = Field("gp3", description="EBS volume type: gp3 (cheaper per GB, 3000 IOPS base).")
    kms_key_arn: KmsKeyArn | None = Field(
        None,
        description="Customer-managed KMS key encrypting the volume (same region; its key policy must let the "
        "Auto Scaling service-linked role use it). The volume is always encrypted; default: the account's EBS key.",
    )


class CapacityGroup(Strict):
    """One Auto Scaling group of ECS container instances in the private subnets, joined to the cluster through
    a capacity provider with managed scaling, managed termination protection and managed draining."""

    instance_types: list[InstanceTypeName] = Field(
        min_length=1,
        description="EC2 instance types, in preference order (On-Demand launches follow it); several types make "
        "Spot capacity easier to find. All of one architecture; tasks must fit the smallest.",
    )
    architecture: Literal["x86_64", "arm64"] = Field(
        "x86_64", description="CPU architecture of every instance type and of the tasks placed here."
    )
    gpu: bool = Field(
        False,
        description="Boot the ECS GPU-optimized AMI (NVIDIA driver and container runtime; x86_64 only); needed "
        "for containers with gpu. Every instance type must have GPUs.",
    )
    min_size: int = Field(0, ge=0, le=5000, description="Fewest instances (0 lets an idle group cost nothing).")
    max_size: int = Field(ge=1, le=5000, description="Most instances ECS managed scaling may launch.")
    desired_size: int | None = Field(
        None,
        ge=0,
        le=5000,
        description="Instances at creation; leave empty: ECS managed scaling owns the count, and a stack update "
        "that changes this value resets the group to it.",
    )
    on_demand_base: int = Field(
        0, ge=0, le=5000, description="Instances that are always On-Demand, before spot_percentage applies."
    )
    spot_percentage: int = Field(
        0,
        ge=0,
        le=100,
        description="Share (%) of the instances above on_demand_base that run on EC2 Spot (either architecture). "
        "0 = On-Demand only (the default). Spot instances can be reclaimed with 2 minutes' notice; ECS drains them.",
    )
    spot_allocation_strategy: SPOT_ALLOCATION = Field(
        "price-capacity-optimized",
        description="How Spot instances are chosen among the types: price-capacity-optimized (AWS's "
        "recommendation: the least likely to be interrupted, then the cheapest), capacity-optimized, "
        "capacity-optimized-prioritized, lowest-price.",
    )
    target_capacity: int = Field(
        100,
        ge=1,
        le=100,
        description="Managed scaling's target utilisation (%) of the instances by tasks; below 100 keeps "
        "spare instances so new tasks start without waiting for one.",
    )
    trunking: bool = Field(
        False,
        description="Your account (or the instance role) has the awsvpcTrunking ECS account setting on: "
        "instance types that support it hold more awsvpc tasks (the ENI density check counts with it). "
        "This tool does not change account settings.",
    )
    root_volume: RootVolume = Field(default_factory=RootVolume, description="The encrypted root EBS volume.")


class Ec2Share(Strict):
    """One capacity group in a service's capacity provider strategy."""

    group: Name = Field(description="A group of cluster.capacity_groups.")
    weight: int = Field(1, ge=0, le=1000, description="Relative share of the tasks placed in this group.")
    base: int = Field(
        0, ge=0, le=100000, description="Tasks that always run in this group first (one group of a service at most)."
    )


class Placement(Strict):
    """Task placement strategies on EC2 (ECS applies them in order): spread first, then bin-pack."""

    spread: list[Literal["zone", "instance"]] = Field(
        default_factory=lambda: ["zone"],
        max_length=2,
        description="Spread the tasks evenly across: zone (availability zones), instance. Default: zone.",
    )
    binpack: Literal["memory", "cpu"] | None = Field(
        "memory",
        description="Then fill the instance with the least free memory (or CPU) first, so fewer instances "
        "run; empty: no bin-packing.",
    )
