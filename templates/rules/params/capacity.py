"""Where one service runs: what Fargate refuses and EC2 allows, and what ECS accepts in a strategy.

Fargate places its own tasks on its own hosts: no bridge networking, no
daemons, no GPUs, no placement strategies.  ECS refuses a capacity provider
strategy that mixes Fargate and Auto Scaling group providers, or gives more
than one provider a base; a DAEMON service takes a launch type, no strategy,
no placement strategy and a maximum of 100 %.  Every rule here reads one
service; the groups themselves are checked in ``capacity_groups``.
"""

from __future__ import annotations

from collections.abc import Iterator

from templates.params.service import Service
from templates.rules.registry import At, service_rule

CAPACITY_PROVIDERS = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html"
BRIDGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/networking-networkmode-bridge.html"
DAEMON = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html#service_scheduler_daemon"
# CreateService with DAEMON and a capacity provider strategy: InvalidParameterException (containers-roadmap#692).
DAEMON_STRATEGY = "https://github.com/aws/containers-roadmap/issues/692"
GPU = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-gpu.html"
PLACEMENT = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html"
EPHEMERAL_STORAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html"
TASK_SIZE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size"
FARGATE_KEYS = ("on_demand_base", "on_demand_weight", "spot_weight")
MIN_EC2_CPU = 128  # task-level CPU on EC2: 128 units (0.125 vCPU) at least


@service_rule("K013", "a capacity strategy mixing Fargate and EC2 capacity groups", CAPACITY_PROVIDERS)
def one_kind_of_capacity(svc: Service) -> Iterator[At]:
    """ECS: "a capacity provider strategy can only contain Auto Scaling group or Fargate capacity providers"."""
    cap = svc.capacity
    mixed = [key for key in FARGATE_KEYS if key in cap.model_fields_set]
    if cap.on_ec2 and mixed:
        yield At(
            "capacity.ec2",
            f"capacity.ec2 runs the tasks on EC2 groups, but {', '.join(mixed)} also set a Fargate share; ECS "
            "accepts Fargate or Auto Scaling group providers in one strategy, not both: remove "
            f"{', '.join(mixed)}",
        )


@service_rule("K014", "network_mode bridge on Fargate", BRIDGE)
def bridge_needs_ec2(svc: Service) -> Iterator[At]:
    if svc.network_mode == "bridge" and not svc.on_ec2:
        yield At(
            "network_mode",
            "network_mode bridge runs only on EC2 container instances; Fargate supports awsvpc only: "
            "set capacity.ec2 to a capacity group, or network_mode: awsvpc",
        )


@service_rule("K015", "a daemon service on Fargate", (DAEMON, DAEMON_STRATEGY))
def daemon_needs_ec2(svc: Service) -> Iterator[At]:
    if svc.capacity.daemon and not svc.on_ec2:
        yield At(
            "capacity.daemon",
            "daemon: true places one task on every EC2 container instance; Fargate does not support the DAEMON "
            "scheduling strategy: list the capacity groups in capacity.ec2, or remove daemon",
        )


@service_rule("K016", "a GPU on Fargate", GPU)
def gpu_needs_ec2(svc: Service) -> Iterator[At]:
    if svc.on_ec2:
        return
    for i, container in enumerate(svc.containers):
        if container.gpu is not None:
            yield At(
                f"containers[{i}].gpu",
                f"gpu: {container.gpu}: Fargate has no GPUs; run the service on a capacity group with gpu: true "
                "(capacity.ec2), or remove gpu",
            )


@service_rule("K017", "placement strategies on Fargate or on a daemon", (PLACEMENT, DAEMON))
def placement_on_ec2_replicas(svc: Service) -> Iterator[At]:
    if svc.capacity.placement is None:
        return
    if not svc.on_ec2:
        yield At("capacity.placement", "placement strategies apply to EC2 instances; Fargate places its tasks "
                 "itself: remove capacity.placement, or set capacity.ec2")  # fmt: skip
    elif svc.capacity.daemon:
        yield At("capacity.placement", "a daemon runs one task on every instance: ECS refuses placement "
                 "strategies for it; remove capacity.placement")  # fmt: skip


