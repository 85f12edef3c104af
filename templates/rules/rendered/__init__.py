"""Rules that read the templates as written to output/<env>/ (``contract.rendered.RenderedFolder``).

quotas      Q101-Q107 CloudFormation's quotas: resources, parameters, outputs, size, names, exports
sizes       L101, L102 sizes ECS and IAM count: task definitions, inline policies
wiring      C001-C003 imports resolve, exports unique, no cycles
security    H001-H003 guardrails checkov does not cover
instances   K024 EC2 container instances: IMDSv2, no public IP, encrypted volumes
lint        cfn-lint on every core (its own E/W ids); lint_cache keeps its findings by template content
"""

from templates.rules.rendered import drawing, instances, lint, security, sizes, template_quotas, wiring

__all__ = ["drawing", "instances", "lint", "security", "sizes", "template_quotas", "wiring"]
