"""Stage 3 of the pipeline: checks over a written folder of templates (and a few over params).

findings     the ``Finding`` every check returns
lint         cfn-lint (AWS's own resource rules)
cross_stack  imports resolve, exports unique, no cycles (C0xx)
quotas       AWS quotas from params (Q0xx, exit 2) and from templates (Q1xx, exit 1)
security     guardrails checkov does not cover (H0xx)
"""
