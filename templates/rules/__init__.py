"""Stage 3 of the pipeline: every check, one record each (id, summary, AWS documentation, function).

    registry   the Rule record, the decorators that declare one, ``rules()`` listing them all
    run        runs them by what they read; every problem once, at the key where it was written
    reference  docs/checks.md and docs/limits.md tables, generated from the records
    params/    rules over one service's params, or the whole params file
    plan/      rules over the plan: routes, ALBs, endpoints, task counts
    rendered/  rules over the written templates: quotas, sizes, wiring, guardrails, cfn-lint

Where a new rule goes: by what it must read.  A value or a combination of one
service's keys -> ``params/``; anything that needs where routes and ALBs ended
up, the endpoints or the task counts -> ``plan/``; anything only the JSON
shows (sizes, resource counts) -> ``rendered/``.  Declare it with its id and
the AWS page it encodes (``registry``); docs/checks.md and docs/limits.md are
generated from the records (``make golden``).
"""
