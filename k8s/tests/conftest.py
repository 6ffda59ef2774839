"""Shared fixtures: the platform description and every overlay rendered once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from shopctl.platform import Platform
from shopk8s import platform
from shopk8s.layout import K8S_DIR, OVERLAYS, REPO_ROOT
from shopk8s.manifests import Object, render


@pytest.fixture(scope="session")
def shop_platform() -> Platform:
    return platform.load()


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[Object]]:
    return {overlay: render(K8S_DIR / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture
def k8s_copy(tmp_path: Path) -> Path:
    """A copy of k8s/ (manifests only) with the emulator configs it reads at the same relative place, for
    tests that break something on purpose."""
    for folder in ("base", "components", "overlays"):
        shutil.copytree(K8S_DIR / folder, tmp_path / "k8s" / folder)
    for emulator in ("servicebus", "eventhubs"):
        config = Path("emulators") / emulator / "config" / "platform.json"
        (tmp_path / config).parent.mkdir(parents=True)
        shutil.copy(REPO_ROOT / config, tmp_path / config)
    return tmp_path / "k8s"
