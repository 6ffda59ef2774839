"""`shop-ops`: the operations commands both pipelines call.

    shop-ops manifest create --bake-metadata F --registry R --commit C --out release-manifest.json
    shop-ops manifest images --manifest F            # one `registry/repo@sha256:...` per line
    shop-ops manifest approval-request --manifest F --env prod --release-id ID --requested-by WHO \
        --run-url URL --out request.json
    shop-ops deploy --env dev --manifest F           # apply by digest, wait for rollouts, record
    shop-ops rollback --env dev --failed-manifest F  # back to the last good recorded release
    shop-ops health --env dev                        # /health and /ready of every service: table + exit code
    shop-ops target-file --env dev                   # the `shopctl replay --target` file of an environment

Exit codes: 0 done, 1 failed, 2 refused input (unknown environment, missing manifest), 3 az login,
4 a rollout that did not finish (the pipelines roll back on it).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from shopops import approval_request, deploy, health, manifest, target_file
from shopops.cli_tools import AzureCli, CommandLine
from shopops.environments import DEFAULT_FILE, load_environment, load_services
from shopops.errors import OpsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shop-ops", description=__doc__.splitlines()[0])
    parser.add_argument("--environments", type=Path, default=DEFAULT_FILE, help="environments file")
    commands = parser.add_subparsers(dest="command", required=True)

    manifest_parser = commands.add_parser("manifest", help="release manifest files")
    manifest_commands = manifest_parser.add_subparsers(dest="manifest_command", required=True)
    create = manifest_commands.add_parser("create", help="from `docker buildx bake --metadata-file` output")
    create.add_argument("--bake-metadata", type=Path, required=True)
    create.add_argument("--registry", required=True, help="login server, e.g. contososhop.azurecr.io")
    create.add_argument("--commit", required=True)
    create.add_argument("--out", type=Path, required=True)
    images = manifest_commands.add_parser("images", help="print the image references by digest")
    images.add_argument("--manifest", type=Path, required=True)
    request = manifest_commands.add_parser(
        "approval-request", help="the release-approval flow's request body"
    )
    request.add_argument("--manifest", type=Path, required=True)
    request.add_argument("--env", required=True)
    request.add_argument("--release-id", required=True)
    request.add_argument("--requested-by", required=True)
    request.add_argument("--run-url", required=True)
    request.add_argument("--timeout-minutes", type=int, default=1440)
    request.add_argument("--out", type=Path, required=True)

    for name, text in (
        ("deploy", "deploy a release by digest"),
        ("rollback", "back to the last good release"),
    ):
        command = commands.add_parser(name, help=text)
        command.add_argument("--env", required=True)
        command.add_argument(
            "--manifest" if name == "deploy" else "--failed-manifest",
            dest="manifest",
            type=Path,
            required=True,
        )
        command.add_argument("--repo-root", type=Path, default=Path.cwd())
        command.add_argument("--timeout", default="300s", help="kubectl rollout status timeout")

    check = commands.add_parser("health", help="/health and /ready of every service of an environment")
    check.add_argument("--env", required=True)
    check.add_argument("--attempts", type=int, default=5)
    check.add_argument(
        "--backoff", type=float, default=2.0, help="first wait between attempts, doubled each time"
    )

    target = commands.add_parser("target-file", help="`shopctl replay --target` file of an environment")
    target.add_argument("--env", required=True)
    target.add_argument("--token-variable", default="SHOP_ADMIN_TOKEN")
    return parser


def _run(args: argparse.Namespace) -> int:
    if args.command == "manifest":
        if args.manifest_command == "create":
            services = tuple(service.name for service in load_services(args.environments))
            made = manifest.from_bake_metadata(args.bake_metadata, args.registry, args.commit, services)
            args.out.write_text(made.dumps())
            print(f"release manifest {args.out}: {len(made.images)} images of {made.commit}")
        elif args.manifest_command == "images":
            loaded = manifest.load(args.manifest)
            print("\n".join(f"{name}={loaded.reference(name)}" for name in sorted(loaded.images)))
        else:
            load_environment(args.env, args.environments)
            body = approval_request.build(
                manifest.load(args.manifest),
                args.env,
                args.release_id,
                args.requested_by,
                args.run_url,
                args.timeout_minutes,
            )
            args.out.write_text(json.dumps(body, indent=2) + "\n")
        return 0
    if args.command == "target-file":
        sys.stdout.write(
            target_file.render(load_environment(args.env, args.environments), args.token_variable)
        )
        return 0
    environment = load_environment(args.env, args.environments)
    if args.command == "health":
        results = health.run(environment, health.Policy(attempts=args.attempts, backoff_seconds=args.backoff))
        print(health.table(results))
        failed = [f"{result.probe.service} /{result.probe.check}" for result in results if not result.ok]
        if failed:
            print(f"health check of {environment.name} failed: {', '.join(failed)}", file=sys.stderr)
            return 1
        return 0
    tools = deploy.Tools(AzureCli(), CommandLine("kubectl"), args.repo_root, args.timeout)
    release = manifest.load(args.manifest)
    if args.command == "deploy":
        print(deploy.deploy(tools, environment, release))
    else:
        print(deploy.rollback(tools, environment, release))
    return 0


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s", stream=sys.stderr)
    args = _parser().parse_args(argv)
    try:
        code = _run(args)
    except OpsError as error:
        print(f"shop-ops {args.command}: {error}", file=sys.stderr)
        code = error.exit_code
    sys.exit(code)
