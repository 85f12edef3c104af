"""Stage 1 of the pipeline: a params YAML file becomes a validated ``Environment``.

loader       YAML -> models, every error with file and key path
environment  the root model; service / platform / capabilities its parts
rules        rules combining several keys of a service, or several services
formats      single-value formats (ARNs, CIDRs, images); fargate: task sizes
schedules    cron/rate/at expressions; reference: the generated params reference
"""
