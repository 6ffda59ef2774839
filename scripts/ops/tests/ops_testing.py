"""Shared test helpers: fake az/kubectl on PATH (tests/fakes), an overlay to render, release manifests."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from shopops.manifest import Image, ReleaseManifest

FAKES = Path(__file__).parent / "fakes"
OPS_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = OPS_DIR.parents[1]
SERVICES = ("product", "order", "payment", "payment-worker", "notification", "frontend")


SEPARATOR = "\x1f"


@dataclass
class FakeClis:
    """The state of tests/fakes/fake-az and fake-kubectl (layout in fakes/fakecli.sh)."""

    state: Path
    bin_dir: Path

    def script(self, *answers: dict[str, object]) -> None:
        """Scripted answers: program, args_prefix, stdout, stderr, exit, times (default 1)."""
        for number, answer in enumerate(answers):
            folder = self.state / "answers" / f"{number:02d}"
            folder.mkdir(parents=True)
            prefix = "".join(f"{arg}{SEPARATOR}" for arg in answer.get("args_prefix", []))  # type: ignore[attr-defined]
            files = {
                "program": answer["program"],
                "prefix": prefix,
                "stdout": answer.get("stdout", ""),
                "stderr": answer.get("stderr", ""),
                "exit": answer.get("exit", 0),
                "times": answer.get("times", 1),
            }
            for name, value in files.items():
                (folder / name).write_text(str(value))

    def _log(self) -> list[tuple[int, str, list[str]]]:
        log = self.state / "calls.log"
        if not log.exists():
            return []
        entries = []
        for number, line in enumerate(log.read_text().splitlines(), start=1):
            program, *args = line.split(SEPARATOR)[:-1]
            entries.append((number, program, args))
        return entries

    def calls(self, program: str | None = None) -> list[list[str]]:
        return [args for _, name, args in self._log() if program in (None, name)]

    def stdin_of(self, program: str, *prefix: str) -> list[str]:
        return [
            (self.state / "stdin" / str(number)).read_text()
            for number, name, args in self._log()
            if name == program and args[: len(prefix)] == list(prefix)
        ]

    def seed_history(
        self, namespace: str, current: ReleaseManifest, previous: ReleaseManifest | None
    ) -> None:
        """What earlier successful deploys would have recorded (the ConfigMap in the fake's store)."""
        data = {"current": current.dumps(), **({"previous": previous.dumps()} if previous else {})}
        item = {
            "kind": "ConfigMap",
            "metadata": {"name": "release-manifest", "namespace": namespace},
            "data": data,
        }
        store = self.state / "configmaps"
        store.mkdir(exist_ok=True)
        (store / f"{namespace}.release-manifest.json").write_text(json.dumps(item))


@pytest.fixture
def fake_clis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeClis:
    real_kubectl = shutil.which("kubectl")
    if real_kubectl is None:
        pytest.fail("kubectl (with kustomize) is needed to render overlays and is not on PATH")
    bin_dir = tmp_path / "fake-bin"
    state = tmp_path / "fake-state"
    bin_dir.mkdir()
    state.mkdir()
    (bin_dir / "az").symlink_to(FAKES / "fake-az")
    (bin_dir / "kubectl").symlink_to(FAKES / "fake-kubectl")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CLI_STATE", str(state))
    monkeypatch.setenv("FAKE_REAL_KUBECTL", real_kubectl)
    for name in ("AZURE_FEDERATED_TOKEN_FILE", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    return FakeClis(state, bin_dir)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repo root with k8s/overlays/dev: one Deployment per service, images by name as in k8s/base."""
    root = tmp_path / "repo"
    overlay = root / "k8s" / "overlays" / "dev"
    overlay.mkdir(parents=True)
    documents = [
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": service},
            "spec": {
                "selector": {"matchLabels": {"app": service}},
                "template": {
                    "metadata": {"labels": {"app": service}},
                    "spec": {"containers": [{"name": service, "image": f"contoso-shop/{service}"}]},
                },
            },
        }
        for service in SERVICES
    ]
    overlay.joinpath("deployments.yaml").write_text(yaml.safe_dump_all(documents))
    overlay.joinpath("kustomization.yaml").write_text(
        yaml.safe_dump({"namespace": "contoso-shop-dev", "resources": ["deployments.yaml"]})
    )
    return root


def release(commit: str, fill: str) -> ReleaseManifest:
    return ReleaseManifest(
        commit=commit,
        registry="contososhop.azurecr.io",
        images={s: Image(f"contoso-shop/{s}", "sha256:" + fill * 64) for s in SERVICES},
    )


@pytest.fixture
def manifest_file(tmp_path: Path) -> Path:
    path = tmp_path / "release-manifest.json"
    path.write_text(release("a1b2c3d", "a").dumps())
    return path
