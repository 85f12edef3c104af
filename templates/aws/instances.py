"""EC2 instance types an ECS capacity group may use, and the ECS-optimized AMIs they boot, as data.

What each type offers a container instance: vCPUs, memory, architecture,
GPUs, and how many ``awsvpc`` tasks it can hold (each such task takes an
elastic network interface, and the instance's primary interface counts
against the limit).  The rules check task sizes, architectures and ENI
density against this table; the cost model prices its types
(``templates/cost/instance_prices.py``).  A type missing here is refused by
params (K001) rather than guessed: add it with its documented numbers.

Sources:
vCPUs, memory, GPUs and network interfaces per type:
  https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html (general purpose),
  https://docs.aws.amazon.com/ec2/latest/instancetypes/co.html (compute optimized),
  https://docs.aws.amazon.com/ec2/latest/instancetypes/mo.html (memory optimized),
  https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html (accelerated computing)
``awsvpc`` tasks per instance without and with ENI trunking ("Task limit without / with ENI trunking"):
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/eni-trunking-supported-instance-types.html
  (types that table does not list take no trunk: tasks = network interfaces - 1)
ECS-optimized AMIs as public SSM parameters:
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html
Memory a container instance registers (less than installed: kernel and platform overhead; an
m4.large with 8 GiB registers 7985 MiB):
  https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
"""

from __future__ import annotations

from dataclasses import dataclass

INSTANCE_TYPES_URL = "https://docs.aws.amazon.com/ec2/latest/instancetypes/gp.html"
ENI_TRUNKING_URL = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/eni-trunking-supported-instance-types.html"
)
ECS_AMI_URL = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/retrieve-ecs-optimized_AMI.html"
MEMORY_URL = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html"

# The ECS-optimized Amazon Linux 2023 AMIs: x86_64, ARM64, and the GPU variant (NVIDIA drivers,
# nvidia container runtime), which AWS publishes for x86_64 only.
AMI_PARAMETERS = {
    "x86_64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    "arm64": "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    "gpu": "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id",
}
GPU_ARCHITECTURES = ("x86_64",)
# The AL2023 ECS-optimized AMIs' root volume (/dev/xvda) is 30 GiB; a smaller volume cannot hold the snapshot.
ROOT_DEVICE = "/dev/xvda"
AMI_ROOT_GIB = 30

# Memory the agent registers is the installed memory less the kernel's and the platform's share; the
# documented m4.large registers 7985 of 8192 MiB (97.5 %).  97 % keeps a margin across types.
REGISTERED_MEMORY_RATIO = 0.97
# What our user data reserves for the OS and the ECS agent (ECS_RESERVED_MEMORY), never given to tasks.
RESERVED_MEMORY_MIB = 256


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_mib: int
    architecture: str  # x86_64 | arm64
    network_interfaces: int
    trunk_tasks: int | None = None  # awsvpc tasks with ENI trunking; None: the type takes no trunk
    gpus: int = 0

    @property
    def cpu_units(self) -> int:
        """What ECS calls the instance's CPU: 1024 units per vCPU."""
        return self.vcpus * 1024

    @property
    def task_memory_mib(self) -> int:
        """Memory the container instance offers tasks (registered memory less ``RESERVED_MEMORY_MIB``)."""
        return int(self.memory_mib * REGISTERED_MEMORY_RATIO) - RESERVED_MEMORY_MIB

    def awsvpc_tasks(self, trunking: bool) -> int:
        """``awsvpc`` tasks one instance holds: one ENI each, the primary interface taken by the instance."""
        if trunking and self.trunk_tasks is not None:
            return self.trunk_tasks
        return self.network_interfaces - 1


GIB = 1024


def _types(*rows: tuple[str, int, int, str, int, int | None, int]) -> dict[str, InstanceType]:
    return {row[0]: InstanceType(row[0], row[1], row[2] * GIB, row[3], row[4], row[5], row[6]) for row in rows}


