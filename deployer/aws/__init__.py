"""Every call to AWS, and nothing else: the one room that imports boto3.

The rest of the deployer works on the plain data these modules return, so
retries, readable errors and the permissions a deploy role needs have one
home.

- ``clients``: the run's clients, botocore's retries, the hook of the run's pacing, timing, readable errors
- ``waiting``: botocore's waiters asked one poll at a time, so Ctrl-C ends a wait at once
- ``cloudformation``: every CloudFormation call, one function per API action
- ``elbv2``: load balancers, listener rules and target health, read (routing table, shared listeners, rollouts)
- ``ecs``: services and their tasks, read while a service stack rolls out (and to name what failed)
- ``cloudwatch``: deployment alarms, read when one rolled a service back
- ``ec2``: the existing VPC, subnets and route tables the brownfield pre-check reads
- ``s3``: templates over the inline limit, uploaded to ``--bucket``
"""
