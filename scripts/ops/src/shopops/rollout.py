"""Puts a release on an environment: the overlay rendered with every image pinned by digest, applied,
and each deployment's rollout waited for.

The images are pinned the way `kustomize edit set image` does it (an `images:` entry with `newName` and
`digest`), written into a throwaway kustomization that points at the environment's overlay, so the
checked-in overlay is never edited and a second run renders the same objects.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import yaml

from shopops.cli_tools import CommandLine
from shopops.environments import Environment
from shopops.errors import RefusedInputError, RolloutFailedError
from shopops.manifest import ReleaseManifest


def _image_names(rendered: str) -> set[str]:
    """Every container image the rendered overlay names, without tag or digest."""
    names = set()
    for document in yaml.safe_load_all(rendered):
        pod = (document or {}).get("spec", {}).get("template", {}).get("spec", {})
        for container in [*pod.get("containers", []), *pod.get("initContainers", [])]:
            names.add(re.sub(r"(@sha256:[0-9a-f]+|:[\w.-]+)$", "", container["image"]))
    return names


def pinned_kustomization(overlay: str, manifest: ReleaseManifest, names: set[str]) -> dict[str, object]:
    """The overlay with each release image pinned by digest, matched on the name the overlay left it with
    (`contoso-shop/product`, or the registry name the overlay's own `images:` gave it)."""
    images = [
        {"name": name, "newName": f"{manifest.registry}/{image.repository}", "digest": image.digest}
        for _, image in sorted(manifest.images.items())
        for name in sorted(names)
        if name == image.repository or name.endswith("/" + image.repository)
    ]
    return {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [overlay],
        "images": images,
    }


def render(kubectl: CommandLine, overlay: Path, manifest: ReleaseManifest) -> str:
    if not (overlay / "kustomization.yaml").is_file():
        raise RefusedInputError(f"overlay not found: {overlay}/kustomization.yaml")
    names = _image_names(kubectl.check(["kustomize", str(overlay)]))
    repositories = {image.repository for image in manifest.images.values()}
    unpinned = sorted(
        name
        for name in names
        if "contoso-shop/" in name and name.split("/", name.count("/") - 1)[-1] not in repositories
    )
    if unpinned:
        # Deploying would leave these on whatever tag the overlay names: refuse rather than mix releases.
        raise RefusedInputError(
            f"release manifest has no image for {', '.join(unpinned)} (used by {overlay})"
        )
    with tempfile.TemporaryDirectory(prefix="shop-ops-") as work:
        # kustomize takes only relative resource paths.
        relative = os.path.relpath(overlay.resolve(), work)
        pinned = pinned_kustomization(relative, manifest, names)
        Path(work, "kustomization.yaml").write_text(yaml.safe_dump(pinned))
        return kubectl.check(["kustomize", work])


def roll_out(
    kubectl: CommandLine, environment: Environment, repo_root: Path, manifest: ReleaseManifest, timeout: str
) -> None:
    missing = [service.name for service in environment.services if service.name not in manifest.images]
    if missing:
        raise RefusedInputError(f"release manifest has no image for {', '.join(missing)}")
    rendered = render(kubectl, repo_root / environment.overlay, manifest)
    kubectl.check(["apply", "--namespace", environment.namespace, "--filename", "-"], stdin=rendered)
    for service in environment.services:
        done = kubectl.run(
            [
                "rollout",
                "status",
                f"deployment/{service.name}",
                "--namespace",
                environment.namespace,
                f"--timeout={timeout}",
            ]
        )
        if done.returncode != 0:
            reason = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "no output"
            raise RolloutFailedError(
                f"rollout of deployment/{service.name} in {environment.namespace} failed: {reason}"
            )


def connect(az: CommandLine, environment: Environment) -> None:
    """kubectl credentials for the environment's AKS cluster (kubelogin with the pipeline's identity)."""
    az.check(
        [
            "aks",
            "get-credentials",
            "--resource-group",
            environment.resource_group,
            "--name",
            environment.aks_cluster,
            "--overwrite-existing",
            "--output",
            "none",
        ]
    )
    # AKS with Entra ID auth needs kubelogin to turn the kubeconfig into one that uses az's token.
    if shutil.which("kubelogin"):
        CommandLine("kubelogin").check(["convert-kubeconfig", "--login", "azurecli"])
