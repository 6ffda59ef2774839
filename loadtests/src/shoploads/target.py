"""Where a run sends its load: the local platform (started if not running), an env file, or one --host.

The local platform and env files are shopctl's targets (harness/src/shopctl/scenarios/targets.py): the
same files `shopctl replay` takes, the same admin token minted from the local development signing key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


class LoadTargetError(RuntimeError):
    pass


@dataclass(frozen=True)
class LoadTarget:
    name: str
    product_url: str
    order_url: str
    admin_token: str | None
    # The local platform's state directory (its run state names the processes to profile); None elsewhere.
    state_dir: Path | None = None

    def environ(self) -> dict[str, str]:
        env = {"SHOP_LOAD_PRODUCT_URL": self.product_url, "SHOP_LOAD_ORDER_URL": self.order_url}
        if self.admin_token:
            env["SHOP_LOAD_ADMIN_TOKEN"] = self.admin_token
        return env


def load_target(spec: str, host: str | None, state_dir: str | None, start: bool) -> LoadTarget:
    if host:
        if not host.startswith(("http://", "https://")):
            raise LoadTargetError(f"--host must be an http(s) URL, got {host!r}")
        return LoadTarget(host, host.rstrip("/"), host.rstrip("/"), os.environ.get("SHOP_LOAD_ADMIN_TOKEN"))

    # shopctl only for its targets: importing it costs a second a --host run does not need to pay.
    from shopctl.errors import ShopError
    from shopctl.scenarios.commands import resolve_target
    from shopctl.workspace import Workspace, find_platform_file

    workspaces: list[Workspace] = []

    def open_workspace() -> Workspace:
        workspaces.append(Workspace.open(find_platform_file(None, os.environ), state_dir))
        return workspaces[-1]

    try:
        target = resolve_target(spec, open_workspace, start)
    except ShopError as exc:
        raise LoadTargetError(str(exc)) from exc
    local_state = workspaces[0].state_dir if workspaces else None
    product, order = target.url("product"), target.url("order")
    return LoadTarget(target.name, product, order, target.admin_token, local_state)


def results_dir(base: Path, name: str) -> Path:
    path = base / name
    path.mkdir(parents=True, exist_ok=True)
    return path
