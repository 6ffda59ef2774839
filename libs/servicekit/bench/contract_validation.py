"""CPU milliseconds per ``Contracts.violations`` call: valid messages (every consumed message, almost) and
one invalid one per type (the detailed answer), for this checkout's ``servicekit.contracts`` and, with
``--baseline FILE``, another copy of that module (say ``git show HEAD~1:libs/servicekit/src/servicekit/
contracts.py > /tmp/contracts_before.py``).

    .venv/bin/python libs/servicekit/bench/contract_validation.py [--calls 2000] [--rounds 3]
        [--baseline FILE]

Both run in this process, round after round in turn, on the repository's example messages; CPU is
``time.process_time`` (user + system), far steadier than wall time on a shared machine.
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from servicekit import contracts as current

MESSAGES = Path(__file__).resolve().parents[3] / "contract-tests" / "messages"
TYPES = ("PaymentRequested", "OrderStatusChanged", "PaymentSucceeded")


def load_module(file: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("contracts_baseline", file)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load {file}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def workload() -> list[tuple[str, dict[str, Any], bool]]:
    """(type, message, valid?) for each type: its example, and the example with a wrong-typed field."""
    messages: list[tuple[str, dict[str, Any], bool]] = []
    for message_type in TYPES:
        document = json.loads((MESSAGES / "examples" / f"{message_type}.v1.json").read_text())
        broken = copy.deepcopy(document)
        broken["data"]["orderId"] = 7
        messages += [(message_type, document, True), (message_type, broken, False)]
    return messages


def ms_per_call(module: ModuleType, message_type: str, message: dict[str, Any], calls: int) -> float:
    contracts = module.Contracts(MESSAGES)
    expected = contracts.violations(message, message_type, 1)
    start = time.process_time()
    for _ in range(calls):
        contracts.violations(message, message_type, 1)
    elapsed = time.process_time() - start
    if contracts.violations(message, message_type, 1) != expected:
        raise SystemExit(f"{module.__name__}: {message_type} answered differently on repeat")
    return elapsed * 1000 / calls


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another contracts.py to compare with")
    args = parser.parse_args()

    modules = [("this checkout", current)]
    if args.baseline is not None:
        modules.insert(0, ("baseline", load_module(args.baseline)))
    best: dict[tuple[str, str, bool], float] = {}
    for _ in range(args.rounds):
        for name, module in modules:
            for message_type, message, valid in workload():
                figure = ms_per_call(module, message_type, message, args.calls)
                key = (name, message_type, valid)
                best[key] = min(best.get(key, figure), figure)
    for (name, message_type, valid), figure in best.items():
        verdict = "valid" if valid else "invalid"
        print(f"{name:<14} {message_type:<20} {verdict:<8} {figure:>8.4f} CPU ms per validation")


if __name__ == "__main__":
    main()
