"""The sources in the repository pass every validator (each validator's bite is in the other tests)."""

from __future__ import annotations

from pathlib import Path

from shoppower.validate.package import PACKAGE, validate_files, validate_package


def test_every_power_platform_source_is_valid(schemas_dir: Path) -> None:
    assert [f.render(PACKAGE) for f in validate_package()] == []


def test_the_trees_hold_what_the_issue_lists(schemas_dir: Path) -> None:
    solutions = {p.name for p in (PACKAGE / "solutions").iterdir()}
    assert solutions == {"ContosoShopCore", "ContosoShopApps", "ContosoShopFlows", "ContosoShopBots"}
    assert {p.name for p in (PACKAGE / "powerbi").glob("*.pbip")} == {
        "OperationsRealtime.pbip",
        "DevOpsMetrics.pbip",
        "SalesAnalytics.pbip",
    }
    assert {p.parent.name for p in (PACKAGE / "deployment-settings").glob("*/ContosoShopCore.json")} == {
        "dev",
        "test",
        "prod",
    }


def test_a_file_no_validator_knows_is_reported_not_passed(schemas_dir: Path, tmp_path: Path) -> None:
    stray = tmp_path / "notes.txt"
    stray.write_text("hello")
    findings = validate_files([stray, PACKAGE / "solutions/ContosoShopCore/src/Other/Solution.xml"])
    assert [(f.path, f.message.split(":")[0]) for f in findings] == [(stray.resolve(), "unknown file type")]
