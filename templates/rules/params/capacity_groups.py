"""EC2 capacity groups, and whether the services placed on them fit: instance types, sizes, GPUs, quotas.

On Fargate a task's size is checked against Fargate's table (L022); on EC2
it must fit the instance types of its groups instead (vCPUs, the memory a
container instance registers), match their architecture, and find GPUs where
it asks for them.  The table of instance types is ``templates/aws/instances.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.aws.instances import (
    ECS_AMI_URL,
    GPU_ARCHITECTURES,
    INSTANCE_TYPES,
    INSTANCE_TYPES_URL,
    MEMORY_URL,
    InstanceType,
    instance_type,
)
from templates.params.capacity_groups import CapacityGroup
from templates.params.environment import Environment
from templates.params.service import Service
from templates.rules.registry import At, environment_rule

GROUPS = "cluster.capacity_groups"
ECS_QUOTAS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html"
ASG_TYPES = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/asg-purchase-options.html"
MANAGED_SCALING = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-auto-scaling.html"
SPOT_BEST_PRACTICES = "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-best-practices.html"
CAPACITY_PROVIDER_NAME = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateCapacityProvider.html"
# "Capacity providers per cluster: 20" (not adjustable); FARGATE and FARGATE_SPOT take two of them.
PROVIDERS_PER_CLUSTER = 20
FARGATE_PROVIDERS = 2
INSTANCES_PER_CLUSTER = 5000  # "Container instances per cluster" (not adjustable)
TYPES_PER_GROUP = 40  # "The maximum number of instance types that can be associated with an Auto Scaling group"
RESERVED_PREFIXES = ("aws", "ecs", "fargate")


def _groups(env: Environment) -> Iterator[tuple[str, CapacityGroup]]:
    for name, group in env.cluster.capacity_groups.items():
        yield f"{GROUPS}.{name}", group


def known_types(group: CapacityGroup) -> list[InstanceType]:
    return [t for name in group.instance_types if (t := instance_type(name)) is not None]


@environment_rule("K001", "an instance type this tool has no facts for", INSTANCE_TYPES_URL)
def known_instance_types(env: Environment) -> Iterator[At]:
    """Task sizes, ENI density and prices are checked against ``templates/aws/instances.py``; a type missing
    there is refused rather than guessed (add it to the table with its documented numbers)."""
    for where, group in _groups(env):
        for i, name in enumerate(group.instance_types):
            if instance_type(name) is None:
                same = sorted(t for t in INSTANCE_TYPES if t.split(".")[0] == name.split(".")[0])
                hint = (
                    f"known {name.split('.')[0]} sizes: {', '.join(same)}" if same else "see templates/aws/instances.py"
                )
                yield At(f"{where}.instance_types[{i}]", f"{name} is not in the instance table ({hint})")


@environment_rule("K002", "an instance type of another architecture than its group", INSTANCE_TYPES_URL)
def group_architecture(env: Environment) -> Iterator[At]:
    for where, group in _groups(env):
        for i, name in enumerate(group.instance_types):
            found = instance_type(name)
            if found is not None and found.architecture != group.architecture:
                yield At(f"{where}.instance_types[{i}]", f"{name} is {found.architecture}, but the group's "
                         f"architecture is {group.architecture}; one AMI serves a group: use one")  # fmt: skip


@environment_rule(
    "K003", "a GPU group with an instance type without GPUs, or on ARM64", (ECS_AMI_URL, INSTANCE_TYPES_URL)
)
def gpu_groups(env: Environment) -> Iterator[At]:
    for where, group in _groups(env):
        if not group.gpu:
            continue
        if group.architecture not in GPU_ARCHITECTURES:
            yield At(f"{where}.gpu", f"AWS publishes the ECS GPU-optimized AMI for {', '.join(GPU_ARCHITECTURES)} "
                     f"only; this group is {group.architecture}")  # fmt: skip
        for i, found in enumerate(instance_type(n) for n in group.instance_types):
            if found is not None and not found.gpus:
                yield At(f"{where}.instance_types[{i}]", f"{found.name} has no GPU; a gpu group needs GPU "
                         "instance types (g4dn, g5, ...)")  # fmt: skip


@environment_rule("K004", "group sizes out of order: min_size, desired_size, max_size")
def group_sizes(env: Environment) -> Iterator[At]:
    for where, group in _groups(env):
        if group.min_size > group.max_size:
            yield At(f"{where}.max_size", f"max_size {group.max_size} is below min_size {group.min_size}")
        desired = group.desired_size
        if desired is not None and not group.min_size <= desired <= group.max_size:
            yield At(f"{where}.desired_size", f"desired_size {desired} is outside min_size {group.min_size} .. "
                     f"max_size {group.max_size}")  # fmt: skip


@environment_rule("K005", "a service naming a capacity group that does not exist")
def groups_exist(env: Environment) -> Iterator[At]:
    defined = sorted(env.cluster.capacity_groups)
    for name, svc in sorted(env.services.items()):
        for i, share in enumerate(svc.capacity.ec2):
            if share.group not in env.cluster.capacity_groups:
                allowed = ", ".join(defined) if defined else "none defined: add cluster.capacity_groups"
                yield At(f"services.{name}.capacity.ec2[{i}].group", f"no capacity group {share.group} "
                         f"(groups: {allowed})")  # fmt: skip


def _placed(env: Environment) -> Iterator[tuple[str, Service, str, CapacityGroup]]:
    for name, svc in sorted(env.services.items()):
        for group_name in svc.capacity.groups:
            group = env.cluster.capacity_groups.get(group_name)
            if group is not None:
                yield name, svc, group_name, group


def daemon_share(env: Environment, group_name: str) -> tuple[int, int]:
    """CPU units and memory the daemons of a group take on each of its instances, before any other task."""
    daemons = [s for s in env.services.values() if s.capacity.daemon and group_name in s.capacity.groups]
    return sum(s.cpu for s in daemons), sum(s.memory for s in daemons)


def _misfit(svc: Service, found: InstanceType, reserved: tuple[int, int]) -> str | None:
    cpu_taken, memory_taken = (0, 0) if svc.capacity.daemon else reserved
    after = " after the group's daemons" if cpu_taken or memory_taken else ""
    if svc.cpu > found.cpu_units - cpu_taken:
        return f"{found.name} has {found.cpu_units - cpu_taken} CPU units ({found.vcpus} vCPU){after}"
    if svc.memory > found.task_memory_mib - memory_taken:
        daemons = f" after the group's daemons ({memory_taken} MiB)" if memory_taken else ""
        return f"{found.name} offers tasks about {found.task_memory_mib - memory_taken} MiB{daemons}"
    return None


@environment_rule(
    "K006",
    "a task larger than every instance type of its group (error) or than some of them (warning)",
    (INSTANCE_TYPES_URL, MEMORY_URL),
)
def task_fits_instances(env: Environment) -> Iterator[At]:
    """A task must fit on one instance: its CPU within the instance's vCPUs x 1024, its memory within what the
    container instance registers (about 97 % of installed memory) less the agent's reserve and the daemons."""
    for name, svc, group_name, group in _placed(env):
        types = known_types(group)
        reserved = daemon_share(env, group_name)
        misfits = [why for t in types if (why := _misfit(svc, t, reserved)) is not None]
        if not types or not misfits:
            continue
        cpu_room = min(t.cpu_units for t in types) - (0 if svc.capacity.daemon else reserved[0])
        key = "cpu" if svc.cpu > cpu_room else "memory"
        size = f"cpu {svc.cpu} / memory {svc.memory}"
        if len(misfits) == len(types):
            yield At(f"services.{name}.{key}", f"{size} fits no instance type of group {group_name}: "
                     f"{'; '.join(misfits)}; ECS could never place it")  # fmt: skip
        else:
            yield At(f"services.{name}.{key}", f"{size} does not fit every instance type of group {group_name} "
                     f"({'; '.join(misfits)}): managed scaling may launch one it cannot use", warning=True)  # fmt: skip


