"""What a container instance of a capacity group is: its role, security group, and launch template.

* The instance role holds the AWS-managed ECS container-instance policy
  (register with the cluster, pull images, ship the agent's logs) and the
  five actions Session Manager needs, nothing more: no SSH keys, no open port.
* The security group opens nothing by itself; bridge-mode targets get the
  ALB's ingress on the ephemeral port range (``groups.add_bridge_ingress``).
* The launch template boots the ECS-optimized AMI that AWS names in a public
  SSM parameter (resolved on every deploy: a new AMI rolls the group), with
  IMDSv2 required and one hop (containers cannot reach the instance's
  credentials), no public IP, an encrypted root volume, and user data that
  joins the cluster.  The cluster's name comes from ``Ref Cluster`` in this
  same stack; the capacity providers are associated by a resource of their
  own, so no circle forms.
"""

from __future__ import annotations

from awacs import ssm, ssmmessages, sts
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from troposphere import Base64, GetAtt, Parameter, Ref, Sub, Tags, Template, ec2, iam

from templates.aws.instances import AMI_PARAMETERS, ROOT_DEVICE
from templates.naming import (
    CAPACITY_GROUP_ATTRIBUTE,
    ExportKey,
    ami_parameter_name,
    capacity_logical_id,
    import_value,
)
from templates.params.capacity_groups import CapacityGroup
from templates.params.environment import Environment
from templates.stacks.common import tags

ECS_INSTANCE_POLICY = "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"
# Session Manager's minimal instance permissions (Systems Manager User Guide, "custom IAM role for Session
# Manager"); the four channel actions take no resource-level permission, so their Resource is "*".
SESSION_CHANNELS = ("CreateControlChannel", "CreateDataChannel", "OpenControlChannel", "OpenDataChannel")
HOP_LIMIT = 1  # IMDSv2 responses die after one hop: the agent (host network) reaches IMDS, bridge containers do not


def ami_kind(group: CapacityGroup) -> str:
    """Which ECS-optimized AMI a group boots: ``gpu``, else its architecture."""
    return "gpu" if group.gpu else group.architecture


def add_ami_parameters(t: Template, env: Environment) -> list[str]:
    """One SSM-typed parameter per kind of AMI the groups boot; CloudFormation resolves it on every deploy."""
    names = []
    for kind in sorted({ami_kind(g) for g in env.cluster.capacity_groups.values()}):
        name = ami_parameter_name(kind)
        t.add_parameter(
            Parameter(
                name,
                Type="AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>",
                Default=AMI_PARAMETERS[kind],
                Description=f"Public SSM parameter naming the recommended ECS-optimized AMI ({kind}); each deploy "
                "resolves it again, and a new AMI replaces the group's instances (instance refresh)",
            )
        )
        names.append(name)
    return names


def add_instance_role(t: Template, env: Environment) -> iam.InstanceProfile:
    """One role and instance profile for every group: the ECS instance policy and Session Manager."""
    session = Statement(
        Sid="SessionManagerRegistration",
        Effect=Allow,
        Action=[ssm.UpdateInstanceInformation],
        Resource=[Sub("arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*")],
    )
    channels = Statement(
        Sid="SessionManagerChannels",
        Effect=Allow,
        Action=[getattr(ssmmessages, action) for action in SESSION_CHANNELS],
        Resource=["*"],
    )
    role = t.add_resource(
        iam.Role(
            "InstanceRole",
            Description=f"{env.project}-{env.environment} ECS container instances: join the cluster, Session Manager",
            AssumeRolePolicyDocument=PolicyDocument(
                Version="2012-10-17",
                Statement=[
                    Statement(
                        Effect=Allow, Principal=Principal("Service", "ec2.amazonaws.com"), Action=[sts.AssumeRole]
                    )
                ],
            ),
            ManagedPolicyArns=[Sub(ECS_INSTANCE_POLICY)],
            Policies=[
                iam.Policy(
                    PolicyName="session-manager",
                    PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[session, channels]),
                )
            ],
            Tags=tags(env),
        )
    )
    return t.add_resource(iam.InstanceProfile("InstanceProfile", Roles=[Ref(role)]))


