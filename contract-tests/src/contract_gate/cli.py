"""``contract-verify PACTS_DIR [--junit FILE] [--json FILE] [--platform FILE]``

Verifies every pact in PACTS_DIR against its real provider and writes the results. Exit codes:
0 every pact verified; 1 a pact failed, or its provider did not start; 2 bad input (no such
directory, no pacts, a malformed pact file, a provider the gate does not know), before anything starts.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from contract_gate import broker
from contract_gate.pacts import pact_files
from contract_gate.results import git, report, revision, write_json, write_junit
from contract_gate.verify import GateInputError, PactResult, verify_all

DEFAULT_RESULTS = Path("contract-tests/results")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="contract-verify", description="Verify every pact in a directory against the real providers."
    )
    parser.add_argument("pacts_dir", metavar="PACTS_DIR", type=Path)
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS / "verification.json", metavar="FILE")
    parser.add_argument(
        "--junit", type=Path, default=DEFAULT_RESULTS / "verification.junit.xml", metavar="FILE"
    )
    parser.add_argument(
        "--platform",
        type=Path,
        default=Path(os.environ["SHOP_PLATFORM"]) if os.environ.get("SHOP_PLATFORM") else None,
        metavar="FILE",
        help="platform description (default: harness/platform.yaml; $SHOP_PLATFORM)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what the gate does")
    return parser.parse_args(argv)


def summary(results: Sequence[PactResult]) -> str:
    lines = []
    for result in results:
        verdict = "PASS" if result.passed else "FAIL"
        lines.append(f"{verdict} {result.file.name} ({result.consumer} -> {result.provider})")
        if result.error:
            lines.extend(f"    {line}" for line in result.error.splitlines())
        for interaction in result.interactions:
            if not interaction.passed:
                lines.append(f"    interaction failed: {interaction.description}")
                lines.extend(f"      {m}" for m in interaction.mismatches)
    passed = sum(r.passed for r in results)
    lines.append(f"contract-verify: {passed} passed, {len(results) - passed} failed")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(message)s")
    if not args.pacts_dir.is_dir():
        print(f"contract-verify: {args.pacts_dir} is not a directory", file=sys.stderr)
        return 2
    try:
        results = verify_all(pact_files(args.pacts_dir), args.platform)
    except GateInputError as error:
        print(f"contract-verify: refusing to verify:\n{error}", file=sys.stderr)
        return 2
    document = report(results, args.pacts_dir)
    code = 0 if document["passed"] else 1
    gate = broker.Broker.from_env(
        os.environ, revision("gate").commit, git("rev-parse", "--abbrev-ref", "HEAD")
    )
    if gate is not None:
        outcome = broker.run(gate, results)
        document["broker"] = outcome.as_json()
        if not outcome.ok:
            code = code or 1
    write_json(args.json, document)
    write_junit(args.junit, results)
    print(summary(results))
    print(f"results: {args.json}, {args.junit}")
    return code


if __name__ == "__main__":
    sys.exit(main())
