"""Start real platform components for a test suite, each on a free port, stopped on exit.

    from shopctl.testing import launched

    with launched("azurite", "cosmos") as platform:
        blob = platform.url("azurite", "blob")
        cosmos_port = platform.port("cosmos")

Components come from harness/platform.yaml (dependencies included), state lives in a temporary
directory, so a developer's running `make up` is never disturbed. `SHOP_RUNTIME` picks how they run:
`processes` (the default: the commands of platform.yaml, as `make up`) or `containers` (the images
`docker buildx bake` builds, on one Docker network; see shopctl.containers), the same API either way.
With `record_state=True` the run state is written there as `shopctl up` writes it, so
`shopctl --state-dir <platform.state_dir> replay --target local` (or `status`) finds this platform.
The supervisor runs on its own event loop in a thread, so this works from plain and from async tests alike.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import threading
from collections.abc import Coroutine, Iterator, Mapping
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from shopctl.errors import ShopError
from shopctl.launched_platform import LaunchedPlatform
from shopctl.supervisor import Supervisor
from shopctl.workspace import PLATFORM_FILE, Workspace

T = TypeVar("T")
_REPO_ROOT = Path(__file__).resolve().parents[3]
RUNTIMES = ("processes", "containers")

__all__ = ["RUNTIMES", "LaunchedPlatform", "UnknownRuntimeError", "launched", "selected_runtime"]


class UnknownRuntimeError(ShopError):
    pass


def selected_runtime(environ: Mapping[str, str] = os.environ) -> str:
    """SHOP_RUNTIME, `processes` when unset or empty; anything else than RUNTIMES is refused."""
    runtime = environ.get("SHOP_RUNTIME") or "processes"
    if runtime not in RUNTIMES:
        raise UnknownRuntimeError(f"SHOP_RUNTIME={runtime!r}: expected one of {', '.join(RUNTIMES)}")
    return runtime


class _LoopThread:
    """An event loop of its own; the supervisor's child processes belong to this thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="shopctl-testing", daemon=True)
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result()

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


@contextmanager
def launched(
    *names: str,
    platform_file: Path | None = None,
    record_state: bool = False,
    environ: Mapping[str, str] = os.environ,
) -> Iterator[LaunchedPlatform]:
    workspace_file = platform_file or _REPO_ROOT / PLATFORM_FILE
    if selected_runtime(environ) == "containers":
        # Imported here: testcontainers (the extra shopctl[containers]) is needed by this runtime only.
        from shopctl.containers.launch import launched_containers

        # ignore_cleanup_errors: the containers' users may leave directories of their own in the shared state.
        with (
            tempfile.TemporaryDirectory(prefix="shop-test-", ignore_cleanup_errors=True) as state,
            launched_containers(list(names), workspace_file, Path(state), record_state) as platform,
        ):
            yield platform
        return
    with tempfile.TemporaryDirectory(prefix="shop-test-") as state:
        workspace = Workspace.open(workspace_file, state_dir=state)
        components = workspace.resolve(list(names), free_ports=True)
        state_path = workspace.state_path if record_state else None
        supervisor = Supervisor(components, root=workspace.root, state_path=state_path)
        runner = _LoopThread()
        try:
            runner.run(supervisor.start())
            yield LaunchedPlatform(components, Path(state))
        finally:
            runner.run(supervisor.stop())
            runner.close()
