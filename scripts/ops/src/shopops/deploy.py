"""Deploy a release to an environment, and roll an environment back to its last good release."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from shopops import history, rollout
from shopops.cli_tools import AzureCli, CommandLine
from shopops.environments import Environment
from shopops.errors import OpsError
from shopops.manifest import ReleaseManifest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tools:
    az: AzureCli
    kubectl: CommandLine
    repo_root: Path
    timeout: str = "300s"


def deploy(tools: Tools, environment: Environment, manifest: ReleaseManifest) -> str:
    """Applies the release and waits for it; records it as current once every rollout succeeded."""
    tools.az.ensure_logged_in()
    rollout.connect(tools.az, environment)
    before = history.read(tools.kubectl, environment.namespace)
    rollout.roll_out(tools.kubectl, environment, tools.repo_root, manifest, tools.timeout)
    if before.current == manifest:
        return f"{environment.name}: release {manifest.commit} already current; nothing recorded"
    history.write(tools.kubectl, environment.namespace, history.History(manifest, before.current))
    return f"{environment.name}: release {manifest.commit} deployed and recorded as current"


def rollback(tools: Tools, environment: Environment, failed: ReleaseManifest) -> str:
    """Back to the last good release: `current` unless `current` is the failed one, else `previous`."""
    tools.az.ensure_logged_in()
    rollout.connect(tools.az, environment)
    recorded = history.read(tools.kubectl, environment.namespace)
    target = recorded.current if recorded.current != failed else recorded.previous
    if target is None:
        raise OpsError(
            f"{environment.name}: no earlier release recorded in {environment.namespace}; cannot roll back"
        )
    rollout.roll_out(tools.kubectl, environment, tools.repo_root, target, tools.timeout)
    if recorded.current != target:
        history.write(tools.kubectl, environment.namespace, history.History(target, recorded.previous))
    return f"{environment.name}: rolled back from {failed.commit} to {target.commit}"
