"""Start real platform components for a test suite, each on a free port, stopped on exit.

    from shopctl.testing import launched

    with launched("azurite", "cosmos") as platform:
        blob = platform.url("azurite", "blob")
        cosmos_port = platform.port("cosmos")

Components come from harness/platform.yaml (dependencies included), state lives in a temporary
directory, so a developer's running `make up` is never disturbed. With `record_state=True` the run state
is written there as `shopctl up` writes it, so `shopctl --state-dir <platform.state_dir> replay --target
local` (or `status`) finds this platform. The supervisor runs on its own
event loop in a thread, so this works from plain and from async tests alike.
"""

from __future__ import annotations

import asyncio
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from shopctl.resolve import ResolvedComponent
from shopctl.supervisor import Supervisor
from shopctl.workspace import PLATFORM_FILE, Workspace

T = TypeVar("T")
_REPO_ROOT = Path(__file__).resolve().parents[3]


class LaunchedPlatform:
    def __init__(self, components: list[ResolvedComponent], state_dir: Path) -> None:
        self._by_name = {c.name: c for c in components}
        self.state_dir = state_dir

    def component(self, name: str) -> ResolvedComponent:
        return self._by_name[name]

    def port(self, name: str, port_name: str | None = None) -> int:
        ports = self._by_name[name].ports
        return ports[port_name] if port_name else next(iter(ports.values()))

    def url(self, name: str, url_name: str | None = None) -> str:
        urls = self._by_name[name].urls
        return urls[url_name] if url_name else next(iter(urls.values()))

    def env(self, name: str) -> dict[str, str]:
        """The environment the platform gives this component (its settings for local dependencies)."""
        return dict(self._by_name[name].env)


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
    *names: str, platform_file: Path | None = None, record_state: bool = False
) -> Iterator[LaunchedPlatform]:
    workspace_file = platform_file or _REPO_ROOT / PLATFORM_FILE
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
