"""checkov over rendered manifests and Dockerfiles, run in-process (its start-up dominates its run time, so
one import serves every scan of a test session)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from shopk8s.manifests import Problem

# Kubernetes checks we skip, each for a reason:
SKIPPED_KUBERNETES_CHECKS = {
    # "Image Pull Policy should be Always": images are addressed by an immutable tag or digest (kind: Tilt's
    # content-hash tags; Azure: the digest the pipeline sets), so Always only adds a registry round-trip to
    # each pod start and stops restarts during a registry outage.
    "CKV_K8S_15",
    # "Image should use digest": the committed overlays cannot know digests; the pipeline sets them with
    # `kustomize edit set image contoso-shop/<component>=<registry>/contoso-shop/<component>@sha256:...`.
    "CKV_K8S_43",
    # "Prefer using secrets as files over secrets as environment variables": the payment gateway key (Key
    # Vault through the CSI driver) reaches the service as PAYMENT_GATEWAY_API_KEY because the services read
    # their settings only from the environment (12-factor, pydantic-settings); the CSI volume is mounted too.
    "CKV_K8S_35",
}
# Dockerfile skips are written next to the line they concern (`# checkov:skip=...` in the Dockerfile).


def scan(manifests: list[Path], dockerfiles: list[Path]) -> list[Problem]:
    """Failed checks as problems naming the file, the resource and the check."""
    # No download of the platform's guideline mapping: the checks run offline.
    os.environ.setdefault("BC_SKIP_MAPPING", "TRUE")
    from checkov.dockerfile.runner import Runner as DockerfileRunner
    from checkov.kubernetes.runner import Runner as KubernetesRunner
    from checkov.runner_filter import RunnerFilter

    problems = []
    runs: tuple[tuple[Any, list[Path], str, list[str]], ...] = (
        (KubernetesRunner(), manifests, "kubernetes", sorted(SKIPPED_KUBERNETES_CHECKS)),
        (DockerfileRunner(), dockerfiles, "dockerfile", []),
    )
    for runner, files, framework, skipped in runs:
        if not files:
            continue
        reports = runner.run(
            root_folder=None,
            files=[str(f) for f in files],
            runner_filter=RunnerFilter(framework=[framework], skip_checks=skipped),
        )
        for failed in [
            f for r in (reports if isinstance(reports, list) else [reports]) for f in r.failed_checks
        ]:
            lines = failed.file_line_range
            problems.append(
                Problem(
                    f"{failed.file_path}:{lines[0]} {failed.resource}",
                    f"{failed.check_id} {failed.check_name}",
                )
            )
    return problems
