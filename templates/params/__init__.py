"""Stage 1 of the pipeline: a params YAML file becomes a validated ``Environment``.

Reading the file
    loader       YAML -> models, every error with file and key path
    source       the file as written (so messages quote ``0755``, not 493)
    messages     pydantic's errors as messages a person can act on
    route_lock   the route lock beside the params file (priorities and ALBs)

The models
    environment  the root model; platform (VPC, ALB, cluster) and brownfield (what already exists)
    service      one service; capabilities, releases (alarms, blue/green, logs), names (overrides)
    formats, fargate, schedules   single values: ARNs, CIDRs, images; task sizes; cron/rate/at

Rules over several keys, each with a stable id
    rules (S0xx), release_rules (D0xx), limits, aws_names, alarms (L0xx), name_overrides (names people depend on)
    reading      the checks made while reading the file (P001-P009, R007), before any model exists

Around the params
    reference    the generated params reference (docs/params-reference.md)
    importer, import_container   an ECS task definition -> a params service entry (import_task.py)
"""
