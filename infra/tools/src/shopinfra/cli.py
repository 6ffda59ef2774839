"""`shop-infra-check`: runs every offline check over infra/ and exits non-zero on any finding."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from shopinfra.checks import run_checks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="shop-infra-check", description=__doc__)
    parser.add_argument(
        "--repo", type=Path, default=Path.cwd(), help="repo root (default: current directory)"
    )
    parser.add_argument(
        "--types", type=Path, help="bicep-types snapshot (default: <repo>/../shared/schemas/bicep-types)"
    )
    parser.add_argument("--no-checkov", action="store_true", help="skip the (slow) checkov run")
    args = parser.parse_args(argv)
    repo: Path = args.repo
    types = args.types or repo.resolve().parent / "shared/schemas/bicep-types"
    outcome = run_checks(repo / "infra", repo, types, with_checkov=not args.no_checkov)
    for note in sorted(outcome.notes):
        print(f"note: {note}")
    for finding in sorted(outcome.findings):
        print(finding)
    print(f"{len(outcome.files)} files, {len(outcome.findings)} findings, {len(outcome.notes)} notes")
    return 1 if outcome.findings else 0


if __name__ == "__main__":
    sys.exit(main())
