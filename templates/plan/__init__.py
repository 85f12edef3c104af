"""Between params and stacks: where each route goes on which load balancer.

    plan         routes -> listener rules (``RulePlan``): patterns, conflicts, the rule list
    priorities   the allocator: a free slot in the route's specificity band, kept by the lock
    shards       which ALB serves which hosts when one listener is not enough
    blue_green   the test rules of blue/green services, placed just before their route
    keys         a route's identity (host + path patterns), shared by the modules above

Pure functions of the params and the lock file's contents: nothing here
reads files (``params/route_lock.py`` does).
"""
