"""The service stack (``stack.build_service``) and its partials, one concern per module:
task definition, logs, IAM (in ``stacks.iam``), load balancing, DNS aliases, discovery,
scaling, capacity providers and EventBridge schedules."""
