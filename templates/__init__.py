"""fargate-stacks' generator: a params file in, a checked folder of CloudFormation templates out.

The folders are the pipeline, in the order data flows through them:

    params/       YAML -> validated models (schema, rules, loader, reference)
    plan/         the environment's plan, built once per run: routes with the lock, ALBs, network, tasks
    rules/        every check as a record (id, summary, AWS docs, function); run over params, plan, templates
    stacks/       models -> troposphere Templates (network, alb, cluster, service/ + partials)
    writer.py     Templates -> output/<env>/ (all or nothing)
    checks/       written templates -> findings (cfn-lint, cross-stack, quotas, limits, security)
    diagram/, cost/, environment_files.py  the picture and the monthly cost written beside the templates
    pipeline.py   the stages in order; generate.py is its command line

Shared by every stage: naming.py (every name: stacks, exports, logical ids,
account-unique resources), errors.py (bad params -> exit 2), stack_graph.py
(exports/imports between written templates; the deployer uses it too).

Nothing in this package reads environment variables; only params/ reads the
params file and its route lock, only writer.py and checks/ touch output/, and
generate.py writes the lock back (params/route_lock.py formats it).
"""
