"""One ECS container definition -> one params container, plus what could not be carried over.

Field names follow the ECS ``ContainerDefinition`` API:
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from templates.params.formats import PARTIAL_SECRET_MARKER, SECRET_SUFFIX, VALUE_FROM_ARN

# A CI placeholder in an image tag: $VAR, ${VAR}, {{var}}, <var>.
PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\{\{[^}]*\}\}|<[^>]+>")

# Fields ECS sets or defaults that say nothing when empty (describe-task-definition prints them).
_EMPTY_OK = ("mountPoints", "volumesFrom", "environmentFiles", "systemControls", "ulimits", "links")
_HANDLED = {
    "name", "image", "essential", "portMappings", "environment", "secrets", "command", "entryPoint",
    "healthCheck", "dependsOn", "readonlyRootFilesystem", "logConfiguration", "stopTimeout", "cpu",
}  # fmt: skip


@dataclass
class ContainerResult:
    container: dict[str, Any]
    where: str = ""  # its JSON path (containerDefinitions[i]), for messages about it
    placeholder: str | None = None  # the CI placeholder its image tag was, if any
    stop_timeout: int | None = None
    log_options: dict[str, str] = field(default_factory=dict)
    losses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def container_name(name: str) -> str:
    """Our container names are lowercase words joined by hyphens (ECS also allows _ and capitals)."""
    words = re.split(r"[^a-z0-9]+", name.lower())
    joined = "-".join(w for w in words if w)
    return joined if joined[:1].isalpha() else f"c-{joined}"


def split_image(image: str) -> tuple[str, str | None]:
    """(image to write, CI placeholder) — ``repo:$BITBUCKET_COMMIT`` becomes (``repo``, ``$BITBUCKET_COMMIT``)."""
    head, sep, tag = image.rpartition(":")
    if sep and "/" not in tag and PLACEHOLDER.search(tag):
        return head, tag
    return image, None


def convert_container(where: str, c: dict[str, Any], names: dict[str, str]) -> ContainerResult:
    image, placeholder = split_image(str(c.get("image", "")))
    out: dict[str, Any] = {"name": names[c["name"]], "image": image}
    result = ContainerResult(out, where, placeholder)
    if c["name"] != out["name"]:
        result.losses.append(f"{where}.name: {c['name']!r} renamed {out['name']!r} (lowercase words and hyphens)")
    if c.get("essential") is False:
        out["essential"] = False
    _ports(where, c.get("portMappings") or [], out, result.losses)
    if c.get("environment"):
        out["environment"] = {e["name"]: str(e.get("value", "")) for e in c["environment"]}
    _secrets(where, c.get("secrets") or [], out, result)
    for ours, theirs in (("command", "command"), ("entrypoint", "entryPoint")):
        if c.get(theirs):
            out[ours] = list(c[theirs])
    if c.get("healthCheck"):
        check = c["healthCheck"]
        keys = {"command": "command", "interval": "interval", "timeout": "timeout", "retries": "retries"}
        out["health_check"] = {ours: check[k] for ours, k in keys.items() if k in check}
        if "startPeriod" in check:
            out["health_check"]["start_period"] = check["startPeriod"]
    if c.get("dependsOn"):
        out["depends_on"] = {names.get(d["containerName"], d["containerName"]): d["condition"] for d in c["dependsOn"]}
    if "readonlyRootFilesystem" in c:
        out["readonly_root_filesystem"] = bool(c["readonlyRootFilesystem"])
    result.stop_timeout = c.get("stopTimeout")
    result.log_options = _logs(where, c.get("logConfiguration"), result.losses)
    if c.get("cpu"):
        result.losses.append(f"{where}.cpu: {c['cpu']} units for this container (only the task size is set here)")
    result.losses += _unrepresentable(where, c)
    return result


def _ports(where: str, mappings: list[dict[str, Any]], out: dict[str, Any], losses: list[str]) -> None:
    ports = []
    for i, mapping in enumerate(mappings):
        port = mapping.get("containerPort")
        if mapping.get("protocol", "tcp") != "tcp":
            losses.append(f"{where}.portMappings[{i}]: protocol {mapping['protocol']} (only TCP ports here)")
            continue
        if mapping.get("hostPort") not in (None, port):
            losses.append(
                f"{where}.portMappings[{i}]: hostPort {mapping['hostPort']} differs from containerPort {port} "
                "(awsvpc: the host port is the container port)"
            )
        extra = sorted(set(mapping) - {"containerPort", "hostPort", "protocol"})
        if extra:
            losses.append(f"{where}.portMappings[{i}]: {', '.join(extra)} (set discovery: for Service Connect names)")
        if port is not None and port not in ports:
            ports.append(port)
    if ports:
        out["port"] = ports[0]
    if ports[1:]:
        out["extra_ports"] = ports[1:]


def _secret_value(where: str, value: str, result: ContainerResult) -> str:
    """A Secrets Manager ARN without the 6-character suffix is partial: ECS resolves it, but params must mark
    it (``<name>-??????``, IAM's wildcard for the suffix) or generate.py refuses it (L015); say so."""
    parts = value.split(":")
    if ":secretsmanager:" not in value or len(parts) < 7:
        return value
    name = parts[6]
    if name.endswith(PARTIAL_SECRET_MARKER) or SECRET_SUFFIX.search(name):
        return value
    parts[6] = name + PARTIAL_SECRET_MARKER
    marked = ":".join(parts)
    result.notes.append(
        f"{where}.valueFrom {value!r} is a partial secret ARN (no -<6 characters> suffix): written as {marked!r}, "
        "which grants every secret of that name plus a suffix; copy the full ARN to grant exactly one"
    )
    return marked


def _secrets(where: str, secrets: list[dict[str, Any]], out: dict[str, Any], result: ContainerResult) -> None:
    kept = {}
    for i, secret in enumerate(secrets):
        value = str(secret.get("valueFrom", ""))
        if re.match(VALUE_FROM_ARN, value):
            kept[secret["name"]] = _secret_value(f"{where}.secrets[{i}]", value, result)
        else:
            result.losses.append(
                f"{where}.secrets[{i}]: {secret.get('name')} reads {value!r}, not a full Secrets Manager or SSM "
                "parameter ARN (write the ARN: the execution role is scoped to it)"
            )
    if kept:
        out["secrets"] = kept


def _logs(where: str, config: dict[str, Any] | None, losses: list[str]) -> dict[str, str]:
    """awslogs options (their group name matters to whoever reads the logs); anything else is a loss."""
    if not config:
        return {}
    if config.get("logDriver") != "awslogs":
        losses.append(f"{where}.logConfiguration: log driver {config.get('logDriver')} (every container uses awslogs)")
        return {}
    options = dict(config.get("options") or {})
    known = {
        "awslogs-group",
        "awslogs-region",
        "awslogs-stream-prefix",
        "awslogs-create-group",
        "mode",
        "max-buffer-size",
    }
    for key in sorted(set(options) - known):
        losses.append(f"{where}.logConfiguration.options.{key}: {options[key]} (not configurable here)")
    if config.get("secretOptions"):
        losses.append(f"{where}.logConfiguration.secretOptions (not configurable here)")
    return options


def _unrepresentable(where: str, c: dict[str, Any]) -> list[str]:
    losses = []
    for key in sorted(set(c) - _HANDLED):
        value = c[key]
        if value in (None, [], {}, "") or (key in _EMPTY_OK and not value):
            continue
        losses.append(f"{where}.{key}: {value!r} (not supported by fargate-stacks)")
    return losses
