"""Runs checkov's Bicep framework once over the lowered copies of the templates (line numbers kept) and
maps its results back to the original files. Also checks that every skip carries a reason: inline
`// checkov:skip=ID: reason` comments and the commented `skip-check` entries of infra/.checkov.yaml.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shopinfra.findings import Finding
from shopinfra.pycep_check import lowered_copy
from shopinfra.references import scan_root, template_files

CHECK = "checkov"
MIN_REASON = 20
_INLINE_SKIP = re.compile(r"//\s*checkov:skip=([A-Z0-9_]+)(?::\s*(.*))?")


@dataclass
class CheckovReport:
    failed: list[Finding] = field(default_factory=list)
    skipped: list[tuple[str, Path, int]] = field(default_factory=list)
    unparsed: list[Path] = field(default_factory=list)
    passed: int = 0


def checkov_executable() -> str:
    return str(Path(sys.executable).with_name("checkov"))


def run_checkov(infra_dir: Path, config_file: Path | None = None) -> CheckovReport:
    config_file = config_file or infra_dir / ".checkov.yaml"
    base = scan_root(infra_dir)
    with tempfile.TemporaryDirectory(prefix="shop-infra-checkov-") as scratch:
        root = Path(scratch)
        lowered_copy(infra_dir, root)
        command = [
            checkov_executable(),
            "-d",
            str(root),
            "--framework",
            "bicep",
            "--skip-download",
            "--config-file",
            str(config_file),
            "-o",
            "json",
        ]
        completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
        if completed.returncode not in (0, 1) or not completed.stdout.strip():
            raise RuntimeError(f"checkov failed ({completed.returncode}): {completed.stderr[-2000:]}")
        raw: Any = json.loads(completed.stdout)
    report = CheckovReport()
    for result in raw if isinstance(raw, list) else [raw]:
        report.passed += int(result["summary"]["passed"])
        for failed in result["results"].get("failed_checks", []):
            original = base / failed["file_path"].lstrip("/")
            report.failed.append(
                Finding(
                    original,
                    int(failed["file_line_range"][0]),
                    CHECK,
                    f"{failed['check_id']} {failed['check_name']} ({failed['resource']})",
                )
            )
        for skipped in result["results"].get("skipped_checks", []):
            original = base / skipped["file_path"].lstrip("/")
            report.skipped.append((skipped["check_id"], original, int(skipped["file_line_range"][0])))
        for unparsed in result["results"].get("parsing_errors", []):
            report.unparsed.append(base / Path(unparsed).relative_to(root))
    return report


def check_skip_reasons(infra_dir: Path, config_file: Path | None = None) -> Iterator[Finding]:
    for source in (p for p in template_files(infra_dir) if p.suffix == ".bicep"):
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
            match = _INLINE_SKIP.search(line)
            if match and len((match.group(2) or "").strip()) < MIN_REASON:
                yield Finding(source, number, CHECK, f"skip of {match.group(1)} has no reason")
    config_file = config_file or infra_dir / ".checkov.yaml"
    lines = config_file.read_text(encoding="utf-8").splitlines()
    for index, line in enumerate(lines):
        entry = re.match(r"^\s*-\s*(CKV[A-Z0-9_]*)\s*$", line)
        if entry and (index == 0 or not lines[index - 1].lstrip().startswith("#")):
            yield Finding(
                config_file, index + 1, CHECK, f"skip-check {entry.group(1)} has no comment with its reason"
            )
