"""Every call to AWS, and nothing else: the one room that imports boto3.

The rest of the deployer works on the plain data these modules return, so
retries, readable errors and the permissions a deploy role needs have one
home.

- ``clients``: the run's clients, botocore's retries, the hook of the run's pacing, timing, readable errors
- ``waiting``: botocore's waiters asked one poll at a time, so Ctrl-C ends a wait at once
- ``cloudformation``: every CloudFormation call, one function per API action
- ``elbv2``: load balancers, listeners and their rules, certificates and target health, read (routing table,
  shared listeners, rollouts)
- ``acm``: the names a shared listener's certificates cover
- ``ec2``: the existing VPC, subnets, route tables and gateway endpoints the brownfield pre-check reads
- ``cloudwatch``: deployment alarms, read when one rolled a service back
- ``s3``: templates over the inline limit, uploaded to ``--bucket``
- ``permissions``: the IAM actions those calls need, read off the service modules' code, with their scope
- ``ecs``: clusters, services, task definitions and tasks, read to adopt them, find the ones a new stack names
  and follow a service stack's rollout (and name what failed)
- ``logs``: log groups, read to adopt them or find the ones a new stack names (a teardown retains them)
- ``application_autoscaling``: a service's scalable target and policies, read to adopt its scaling
- ``sts``: who the credentials are (account, user or role), for the review's header and ``--expect-account``
- ``iam``: the account's alias, shown beside its id; a task role's policies, read to adopt them
"""