@environment_rule("K007", "a service's architecture other than its capacity group's", INSTANCE_TYPES_URL)
def architecture_matches(env: Environment) -> Iterator[At]:
    for name, svc, group_name, group in _placed(env):
        if svc.architecture != group.architecture:
            yield At(f"services.{name}.architecture", f"architecture {svc.architecture}, but group {group_name} "
                     f"runs {group.architecture} instances; the image would not start there")  # fmt: skip


@environment_rule("K008", "GPUs asked of a group without them, or more than its instance types have", ECS_AMI_URL)
def gpus_fit(env: Environment) -> Iterator[At]:
    for name, svc, group_name, group in _placed(env):
        if not svc.gpus:
            continue
        where = f"services.{name}.containers[{next(i for i, c in enumerate(svc.containers) if c.gpu)}].gpu"
        if not group.gpu:
            yield At(where, f"the task asks for {svc.gpus} GPU(s), but group {group_name} has gpu: false "
                     "(no GPU AMI): place it on a group with gpu: true")  # fmt: skip
            continue
        most = max((t.gpus for t in known_types(group)), default=0)
        if svc.gpus > most:
            yield At(where, f"the task asks for {svc.gpus} GPU(s); group {group_name}'s instance types have at "
                     f"most {most}")  # fmt: skip