def group_tags(env: Environment, name: str) -> Tags:
    """The environment's tags and the group's name, on everything a group owns."""
    return tags(env, **{CAPACITY_GROUP_ATTRIBUTE: name})


def add_instance_security_group(t: Template, env: Environment, name: str) -> ec2.SecurityGroup:
    return t.add_resource(
        ec2.SecurityGroup(
            capacity_logical_id(name, "InstanceSecurityGroup"),
            GroupDescription=f"{env.project}-{env.environment} container instances of capacity group {name}",
            VpcId=import_value(ExportKey.VPC_ID),
            Tags=group_tags(env, name),
        )
    )


def user_data(name: str, group: CapacityGroup) -> Base64:
    """ecs.config: join the cluster, name the group (daemons are placed by it), keep tasks off IMDS."""
    settings = [
        "ECS_CLUSTER=${Cluster}",
        f'ECS_INSTANCE_ATTRIBUTES={{"{CAPACITY_GROUP_ATTRIBUTE}":"{name}"}}',
        "ECS_RESERVED_MEMORY=256",
        "ECS_AWSVPC_BLOCK_IMDS=true",
    ]
    if group.spot_percentage:
        settings.append("ECS_ENABLE_SPOT_INSTANCE_DRAINING=true")  # drain on the two-minute Spot notice
    if group.gpu:
        settings.append("ECS_ENABLE_GPU_SUPPORT=true")
    script = "#!/bin/bash\ncat >> /etc/ecs/ecs.config <<'EOF'\n" + "\n".join(settings) + "\nEOF\n"
    return Base64(Sub(script))


def _root_volume(group: CapacityGroup) -> ec2.LaunchTemplateBlockDeviceMapping:
    volume = group.root_volume
    optional = {"KmsKeyId": volume.kms_key_arn} if volume.kms_key_arn else {}
    return ec2.LaunchTemplateBlockDeviceMapping(
        DeviceName=ROOT_DEVICE,
        Ebs=ec2.EBSBlockDevice(
            Encrypted=True,
            VolumeSize=volume.size_gib,
            VolumeType=volume.type,
            DeleteOnTermination=True,
            **optional,
        ),
    )


def add_launch_template(
    t: Template,
    env: Environment,
    name: str,
    group: CapacityGroup,
    profile: iam.InstanceProfile,
    security_group: ec2.SecurityGroup,
) -> ec2.LaunchTemplate:
    instance_tags = [
        ec2.TagSpecifications(ResourceType=kind, Tags=group_tags(env, name)) for kind in ("instance", "volume")
    ]
    return t.add_resource(
        ec2.LaunchTemplate(
            capacity_logical_id(name, "LaunchTemplate"),
            LaunchTemplateData=ec2.LaunchTemplateData(
                ImageId=Ref(ami_parameter_name(ami_kind(group))),
                IamInstanceProfile=ec2.IamInstanceProfile(Arn=GetAtt(profile, "Arn")),
                MetadataOptions=ec2.MetadataOptions(
                    HttpEndpoint="enabled", HttpTokens="required", HttpPutResponseHopLimit=HOP_LIMIT
                ),
                NetworkInterfaces=[
                    ec2.NetworkInterfaces(
                        DeviceIndex=0,
                        AssociatePublicIpAddress=False,
                        DeleteOnTermination=True,
                        Groups=[Ref(security_group)],
                    )
                ],
                BlockDeviceMappings=[_root_volume(group)],
                UserData=user_data(name, group),
                TagSpecifications=instance_tags,
            ),
            TagSpecifications=[ec2.TagSpecifications(ResourceType="launch-template", Tags=group_tags(env, name))],
        )
    )
