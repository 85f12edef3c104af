"""Stage 4 of the pipeline: pure ``build_*(env, plan) -> Template`` functions, one stack each.

    network, alb, cluster  the shared stacks, wired to the services by exports
    alb_shards             one ALB stack per shard (alb, alb-2, ...; internal ones too)
    existing_network, existing_alb   brownfield: re-export what the account already has
    endpoints              VPC endpoints for NAT-free private subnets
    service/               one stack per service, composed from one partial per concern
    capacity_groups/       EC2 capacity groups in the cluster stack: instances, Auto Scaling groups, providers
    iam                    the roles (task, execution, schedule, flow logs)
    common, metadata       template skeleton, tags, exports, console groups; Metadata for reviewers
    deploy_lock            the deploy lock's one-resource template (the deployer's environment lock; never executed)

Nothing here reads files or the environment: a builder takes the validated
params and the environment's plan (``templates.plan``; built afresh when a
test calls a builder without one) and returns a troposphere ``Template``.
"""
