"""Rules that read the plan: where routes, ALBs, endpoints and tasks ended up.

routes     R001-R003 routes claiming the same requests; R005, R006, Q001-Q003 what could not be placed
albs       Q004, D005, D006 quotas of each ALB and its security group
releases   D004 blue/green test-rule priorities
network    P011 egress without NAT, L014 addresses for every task and EC2 instance
capacity   L042 ENI density of awsvpc tasks on EC2 capacity groups, L044 trunking on types without it
"""

from templates.rules.plan import albs, blue_green, capacity, network, routes

__all__ = ["albs", "blue_green", "capacity", "network", "routes"]
