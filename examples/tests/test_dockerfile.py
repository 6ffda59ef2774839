"""examples/docker/multi-stage.Dockerfile: hadolint (with the repository's .hadolint.yaml, as `make lint` runs
it) and checkov (shopk8s.scan, as k8s/tests run it on every Dockerfile), and in step with
services/python-service.Dockerfile (base images, stage names, user, port, health path, uv sync flags)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import ContainerScan
from examples_testing import DOCKERFILE, REPO_ROOT, broken_copy, dockerfile_drift
from shopctl.platform import Platform

HADOLINT = REPO_ROOT / ".venv" / "bin" / "hadolint"


def _hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    # From the repository root, where hadolint finds .hadolint.yaml (warnings fail).
    return subprocess.run(
        [str(HADOLINT), str(dockerfile)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_example_passes_hadolint() -> None:
    result = _hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_fails_a_copy_with_an_unpinned_base_image_naming_it(tmp_path: Path) -> None:
    copy = broken_copy(
        DOCKERFILE, tmp_path, "FROM python:3.11.11-slim-bookworm AS base", "FROM python AS base"
    )
    result = _hadolint(copy)
    assert result.returncode != 0
    assert f"{copy}:" in result.stdout, result.stdout
    assert "DL3006" in result.stdout, result.stdout


def test_example_passes_checkov(container_checkov: ContainerScan) -> None:
    assert [p for p in container_checkov.problems if str(container_checkov.dockerfile) in p] == []


def test_checkov_fails_a_copy_without_user_naming_it(container_checkov: ContainerScan) -> None:
    # checkov names files relative to where it ran (`/../pytest-of-…` when the repo sits beside the temp
    # folder), so the copy is matched by its last folders, not its absolute path.
    copy = "/".join(container_checkov.broken_dockerfile.parts[-3:])
    failed = [p for p in container_checkov.problems if copy in p]
    assert any("CKV_DOCKER_3" in p for p in failed), container_checkov.problems


def test_example_is_in_step_with_the_python_service_image(shop_platform: Platform) -> None:
    assert dockerfile_drift(DOCKERFILE, shop_platform) == []


def test_in_step_fails_when_the_base_image_differs(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(
        DOCKERFILE,
        tmp_path,
        "FROM python:3.11.11-slim-bookworm AS base",
        "FROM python:3.12.8-slim-bookworm AS base",
    )
    problems = dockerfile_drift(copy, shop_platform)
    assert any(p.startswith(f"{copy}: base images") and "python:3.12.8" in p for p in problems), problems


def test_in_step_fails_when_the_port_differs(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(DOCKERFILE, tmp_path, "EXPOSE 8001", "EXPOSE 8000")
    problems = dockerfile_drift(copy, shop_platform)
    assert any(p.startswith(f"{copy}: runtime EXPOSE ['8000']") for p in problems), problems


def test_in_step_fails_when_a_stage_is_renamed(tmp_path: Path, shop_platform: Platform) -> None:
    copy = broken_copy(DOCKERFILE, tmp_path, " AS build", " AS builder")
    copy.write_text(copy.read_text().replace("--from=build ", "--from=builder "))
    problems = dockerfile_drift(copy, shop_platform)
    assert f"{copy}: stage 'builder' is not a stage of services/python-service.Dockerfile" in problems
