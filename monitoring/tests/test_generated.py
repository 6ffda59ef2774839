"""The committed generated files are what the sources generate now; the check notices when they are not."""

from __future__ import annotations

from pathlib import Path

from shopmonitoring import generate
from shopmonitoring.slo import Alert, groups


def test_regenerating_changes_nothing() -> None:
    stale = generate.stale()

    assert stale == [], f"stale generated files (run `make monitoring-generate`): {stale}"


def test_an_edited_or_missing_generated_file_is_reported_stale(tmp_path: Path) -> None:
    generate.write(tmp_path)
    edited = tmp_path / "prometheus" / "rules.yml"
    edited.write_text(edited.read_text().replace("for: 1m", "for: 2m"))
    missing = tmp_path / "grafana" / "dashboards" / "shop-saga.json"
    missing.unlink()

    assert sorted(generate.stale(tmp_path)) == sorted([edited, missing])


def test_write_rewrites_only_what_changed(tmp_path: Path) -> None:
    generate.write(tmp_path)
    edited = tmp_path / "kubernetes" / "prometheusrule.yaml"
    edited.write_text("changed by hand\n")

    assert generate.write(tmp_path) == [edited]
    assert generate.stale(tmp_path) == []


def test_the_readme_alert_table_lists_every_alert() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    rows = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}
    alerts = {r.alert for g in groups() for r in g.rules if isinstance(r, Alert)}

    assert alerts <= rows, sorted(alerts - rows)
