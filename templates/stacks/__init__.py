"""Stage 2 of the pipeline: pure ``build_*(env) -> Template`` functions, one stack each.

    network, alb, cluster  the shared stacks, wired to the services by exports
    service/               one stack per service, composed from one partial per concern
    iam                    the roles (task, execution, schedule, flow logs)
    common                 template skeleton, tags, exports, console parameter groups

Nothing here reads files or the environment: a builder takes the validated
params and returns a troposphere ``Template``.
"""
