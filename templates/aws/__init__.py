"""AWS's own rules and limits, as data, each with the documentation it comes from.

Shared by every stage (params, plan, rules, stacks, the importer), and
importing nothing of the project: a fact is written down once, here, and the
code that acts on it (a rule in ``templates/rules``, the allocator in
``templates/plan``) cites it.

    fargate      the Fargate task-size table (CPU units -> memory sizes)
    quotas       ALB, security-group and CloudFormation quotas
    privatelink  VPC endpoint service names, and which serve an IAM action prefix
    cloudwatch   how long a window an alarm may evaluate
    fargate   the Fargate task-size table (CPU units -> memory sizes)
    quotas    ALB, security-group and CloudFormation quotas
    instances EC2 instance types for capacity groups (vCPU, memory, GPUs, ENIs) and the ECS-optimized AMIs
"""
