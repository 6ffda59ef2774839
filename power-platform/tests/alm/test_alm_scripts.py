"""The ALM scripts against fake-pac (tests/alm/fake-pac/pac on PATH): the pac CLI cannot reach Dataverse
here. Packing follows the environment (unmanaged dev, managed test/prod), settings go with the import,
the checker gate stops a deployment, and a second run imports nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
ALM = PACKAGE / "alm"
FAKE_PAC = Path(__file__).resolve().parent / "fake-pac"
URL = "https://contoso-shop-test.crm4.dynamics.com"


def run(script: str, *args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PATH": f"{FAKE_PAC}{os.pathsep}{os.environ['PATH']}",
        "FAKE_PAC_HOME": str(home),
        "PP_APP_ID": "11111111-1111-1111-1111-111111111111",
        "PP_TENANT_ID": "22222222-2222-2222-2222-222222222222",
        # pragma: allowlist nextline secret (a placeholder for the pipeline's secret)
        "PP_CLIENT_SECRET": "from-the-pipeline-secret-store",
        **env,
    }
    return subprocess.run(
        [str(ALM / script), *args], env=environment, capture_output=True, text=True, check=False
    )


def calls(home: Path) -> list[list[str]]:
    return [json.loads(line) for line in (home / "calls.jsonl").read_text().splitlines()]


def state(home: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((home / "state.json").read_text())
    return result


@pytest.mark.parametrize(
    ("environment", "kind"), [("dev", "Unmanaged"), ("test", "Managed"), ("prod", "Managed")]
)
def test_pack_type_follows_the_environment(tmp_path: Path, environment: str, kind: str) -> None:
    result = run("pack.sh", "ContosoShopFlows", environment, str(tmp_path / "out"), home=tmp_path / "pac")
    assert result.returncode == 0, result.stderr
    zip_path = Path(result.stdout.strip())
    assert zip_path.name == f"ContosoShopFlows_{kind.lower()}.zip"
    with zipfile.ZipFile(zip_path) as archive:
        assert archive.comment.decode() == kind
        assert "Other/Solution.xml" in archive.namelist()


def test_pack_refuses_an_unknown_environment(tmp_path: Path) -> None:
    result = run("pack.sh", "ContosoShopCore", "staging", str(tmp_path), home=tmp_path / "pac")
    assert result.returncode != 0
    assert "unknown environment 'staging'" in result.stderr


def test_deploy_imports_in_order_with_settings_and_reruns_import_nothing(tmp_path: Path) -> None:
    home = tmp_path / "pac"
    first = run("deploy.sh", "test", URL, str(tmp_path / "out"), home=home)
    assert first.returncode == 0, first.stderr
    imports = [c for c in calls(home) if c[:2] == ["solution", "import"]]
    assert [Path(c[c.index("--path") + 1]).name for c in imports] == [
        "ContosoShopCore_managed.zip",
        "ContosoShopApps_managed.zip",
        "ContosoShopFlows_managed.zip",
        "ContosoShopBots_managed.zip",
    ]
    solutions = state(home)["solutions"]
    assert solutions["ContosoShopCore"]["settings"] == str(
        PACKAGE / "deployment-settings/test/ContosoShopCore.json"
    )
    assert all(item["managed"] for item in solutions.values())
    assert [c[:2] for c in calls(home)].count(["auth", "create"]) == 1

    zip_path = tmp_path / "out" / "ContosoShopCore_managed.zip"
    again = run("import.sh", "ContosoShopCore", "test", URL, str(zip_path), home=home)
    assert again.returncode == 0, again.stderr
    assert "ContosoShopCore 1.0.0.0 is already in test; nothing to import" in again.stderr
    assert run("auth.sh", URL, home=home).returncode == 0
    assert len([c for c in calls(home) if c[:2] == ["solution", "import"]]) == 4, "nothing new imported"
    assert [c[:2] for c in calls(home)].count(["auth", "create"]) == 1, "the profile is reused"


def test_checker_findings_stop_the_deployment_before_any_import(tmp_path: Path) -> None:
    home = tmp_path / "pac"
    result = run("deploy.sh", "prod", URL, str(tmp_path / "out"), home=home, FAKE_PAC_CHECK_HIGH="2")
    assert result.returncode != 0
    assert "critical or high severity issues in ContosoShopCore_managed.zip" in result.stderr
    assert not [c for c in calls(home) if c[:2] == ["solution", "import"]]


def test_a_failed_import_stops_the_deployment(tmp_path: Path) -> None:
    home = tmp_path / "pac"
    result = run("deploy.sh", "dev", URL, str(tmp_path / "out"), home=home, FAKE_PAC_FAIL_IMPORT="1")
    assert result.returncode != 0
    assert len([c for c in calls(home) if c[:2] == ["solution", "import"]]) == 1


def test_auth_needs_the_service_principal(tmp_path: Path) -> None:
    result = run("auth.sh", URL, home=tmp_path / "pac", PP_CLIENT_SECRET="")
    assert result.returncode != 0
    assert "PP_CLIENT_SECRET is required" in result.stderr


def test_export_unpack_writes_the_solution_source(tmp_path: Path) -> None:
    home = tmp_path / "pac"
    exported = home / "environment" / "ContosoShopBots"
    exported.mkdir(parents=True)
    (exported / "Other").mkdir()
    (exported / "Other" / "Solution.xml").write_text("<ImportExportXml/>")
    solutions = tmp_path / "solutions"
    shutil.copytree(PACKAGE / "solutions" / "ContosoShopBots", solutions / "ContosoShopBots")
    result = run("export-unpack.sh", "ContosoShopBots", URL, home=home, PP_SOLUTIONS_DIR=str(solutions))
    assert result.returncode == 0, result.stderr
    exports = [c for c in calls(home) if c[:2] == ["solution", "export"]]
    assert [("--managed" in c) for c in exports] == [False, True]
    assert (solutions / "ContosoShopBots/src/Other/Solution.xml").read_text() == "<ImportExportXml/>"
