from __future__ import annotations

import re
from pathlib import Path

from infra_helpers import (
    BROKEN_OUTSIDE,
    BROKEN_STORAGE,
    HARD_CODED_URL,
    INFRA,
    REPO,
    copy_templates,
    replace_in,
)
from shopinfra.checkov_run import CheckovReport, check_skip_reasons
from shopinfra.references import template_files

Run = tuple[Path, CheckovReport]


def test_templates_pass_checkov(checkov_report: Run) -> None:
    root, report = checkov_report
    broken = (root / "zz-broken", root.parent / BROKEN_OUTSIDE)
    outside = [str(f) for f in report.failed if not f.path.is_relative_to(broken[0]) and f.path != broken[1]]
    assert outside == []
    assert report.passed > 30
    # Only main.bicep (lambdas) and the generated rule groups (a multi-line ternary) are beyond pycep-parser;
    # every other module with resources is scanned, monitoring/azure's that main.bicep calls included.
    assert sorted(p.relative_to(root.parent).as_posix() for p in report.unparsed) == [
        "infra/main.bicep",
        "monitoring/azure/prometheus-rule-groups.bicep",
    ]


def test_checkov_bites_on_a_module_outside_infra_naming_file_and_line(checkov_report: Run) -> None:
    """Modules reached outside infra/ (as monitoring/azure is) are scanned and reported where they are."""
    root, report = checkov_report
    outside = root.parent / BROKEN_OUTSIDE
    failed = [(f.line, f.message.split()[0]) for f in report.failed if f.path == outside]
    lines = outside.read_text().splitlines()
    line = lines.index(f"param incidentFlowWebhookUrl string = '{HARD_CODED_URL}'")
    while lines[line - 1].startswith("@"):  # checkov names a param by its first decorator
        line -= 1
    assert failed == [(line + 1, "CKV_AZURE_131")]


def test_checkov_bites_on_an_insecure_module_naming_file_and_line(checkov_report: Run) -> None:
    root, report = checkov_report
    broken = [f for f in report.failed if f.path == root / BROKEN_STORAGE]
    assert broken, "the deliberately insecure storage module must fail"
    start = (root / BROKEN_STORAGE).read_text().splitlines().index(
        "resource account 'Microsoft.Storage/storageAccounts@2026-04-01' = {"
    ) + 1
    assert all(f.line == start for f in broken)
    assert any("public" in f.message.lower() for f in broken)


def test_every_inline_skip_is_used_by_checkov(checkov_report: Run) -> None:
    root, report = checkov_report
    used = {(check_id, path.relative_to(root.parent).as_posix()) for check_id, path, _ in report.skipped}
    declared = set()
    for path in (p for p in template_files(INFRA) if p.suffix == ".bicep"):
        for match in re.finditer(r"checkov:skip=([A-Z0-9_]+)", path.read_text(encoding="utf-8")):
            declared.add((match.group(1), path.resolve().relative_to(REPO).as_posix()))
    assert declared - used == set(), "stale skips: checkov no longer reports these"


def test_every_skip_in_the_repo_has_a_reason() -> None:
    assert list(check_skip_reasons(INFRA)) == []


def test_inline_skip_without_reason_fails_at_its_line(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    module = infra / "modules/aks.bicep"
    text = module.read_text()
    old = next(line for line in text.splitlines() if "checkov:skip=CKV_AZURE_8" in line)
    line = replace_in(module, old, "  // checkov:skip=CKV_AZURE_8")
    findings = list(check_skip_reasons(infra))
    assert [(f.path, f.line, f.message) for f in findings] == [
        (module, line, "skip of CKV_AZURE_8 has no reason")
    ]


def test_config_skip_without_a_comment_fails(tmp_path: Path) -> None:
    infra = copy_templates(tmp_path / "infra")
    config = infra / ".checkov.yaml"
    line = replace_in(config, "  - CKV_AZURE_25\n", "  - CKV_AZURE_25\n  - CKV_AZURE_1\n") + 1
    findings = list(check_skip_reasons(infra))
    assert [(f.path, f.line) for f in findings] == [(config, line)]
