"""checkov passes on every rendered overlay and every Dockerfile (skips listed with reasons in
shopk8s.scan), and fails on a broken copy, naming the resource."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from shopk8s.layout import OVERLAYS, REPO_ROOT
from shopk8s.manifests import Object
from shopk8s.scan import scan


def _dockerfiles() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        REPO_ROOT / f
        for f in listed
        if (Path(f).name == "Dockerfile" or f.endswith(".Dockerfile")) and (REPO_ROOT / f).is_file()
    ]


def test_checkov_passes_rendered_overlays_and_dockerfiles(
    rendered: dict[str, list[Object]], tmp_path: Path
) -> None:
    manifests = []
    for overlay in OVERLAYS:
        path = tmp_path / f"{overlay}.yaml"
        path.write_text(yaml.safe_dump_all(rendered[overlay]))
        manifests.append(path)
    assert len(_dockerfiles()) >= 5
    assert [str(p) for p in scan(manifests, _dockerfiles())] == []


def test_checkov_fails_a_privileged_container_naming_it(
    rendered: dict[str, list[Object]], tmp_path: Path
) -> None:
    objects = [o for o in rendered["dev"] if o["kind"] == "Deployment" and o["metadata"]["name"] == "order"]
    objects[0]["spec"]["template"]["spec"]["containers"][0]["securityContext"]["privileged"] = True
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump_all(objects))
    problems = [str(p) for p in scan([path], [])]
    assert any("Deployment.contoso-shop-dev.order" in p and "CKV_K8S_16" in p for p in problems), problems


def test_checkov_fails_a_dockerfile_running_as_root(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text('FROM node:20.20.2-bookworm-slim\nCMD ["node"]\n')
    problems = [str(p) for p in scan([], [dockerfile])]
    assert any("CKV_DOCKER_3" in p for p in problems), problems
