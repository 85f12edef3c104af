"""Stage 1 of the pipeline: a params YAML file becomes a validated ``Environment``.

The models are the schema (types, ranges, patterns, unknown keys); what AWS
or the tool accepts beyond it is a rule in ``templates/rules/``.

Reading the file
    loader       YAML -> a document (defaults folded in) -> the models, every error with file and key path
    reading      the checks made while reading (P001-P009, R007), before any model exists
    source       the file as written (so messages quote ``0755``, not 493)
    messages     pydantic's errors as messages a person can act on; problems moved to ``defaults``
    route_lock   the route lock beside the params file (priorities and ALBs)

The models
    environment  the root model; platform (VPC, ALB, cluster), brownfield (what already exists),
                 capacity_groups (EC2 capacity in the cluster, a service's share of it)
    service      one service; capabilities, releases (alarms, blue/green, logs), name_overrides
    formats, strict   single values (ARNs, CIDRs, images, names) and the strict base model

    reference    the generated params reference (docs/params-reference.md)
"""
