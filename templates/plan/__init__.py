"""Stage 2 of the pipeline: the environment's plan, built once per run and read by every later stage.

    build        ``build_plan(env, lock)`` -> ``EnvironmentPlan``: the one entry point
    model        the plan as plain data: routes, test routes, ALBs, network, tasks, and what could not be placed
    routes       routes -> listener rules: path patterns, specificity bands, priorities kept by the lock
    priorities   the allocator: a free slot in the route's specificity band, kept for as long as the route lives
    shards       which ALB serves which hosts when one listener is not enough
    green_routes the test rules of blue/green services, placed just before their route
    keys         a route's identity (host + path patterns), shared by the modules above
    network      subnets, NAT gateways, VPC endpoints, the ports the ALBs listen on and forward to
    endpoints    what tasks must reach in AWS, and the interface endpoints that carries
    tasks        task counts per service: at rest, at scaling maxima, at a deploy's peak, and the Spot split
    compute      where each service runs (Fargate or EC2 capacity groups) and what each group holds

Pure functions of the params and the lock file's contents: nothing here
reads files (``params/route_lock.py`` does).  What the plan cannot place is
data too; the rules in ``templates/rules/plan/`` turn it into messages.
"""