@environment_rule("K009", "a capacity group no service runs on", MANAGED_SCALING)
def groups_used(env: Environment) -> Iterator[At]:
    used = {g for svc in env.services.values() for g in svc.capacity.groups}
    for name, group in env.cluster.capacity_groups.items():
        if name not in used and group.min_size:
            yield At(f"{GROUPS}.{name}", f"no service runs on group {name}, yet min_size {group.min_size} keeps "
                     "instances running (and billed)", warning=True)  # fmt: skip


@environment_rule("K010", "a project name ECS refuses as the start of a capacity provider name", CAPACITY_PROVIDER_NAME)
def provider_name_prefix(env: Environment) -> Iterator[At]:
    """CloudFormation names each provider after its stack (``<project>-<environment>-cluster-...``), and ECS
    refuses capacity provider names starting with aws, ecs or fargate."""
    if env.cluster.capacity_groups and env.project.lower().startswith(RESERVED_PREFIXES):
        yield At("project", f"project {env.project!r}: capacity provider names, made from the stack name, may "
                 f"not start with {', '.join(RESERVED_PREFIXES)}")  # fmt: skip


@environment_rule("K011", "desired_size on a group ECS managed scaling sizes", MANAGED_SCALING)
def desired_size_resets(env: Environment) -> Iterator[At]:
    for where, group in _groups(env):
        if group.desired_size is not None:
            yield At(f"{where}.desired_size", "managed scaling owns the instance count; a deploy that changes "
                     "desired_size resets the group to it, whatever the tasks need", warning=True)  # fmt: skip


@environment_rule("K012", "Spot instances from a single instance type", SPOT_BEST_PRACTICES)
def spot_diversified(env: Environment) -> Iterator[At]:
    for where, group in _groups(env):
        if group.spot_percentage and len(group.instance_types) == 1:
            yield At(f"{where}.instance_types", f"spot_percentage {group.spot_percentage} with one instance type: "
                     "when its Spot pool runs dry the group cannot replace interrupted instances; list several "
                     "types of similar size", warning=True)  # fmt: skip


@environment_rule(
    "L040",
    "more capacity groups than a cluster's capacity providers allow",
    ECS_QUOTAS,
    limit=f"{PROVIDERS_PER_CLUSTER} capacity providers per cluster (FARGATE and FARGATE_SPOT are two of them)",
)
def providers_per_cluster(env: Environment) -> Iterator[At]:
    allowed = PROVIDERS_PER_CLUSTER - FARGATE_PROVIDERS
    if len(env.cluster.capacity_groups) > allowed:
        yield At(GROUPS, f"{len(env.cluster.capacity_groups)} groups; a cluster takes {PROVIDERS_PER_CLUSTER} "
                 f"capacity providers, FARGATE and FARGATE_SPOT included: at most {allowed} groups")  # fmt: skip


@environment_rule(
    "L041", "more instances at the groups' maxima than a cluster holds", ECS_QUOTAS,
    limit=f"{INSTANCES_PER_CLUSTER} container instances per cluster",
)  # fmt: skip
def instances_per_cluster(env: Environment) -> Iterator[At]:
    total = sum(g.max_size for g in env.cluster.capacity_groups.values())
    if total > INSTANCES_PER_CLUSTER:
        yield At(GROUPS, f"the groups' max_size add up to {total} instances; a cluster holds at most "
                 f"{INSTANCES_PER_CLUSTER} container instances")  # fmt: skip


@environment_rule(
    "L043", "more instance types in a group than an Auto Scaling group takes", ASG_TYPES,
    limit=f"{TYPES_PER_GROUP} instance types per Auto Scaling group",
)  # fmt: skip
def types_per_group(env: Environment) -> Iterator[At]:
    for where, group in _groups(env):
        if len(group.instance_types) > TYPES_PER_GROUP:
            yield At(f"{where}.instance_types", f"{len(group.instance_types)} types; an Auto Scaling group takes "
                     f"at most {TYPES_PER_GROUP}")  # fmt: skip
