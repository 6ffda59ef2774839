"""Makes tests/examples_testing.py importable, and runs the two checkov scans once per session: the Bicep one
(shopinfra's, a checkov process of its own) in the background from the end of collection, so it overlaps
with the other tests, and the Kubernetes + Dockerfile one (shopk8s's, in-process) on first use. Each scans
the examples and, beside them, one broken copy of each, so the same run shows that it bites."""

from __future__ import annotations

import shutil
import sys
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from examples_testing import BICEP, DOCKERFILE, INFRA, MANIFEST, broken_copy
from shopctl.platform import Platform
from shopinfra.checkov_run import CheckovReport, run_checkov
from shopk8s import platform
from shopk8s.scan import scan

# What the broken copies break, each something checkov has a check for.
BICEP_BREAK = ("adminUserEnabled: false", "adminUserEnabled: true")  # CKV_AZURE_137
MANIFEST_BREAK = ("privileged: false", "privileged: true")  # CKV_K8S_16
DOCKERFILE_BREAK = ("USER 10001:10001\n", "")  # CKV_DOCKER_3


@dataclass(frozen=True)
class BicepScan:
    report: CheckovReport
    example: Path
    broken: Path


@dataclass(frozen=True)
class ContainerScan:
    problems: list[str]
    manifest: Path
    broken_manifest: Path
    dockerfile: Path
    broken_dockerfile: Path


def _bicep_scan(root: Path) -> BicepScan:
    example = root / "example" / BICEP.name
    example.parent.mkdir(parents=True)
    shutil.copy(BICEP, example)
    broken = broken_copy(BICEP, root / "broken", *BICEP_BREAK)
    # infra/'s own checkov settings: the example is held to the same skips as the real templates.
    report = run_checkov(root, config_file=INFRA / ".checkov.yaml")
    return BicepScan(report, example, broken)


def _container_scan(root: Path) -> ContainerScan:
    broken_manifest = broken_copy(MANIFEST, root, *MANIFEST_BREAK)
    broken_dockerfile = broken_copy(DOCKERFILE, root, *DOCKERFILE_BREAK)
    problems = scan([MANIFEST, broken_manifest], [DOCKERFILE, broken_dockerfile])
    return ContainerScan([str(p) for p in problems], MANIFEST, broken_manifest, DOCKERFILE, broken_dockerfile)


# The Bicep scan runs in the background from the end of collection: it is a process of its own, so it works
# while the other tests run (the in-process scan would compete with them for the interpreter).
_pool = ThreadPoolExecutor(max_workers=1)
_scratch = tempfile.TemporaryDirectory(prefix="shop-examples-checkov-")
_bicep: Future[BicepScan] | None = None


def _uses_bicep_checkov(item: pytest.Item) -> bool:
    return "bicep_checkov" in getattr(item, "fixturenames", ())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The tests that wait for the Bicep scan go last.
    items.sort(key=_uses_bicep_checkov)


def pytest_collection_finish(session: pytest.Session) -> None:
    global _bicep
    if any(map(_uses_bicep_checkov, session.items)) and not session.config.option.collectonly:
        _bicep = _pool.submit(_bicep_scan, Path(_scratch.name))


def pytest_sessionfinish() -> None:
    _pool.shutdown(wait=True)
    _scratch.cleanup()


@pytest.fixture(scope="session")
def bicep_checkov() -> BicepScan:
    assert _bicep is not None, "the Bicep scan was not started at collection"
    return _bicep.result()


@pytest.fixture(scope="session")
def container_checkov(tmp_path_factory: pytest.TempPathFactory) -> ContainerScan:
    return _container_scan(tmp_path_factory.mktemp("container-checkov"))


@pytest.fixture(scope="session")
def shop_platform() -> Platform:
    return platform.load()