X86, ARM = "x86_64", "arm64"
# name, vCPUs, memory GiB, architecture, network interfaces, awsvpc tasks with trunking, GPUs
INSTANCE_TYPES: dict[str, InstanceType] = _types(
    # burstable (no ENI trunking)
    ("t3.medium", 2, 4, X86, 3, None, 0),
    ("t3.large", 2, 8, X86, 3, None, 0),
    # general purpose
    ("m5.large", 2, 8, X86, 3, 10, 0),
    ("m5.xlarge", 4, 16, X86, 4, 20, 0),
    ("m5.2xlarge", 8, 32, X86, 4, 40, 0),
    ("m6i.large", 2, 8, X86, 3, 10, 0),
    ("m6i.xlarge", 4, 16, X86, 4, 20, 0),
    ("m6i.2xlarge", 8, 32, X86, 4, 40, 0),
    ("m6i.4xlarge", 16, 64, X86, 8, 60, 0),
    ("m6a.large", 2, 8, X86, 3, 10, 0),
    ("m6a.xlarge", 4, 16, X86, 4, 20, 0),
    ("m6a.2xlarge", 8, 32, X86, 4, 40, 0),
    ("m6g.large", 2, 8, ARM, 3, 10, 0),
    ("m6g.xlarge", 4, 16, ARM, 4, 20, 0),
    ("m6g.2xlarge", 8, 32, ARM, 4, 40, 0),
    ("m7g.large", 2, 8, ARM, 3, 10, 0),
    ("m7g.xlarge", 4, 16, ARM, 4, 20, 0),
    ("m7g.2xlarge", 8, 32, ARM, 4, 40, 0),
    # compute optimized
    ("c5.large", 2, 4, X86, 3, 10, 0),
    ("c5.xlarge", 4, 8, X86, 4, 20, 0),
    ("c6i.large", 2, 4, X86, 3, 10, 0),
    ("c6i.xlarge", 4, 8, X86, 4, 20, 0),
    ("c6i.2xlarge", 8, 16, X86, 4, 40, 0),
    ("c6i.4xlarge", 16, 32, X86, 8, 60, 0),
    ("c6g.large", 2, 4, ARM, 3, 10, 0),
    ("c6g.xlarge", 4, 8, ARM, 4, 20, 0),
    ("c7g.large", 2, 4, ARM, 3, 10, 0),
    ("c7g.xlarge", 4, 8, ARM, 4, 20, 0),
    # memory optimized
    ("r6i.large", 2, 16, X86, 3, 10, 0),
    ("r6i.xlarge", 4, 32, X86, 4, 20, 0),
    ("r6i.2xlarge", 8, 64, X86, 4, 40, 0),
    ("r6g.large", 2, 16, ARM, 3, 10, 0),
    ("r6g.xlarge", 4, 32, ARM, 4, 20, 0),
    # accelerated computing (NVIDIA T4: g4dn, which takes no ENI trunk; NVIDIA A10G: g5)
    ("g4dn.xlarge", 4, 16, X86, 3, None, 1),
    ("g4dn.2xlarge", 8, 32, X86, 3, None, 1),
    ("g4dn.4xlarge", 16, 64, X86, 3, None, 1),
    ("g4dn.12xlarge", 48, 192, X86, 8, None, 4),
    ("g5.xlarge", 4, 16, X86, 4, 6, 1),
    ("g5.2xlarge", 8, 32, X86, 4, 19, 1),
    ("g5.4xlarge", 16, 64, X86, 8, 40, 1),
    ("g5.12xlarge", 48, 192, X86, 15, 120, 4),
)


def instance_type(name: str) -> InstanceType | None:
    return INSTANCE_TYPES.get(name)


# Bridge mode's dynamic host ports come from the instance's ephemeral range (/proc/sys/net/ipv4/
# ip_local_port_range, 32768-60999 on Amazon Linux), or 49153-65535 where the kernel does not say;
# 32768-65535 covers both.  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html
EPHEMERAL_PORTS = (32768, 65535)
PORT_MAPPING_URL = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_PortMapping.html"
