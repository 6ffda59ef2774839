"""Grafana provisioning: local files that find the generated dashboards and the local Prometheus, and the
import into Azure Managed Grafana (run against a stand-in `az`, named as such: no Azure here)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from .helpers import MONITORING

GRAFANA = MONITORING / "grafana"
REPO = MONITORING.parent


def test_the_dashboard_provider_reads_the_generated_dashboards() -> None:
    provisioning = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "contoso-shop.yaml").read_text())
    [provider] = provisioning["providers"]

    path = Path(provider["options"]["path"].replace("${SHOP_REPO}", str(REPO)))

    assert provider["type"] == "file"
    assert sorted(path.glob("*.json")) == sorted((GRAFANA / "dashboards").glob("*.json"))
    assert len(list(path.glob("*.json"))) == 8


def test_the_data_source_is_the_local_prometheus_of_make_up() -> None:
    provisioning = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yaml").read_text())
    [source] = provisioning["datasources"]

    assert source["type"] == "prometheus"
    assert source["url"] == "http://127.0.0.1:9090"


FAKE_AZ = """#!/usr/bin/env bash
# Stand-in for the Azure CLI: records its arguments; `folder show` fails (no folder yet).
echo "$*" >> "$AZ_CALLS"
[ "$2" = folder ] && [ "$3" = show ] && exit 3
exit 0
"""


def test_import_creates_the_folder_and_imports_every_dashboard(tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "az"
    fake.parent.mkdir()
    fake.write_text(FAKE_AZ)
    fake.chmod(0o755)
    calls = tmp_path / "calls"

    done = subprocess.run(
        [GRAFANA / "azure" / "import-dashboards.sh", "amg-shop-dev", "rg-shop-dev"],
        env={**os.environ, "PATH": f"{fake.parent}:{os.environ['PATH']}", "AZ_CALLS": str(calls)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    lines = calls.read_text().splitlines()
    assert (
        lines[1]
        == "grafana folder create --name amg-shop-dev --resource-group rg-shop-dev --title Contoso Shop"
    )
    imported = sorted(line.rsplit("@", 1)[1] for line in lines if line.startswith("grafana dashboard import"))
    assert imported == sorted(str(p) for p in (GRAFANA / "dashboards").glob("*.json"))


def test_import_without_its_two_arguments_says_how_to_call_it() -> None:
    done = subprocess.run(
        [GRAFANA / "azure" / "import-dashboards.sh"], capture_output=True, text=True, timeout=30, check=False
    )

    assert done.returncode == 2
    assert "usage:" in done.stderr
