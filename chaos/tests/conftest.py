"""One real platform (everything but the storefront, on free ports, state in a temporary directory) shared
by the tests that need one; started through the runner's own `ensure_platform` and stopped at the end."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from shopchaos.runner import DEFAULT_COMPONENTS, ensure_platform
from shopctl.workspace import PLATFORM_FILE, Workspace

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class RunningPlatform:
    state_dir: Path
    workspace: Workspace

    def chaos(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "shopchaos", *args, "--state-dir", str(self.state_dir)],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=REPO,
            check=False,
        )

    def spawn_chaos(self, *args: str, sigint_ignored: bool = False) -> subprocess.Popen[str]:
        """The runner as a process of its own; with ``sigint_ignored`` it starts with SIGINT ignored, as a
        command a script put in the background does."""
        command = [sys.executable, "-m", "shopchaos", *args, "--state-dir", str(self.state_dir)]
        if sigint_ignored:
            command = ["bash", "-c", 'trap "" INT; exec "$@"', "bash", *command]
        return subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=REPO,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    state_dir = tmp_path_factory.mktemp("chaos-platform")
    before = os.environ.get("SHOP_STATE_DIR")
    os.environ["SHOP_STATE_DIR"] = str(state_dir)
    workspace = Workspace.open(REPO / PLATFORM_FILE, str(state_dir))
    try:
        ensure_platform(workspace, list(DEFAULT_COMPONENTS), free_ports=True)
        yield RunningPlatform(state_dir, workspace)
    finally:
        subprocess.run([sys.executable, "-m", "shopctl", "down"], capture_output=True, check=False, cwd=REPO)
        if before is None:
            os.environ.pop("SHOP_STATE_DIR", None)
        else:
            os.environ["SHOP_STATE_DIR"] = before
