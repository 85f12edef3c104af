"""Adopt what already runs: read a cluster's services and write the params that describe them as they are.

    python adopt.py --cluster demo --project shop --environment prod            # every service of the cluster
    python adopt.py --cluster demo --services auth,users --project shop --environment prod --accept-loss
    python adopt.py --cluster demo ... --snapshot world.json                     # also save what was read
    python adopt.py --from-snapshot world.json --project shop --environment prod # offline, from a saved read

Writes params/ENV.yaml (every generated name equal to the live one), its
route lock params/ENV.lock.yaml (the live rule priorities, pinned) and
params/ENV.adopt.yaml, the adoption file for ``deploy.py --adopt``, which
imports the live resources and then updates them to the templates
(docs/adopting.md).  Reads only: nothing in the account changes.

Everything the params cannot express is listed on stderr, one line each;
then the exit code is 2 and nothing is written unless --accept-loss is given
(as import_task.py does).  Exit codes: 0 written; 1 AWS could not be read;
2 bad flags, losses not accepted, or params that would not validate.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import yaml

from deployer.aws.clients import AWS_ERRORS, make_clients, one_line
from deployer.errors import UsageError
from deployer.run.discover import discover
from importer.live_environment import Adoption, adopt
from importer.task_definition import ImportRefused
from templates.errors import ParamsError
from templates.params.route_lock import lock_path, write_lock
from templates.pipeline import load

ROOT = Path(__file__).resolve().parent
ADOPTION_SUFFIX = ".adopt.yaml"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cluster", help="the ECS cluster to adopt")
    parser.add_argument("--services", default="", help="comma-separated service names (default: every active one)")
    parser.add_argument("--project", required=True, help="project name of the params file")
    parser.add_argument("--environment", required=True, help="environment name of the params file")
    parser.add_argument("--out", type=Path, help="params file to write (default params/ENVIRONMENT.yaml)")
    parser.add_argument("--region", help="region (default: boto3's)")
    parser.add_argument("--profile", help="AWS profile")
    parser.add_argument("--snapshot", type=Path, help="also write what was read to this JSON file")
    parser.add_argument("--from-snapshot", type=Path, help="convert a saved snapshot instead of reading AWS")
    parser.add_argument("--accept-loss", action="store_true", help="write the params even if settings are lost")
    parser.add_argument("--force", action="store_true", help="overwrite an existing params file")
    args = parser.parse_args(argv)
    if not args.cluster and not args.from_snapshot:
        parser.error("--cluster is required (or --from-snapshot)")
    return args


def read(args: argparse.Namespace) -> dict[str, object]:
    """The snapshot: from the file, or read from AWS (and saved when asked)."""
    if args.from_snapshot:
        return json.loads(args.from_snapshot.read_text())
    import boto3  # the region boto3 would use, when --region is not given

    region = args.region or boto3.Session(profile_name=args.profile).region_name
    if not region:
        raise UsageError("no region: pass --region or configure one")
    clients = make_clients(args.profile, region)
    names = [name.strip() for name in args.services.split(",") if name.strip()]
    snapshot = discover(clients, region, args.cluster, names or None)
    if args.snapshot:
        args.snapshot.write_text(json.dumps(snapshot, indent=2, default=str) + "\n")
    return snapshot


def validate(adoption: Adoption, name: str) -> list[str]:
    """The params as generate.py will read them (every rule, with the lock): problems, one line each."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(yaml.safe_dump(adoption.params, sort_keys=False))
        write_lock(lock_path(path), adoption.lock, name)
        try:
            load(path)
        except ParamsError as exc:
            return [p.render() for p in exc.problems]
    return []


def write(adoption: Adoption, out: Path) -> Path:
    """The params file (with a header saying where it came from), its lock, and the adoption file."""
    source = f"cluster {adoption.record['cluster']} in {adoption.record['region']}"
    header = [f"# Adopted by adopt.py from {source}: every name is the live one, every rule keeps its priority."]
    header += [f"# {note}" for note in adoption.notes]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(header) + "\n" + yaml.safe_dump(adoption.params, sort_keys=False, width=120))
    write_lock(lock_path(out), adoption.lock, out.name)
    record = out.with_name(out.stem + ADOPTION_SUFFIX)
    comment = f"# Written by adopt.py from {source}: what deploy.py --adopt imports, and what stays outside.\n"
    record.write_text(comment + yaml.safe_dump(adoption.record, sort_keys=False, width=120))
    return record


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out or ROOT / "params" / f"{args.environment}.yaml"
    if out.exists() and not args.force:
        print(f"error: {out} exists; pass --force to replace it, or --out another file", file=sys.stderr)
        return 2
    try:
        snapshot = read(args)
        adoption = adopt(snapshot, args.project, args.environment)
    except UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ImportRefused as exc:
        print(f"error: a service cannot run on Fargate as it is: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot read the snapshot: {exc}", file=sys.stderr)
        return 2
    except AWS_ERRORS as exc:
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 1
    return finish(adoption, out, args.accept_loss)


def finish(adoption: Adoption, out: Path, accept_loss: bool) -> int:
    """Refuse params that would not validate and losses not accepted; otherwise write and say what next."""
    for loss in adoption.losses:
        print(f"not carried over: {loss}", file=sys.stderr)
    if adoption.losses and not accept_loss:
        print(f"{len(adoption.losses)} setting(s) would be lost; re-run with --accept-loss to accept", file=sys.stderr)
        return 2
    problems = validate(adoption, out.name)
    if problems:
        print("error: the adopted params do not validate (nothing written):", file=sys.stderr)
        print("\n".join(f"  {p}" for p in problems), file=sys.stderr)
        return 2
    record = write(adoption, out)
    env = adoption.params["environment"]
    print(f"wrote {out}, {lock_path(out)} and {record}")
    print(f"next: python generate.py --params {out} --out output/{env}")
    print(f"      python deploy.py --env {env} --dir output/{env} --adopt {record}   # review, then --execute")
    return 0


if __name__ == "__main__":
    sys.exit(main())
