from __future__ import annotations

from pathlib import Path

import pytest
from infra_helpers import REPO, replace_in
from shopinfra.cli import main


def test_repo_passes(types_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--repo", str(REPO), "--types", str(types_dir), "--no-checkov"]) == 0
    assert "0 findings" in capsys.readouterr().out


def test_each_kind_of_mistake_fails_naming_file_and_line(
    repo_copy: Path, types_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    infra = repo_copy / "infra"
    misspelt = replace_in(
        infra / "modules/storage.bicep", "allowSharedKeyAccess: false", "allowSharedKeyAcess: false"
    )
    old_api = replace_in(
        infra / "modules/key-vault.bicep", "vaults@2026-02-01' = {", "vaults@2024-11-01' = {"
    )
    drift = replace_in(
        infra / "main.bicep", "    name: 'payment-requests'\n", "    name: 'payment-request'\n"
    )
    assert main(["--repo", str(repo_copy), "--types", str(types_dir), "--no-checkov"]) == 1
    out = capsys.readouterr().out
    assert f"infra/modules/storage.bicep:{misspelt}: [types]" in out
    assert f"infra/modules/key-vault.bicep:{old_api}: [types]" in out
    assert (
        f"infra/main.bicep:{drift - 1}: [drift] queue:payment-request is in Bicep but in no emulator config"
        in out
    )
