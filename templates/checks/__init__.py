"""Checks over a written folder of templates (moving into ``templates/rules/rendered``).

findings        the ``Finding`` every check returns
lint            cfn-lint (AWS's own resource rules), on every core; lint_cache keeps findings by content
cross_stack     imports resolve, exports unique, no cycles (C0xx)
quotas          AWS quotas of the rendered templates (Q1xx, exit 1); Q005 across params files
limits          AWS size limits measured on the written templates (L1xx, exit 1)
security        guardrails checkov does not cover (H0xx)
"""
