"""fargate-stacks' generator: a params file in, a checked folder of CloudFormation templates out.

The folders are the pipeline, in the order data flows through them:

    params/       YAML -> validated models (the schema: types, ranges, unknown keys)
    plan/         the environment's plan, built once per run: routes with the lock, ALBs, network, tasks
    rules/        every check as a record (id, summary, AWS docs, function), by what it reads:
                  params/, plan/, rendered/ (the written templates, cfn-lint)
    stacks/       models + plan -> troposphere Templates (network, alb, cluster, service/ + partials)
    writer.py     Templates -> output/<env>/ (all or nothing)
    diagram/, cost/, environment_files.py   the picture and the monthly cost written beside the templates
    pipeline.py   the stages in order; generate.py is its command line

Shared by every stage: naming.py (every name: stacks, exports, logical ids,
account-unique resources), errors.py (how problems are reported), aws/ (AWS's
own limits and tables, with their documentation), contract/ (what
output/<env>/ holds: file names, the manifest, how to read a template; the
one part of the generator the deployer imports).

Nothing in this package reads environment variables; only params/ reads the
params file and its route lock, only writer.py and the rendered rules touch
output/, and generate.py writes the lock back (params/route_lock.py formats it).
"""