@service_rule("K018", "a daemon that is not a plain worker (another kind, scaling or blue/green)", DAEMON)
def daemon_is_a_worker(svc: Service) -> Iterator[At]:
    """A DAEMON service takes no auto scaling: the instances set the count (``desired_count`` is not used)."""
    if not svc.capacity.daemon:
        return
    if svc.kind != "worker":
        yield At("kind", f"kind {svc.kind}: a daemon (one agent per instance) is kind worker")
    if svc.scaling is not None:
        yield At("scaling", "a daemon runs one task per instance; the instances set its count: remove scaling")
    if svc.blue_green is not None:
        yield At("blue_green", "a daemon has no target group to shift; remove blue_green")


@service_rule(
    "K019",
    "a daemon deployment with max_percent other than 100",
    (DAEMON, "https://github.com/aws/aws-cdk/issues/2209"),
)
def daemon_max_percent(svc: Service) -> Iterator[At]:
    """ECS refuses "values above 100 for maximumPercent" for DAEMON: a replacement stops the old task first."""
    deployment = svc.deployment
    if svc.capacity.daemon and "max_percent" in deployment.model_fields_set and deployment.max_percent != 100:
        yield At("deployment.max_percent", f"max_percent {deployment.max_percent}: a daemon's deployment "
                 "replaces its task on each instance in place, ECS allows exactly 100")  # fmt: skip


@service_rule("K020", "more than one capacity group with a base, or every weight 0", CAPACITY_PROVIDERS)
def ec2_strategy_shape(svc: Service) -> Iterator[At]:
    shares = svc.capacity.ec2
    based = [i for i, share in enumerate(shares) if share.base]
    for i in based[1:]:
        yield At(f"capacity.ec2[{i}].base", f"capacity.ec2[{based[0]}] already has a base; ECS allows a base on "
                 "one provider of a strategy only: remove this one")  # fmt: skip
    if shares and not svc.capacity.daemon and not any(share.weight for share in shares):
        yield At("capacity.ec2", "every weight is 0: ECS needs one provider with a weight above 0")
    seen: set[str] = set()
    for i, share in enumerate(shares):
        if share.group in seen:
            yield At(f"capacity.ec2[{i}].group", f"group {share.group} is listed twice; list each group once")
        seen.add(share.group)


@service_rule("K021", "ephemeral_storage on EC2 (a Fargate setting)", EPHEMERAL_STORAGE)
def ephemeral_storage_on_fargate(svc: Service) -> Iterator[At]:
    if svc.on_ec2 and svc.ephemeral_storage is not None:
        yield At("ephemeral_storage", "ephemeral_storage sizes Fargate's task storage; on EC2 tasks use "
                 "the instance's root volume: set cluster.capacity_groups.<group>.root_volume.size_gib")  # fmt: skip


@service_rule("K022", "bridge networking with discovery", BRIDGE)
def bridge_without_discovery(svc: Service) -> Iterator[At]:
    """Cloud Map A records and Service Connect as built here publish each task's own address (awsvpc)."""
    if svc.network_mode == "bridge" and svc.discovery is not None:
        yield At("discovery", "discovery publishes each task's own IP address, which bridge-mode tasks do not "
                 "have: use network_mode awsvpc, or remove discovery")  # fmt: skip


@service_rule("K023", "task cpu on EC2 below 128 units", TASK_SIZE)
def ec2_task_cpu(svc: Service) -> Iterator[At]:
    if svc.on_ec2 and svc.cpu < MIN_EC2_CPU:
        yield At("cpu", f"cpu {svc.cpu}: a task on EC2 reserves at least {MIN_EC2_CPU} CPU units (0.125 vCPU)")
