"""The body the pipelines send to the release-approval flow, built from a release manifest.

The contract is the Power Platform's (power-platform/approvals/release-approval.openapi.yaml,
`ReleaseManifest` schema); `shop-await-release-approval` submits it and waits for the decision.
"""

from __future__ import annotations

from typing import Any

from shopops.manifest import ReleaseManifest


def build(
    manifest: ReleaseManifest,
    environment: str,
    release_id: str,
    requested_by: str,
    run_url: str,
    timeout_minutes: int,
) -> dict[str, Any]:
    return {
        "releaseId": release_id,
        "environment": environment,
        "images": [
            {"image": f"{manifest.registry}/{image.repository}", "digest": image.digest}
            for _, image in sorted(manifest.images.items())
        ],
        "commit": manifest.commit,
        "requestedBy": requested_by,
        "pipelineRunUrl": run_url,
        "timeoutMinutes": timeout_minutes,
    }
