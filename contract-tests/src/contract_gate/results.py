"""The gate's results, for people and pipelines: ``verification.json`` (per pact: consumer and provider
with their git revision, pass/fail, the failing interactions and their mismatches) and JUnit XML (one
test case per interaction, so a CI test tab lists them).

A participant's revision is the repository's ``HEAD`` plus whether its own folder (``services/<name>``)
has uncommitted changes: a pass on a dirty tree proves nothing about the committed code.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from contract_gate.pacts import REPO_ROOT
from contract_gate.verify import PactResult


@dataclass(frozen=True)
class Revision:
    commit: str
    dirty: bool

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.commit, "dirty": self.dirty}


def git(*args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@cache
def revision(participant: str) -> Revision:
    commit = git("rev-parse", "HEAD") or "unknown"
    folder = f"services/{participant}"
    status = git("status", "--porcelain", "--", folder)
    return Revision(commit, dirty=status is None or bool(status))


def report(results: Sequence[PactResult], pacts_dir: Path) -> dict[str, Any]:
    return {
        "generatedAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "pactsDir": str(pacts_dir),
        "passed": bool(results) and all(r.passed for r in results),
        "pacts": [
            {
                "file": r.file.name,
                "consumer": {"name": r.consumer, **revision(r.consumer).as_json()},
                "provider": {"name": r.provider, **revision(r.provider).as_json()},
                "passed": r.passed,
                "error": r.error,
                "failingInteractions": [
                    {
                        "description": i.description,
                        "providerStates": list(i.states),
                        "mismatches": list(i.mismatches),
                    }
                    for i in r.interactions
                    if not i.passed
                ],
                "interactions": [
                    {"description": i.description, "providerStates": list(i.states), "passed": i.passed}
                    for i in r.interactions
                ],
            }
            for r in results
        ],
    }


def junit(results: Sequence[PactResult]) -> ET.ElementTree[ET.Element]:
    suites = ET.Element("testsuites", name="contract-verify")
    for result in results:
        failures = sum(not i.passed for i in result.interactions)
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"{result.consumer} -> {result.provider} ({result.file.name})",
            tests=str(len(result.interactions) or 1),
            failures=str(failures),
            errors="1" if result.error else "0",
        )
        classname = f"pact.{result.consumer}-{result.provider}"
        if result.error:
            case = ET.SubElement(suite, "testcase", classname=classname, name="provider verification")
            ET.SubElement(case, "error", message=result.error.splitlines()[0][:500]).text = result.error
        for interaction in result.interactions:
            name = interaction.description
            if interaction.states:
                name += " (given " + ", ".join(interaction.states) + ")"
            case = ET.SubElement(suite, "testcase", classname=classname, name=name)
            if not interaction.passed:
                text = "\n".join(interaction.mismatches)
                ET.SubElement(case, "failure", message=(text.splitlines() or ["failed"])[0][:500]).text = text
    ET.indent(suites)
    return ET.ElementTree(suites)


def write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def write_json(path: Path, document: dict[str, Any]) -> None:
    write_atomically(path, (json.dumps(document, indent=2) + "\n").encode())


def write_junit(path: Path, results: Sequence[PactResult]) -> None:
    tree = junit(results)
    write_atomically(path, ET.tostring(tree.getroot(), encoding="utf-8", xml_declaration=True))
