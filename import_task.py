"""Convert an ECS task definition JSON into a params service entry (YAML on stdout).

    python import_task.py task-definition.json                 # register-task-definition input
    aws ecs describe-task-definition --task-definition api > td.json && python import_task.py td.json
    python import_task.py td.json --name api --host api.example.com --path /api

Everything the task definition says that fargate-stacks cannot represent is
listed on stderr, one line each, and the exit code is 2 (nothing on stdout)
unless --accept-loss is given. Sizes Fargate cannot run are refused (exit 2)
with the Fargate size table. Paste the printed entry under ``services:``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

from importer.task_definition import Conversion, ImportRefused, convert
from templates.params.service import Service
from templates.rules.run import service_problems


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="task definition JSON (register input or describe output)")
    parser.add_argument("--name", help="service name (default: from the family)")
    parser.add_argument("--host", help="route host: puts the service behind the ALB")
    parser.add_argument("--path", help="route path prefix: puts the service behind the ALB")
    parser.add_argument("--accept-loss", action="store_true", help="print the entry even if fields are lost")
    return parser.parse_args(argv)


def entry(conversion: Conversion, host: str | None, path: str | None) -> dict[str, object]:
    service = dict(conversion.service)
    if host or path:
        route = {k: v for k, v in (("host", host), ("path", path)) if v}
        service["routes"] = [route]
    return service


def _from_json(path: str) -> str:
    """A params key path with the JSON field it came from: containers[i] is containerDefinitions[i]."""
    match = re.match(r"^containers\[(\d+)\]", path)
    return f"{path} (from containerDefinitions[{match[1]}])" if match else path


def check(name: str, service: dict[str, object]) -> tuple[list[str], list[str]]:
    """(errors, warnings) of the entry as params would validate it: model and per-service rules."""
    try:
        svc = Service.model_validate({"name": name, **service})
    except ValidationError as exc:
        errors = [f"{_from_json('.'.join(map(str, e['loc'])) or name)}: {e['msg']} (found {e.get('input')!r})"
                  for e in exc.errors()]  # fmt: skip
        return errors, []
    prefix = f"services.{name}."
    found = [(f"{_from_json(p.path.removeprefix(prefix))}: {p.message} [{p.check_id}]", p.is_error)
             for p in service_problems(name, svc)]  # fmt: skip
    return [line for line, error in found if error], [line for line, error in found if not error]


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        document = json.loads(args.file.read_text())
        conversion = convert(document, args.name)
    except (OSError, ValueError) as exc:
        print(f"error: {args.file}: cannot read a task definition ({exc})", file=sys.stderr)
        return 2
    except ImportRefused as exc:
        print(f"error: {args.file}: {exc}", file=sys.stderr)
        return 2
    service = entry(conversion, args.host, args.path)
    problems, warnings = check(conversion.name, service)
    if problems:
        print(f"error: {args.file}: the converted entry is not valid params:", file=sys.stderr)
        print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
        return 2
    for warning in warnings:
        print(f"warning: {args.file}: {warning}", file=sys.stderr)
    for loss in conversion.losses:
        print(f"{args.file}: not carried over: {loss}", file=sys.stderr)
    if conversion.losses and not args.accept_loss:
        print(f"{len(conversion.losses)} field(s) would be lost; re-run with --accept-loss to accept", file=sys.stderr)
        return 2
    header = [f"# Imported from {args.file.name} (family {conversion.family})."]
    header += [f"# {note}" for note in conversion.notes]
    body = yaml.safe_dump({"services": {conversion.name: service}}, sort_keys=False, default_flow_style=False)
    print("\n".join(header) + "\n" + body, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
