"""Which releases an environment ran: the ConfigMap `release-manifest` in its namespace.

`current` is the last release whose rollout succeeded, `previous` the one before it. Written only
after a successful rollout and only when it changes, so a repeated deploy changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from shopops.cli_tools import CommandLine
from shopops.errors import OpsError
from shopops.manifest import ReleaseManifest, parse

CONFIGMAP = "release-manifest"


@dataclass(frozen=True)
class History:
    current: ReleaseManifest | None
    previous: ReleaseManifest | None


def read(kubectl: CommandLine, namespace: str) -> History:
    done = kubectl.run(["get", "configmap", CONFIGMAP, "--namespace", namespace, "--output", "json"])
    if done.returncode != 0:
        if "NotFound" in done.stderr:
            return History(None, None)
        raise OpsError(f"kubectl cannot read configmap {CONFIGMAP} in {namespace}: {done.stderr.strip()}")
    data = json.loads(done.stdout).get("data", {})
    source = f"configmap {namespace}/{CONFIGMAP}"

    def entry(key: str) -> ReleaseManifest | None:
        return parse(json.loads(data[key]), f"{source} {key}") if key in data else None

    return History(entry("current"), entry("previous"))


def write(kubectl: CommandLine, namespace: str, history: History) -> None:
    data = {
        key: manifest.dumps()
        for key, manifest in (("current", history.current), ("previous", history.previous))
        if manifest is not None
    }
    configmap = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": CONFIGMAP,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/part-of": "contoso-shop"},
        },
        "data": data,
    }
    kubectl.check(["apply", "--namespace", namespace, "--filename", "-"], stdin=json.dumps(configmap))
