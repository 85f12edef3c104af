"""Stage 3 of the pipeline: checks over a written folder of templates (and a few over the whole params).

findings        the ``Finding`` every check returns
lint            cfn-lint (AWS's own resource rules), on every core; lint_cache keeps findings by content
cross_stack     imports resolve, exports unique, no cycles (C0xx)
quotas          AWS quotas from params (Q0xx, exit 2) and from templates (Q1xx, exit 1)
limits          AWS size limits measured on the written templates (L1xx, exit 1)
capacity        private-subnet addresses vs the most tasks the environment may run (L014)
release_limits  quotas the release features add to (D005, D006)
security        guardrails checkov does not cover (H0xx)
"""
