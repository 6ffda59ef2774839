"""All offline checks over infra/ and the templates its modules reach outside it: parse (own grammar,
cross-read by pycep-parser), resource types, module and .bicepparam params, messaging drift, one owner per
resource, and optionally checkov. Returns what fails and, apart, what could not be checked (reported, not
failed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from shopinfra.azure_types import TypeLibrary
from shopinfra.checkov_run import check_skip_reasons, run_checkov
from shopinfra.drift import check_drift
from shopinfra.findings import Finding
from shopinfra.model import BicepFile
from shopinfra.ownership import check_ownership
from shopinfra.param_check import check_modules, check_param_file
from shopinfra.pycep_check import compare_with_pycep, new_parser
from shopinfra.references import template_files
from shopinfra.syntax import BicepSyntaxError, parse_file
from shopinfra.type_check import TypeChecker

__all__ = ["Outcome", "run_checks", "template_files"]


@dataclass
class Outcome:
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)


class _Cache:
    def __init__(self) -> None:
        self.files: dict[Path, BicepFile] = {}

    def load(self, path: Path) -> BicepFile:
        path = path.resolve()
        if path not in self.files:
            self.files[path] = parse_file(path)
        return self.files[path]


def run_checks(infra_dir: Path, repo_root: Path, types_dir: Path, *, with_checkov: bool = True) -> Outcome:
    outcome = Outcome(files=template_files(infra_dir))
    cache = _Cache()
    parsed: list[BicepFile] = []
    for path in outcome.files:
        try:
            parsed.append(cache.load(path))
        except BicepSyntaxError as error:
            outcome.findings.append(Finding(error.path, error.line, "parse", str(error).split(": ", 2)[-1]))
    library = TypeLibrary(types_dir)
    types = TypeChecker(library)
    pycep = new_parser()
    for bicep in parsed:
        if bicep.path.suffix == ".bicepparam":
            outcome.findings.extend(check_param_file(bicep, cache.load))
            continue
        outcome.findings.extend(compare_with_pycep(bicep, pycep, outcome.notes))
        outcome.findings.extend(types.check_file(bicep))
        outcome.findings.extend(check_modules(bicep, cache.load))
    outcome.notes.extend(types.unchecked)
    main = infra_dir.resolve() / "main.bicep"
    if main.is_file() and main in cache.files:
        outcome.findings.extend(check_drift(cache.load(main), repo_root.resolve()))
        env_files = [b for b in parsed if b.using and (b.path.parent / b.using).resolve() == main]
        outcome.findings.extend(check_ownership(cache.load(main), cache.load, env_files))
    if with_checkov:
        outcome.findings.extend(check_skip_reasons(infra_dir))
        report = run_checkov(infra_dir)
        outcome.findings.extend(report.failed)
        outcome.notes.extend(
            Finding(path, 1, "checkov", "checkov could not parse it (pycep-parser); not scanned")
            for path in report.unparsed
        )
    return outcome
