"""Starts components in dependency order, waits for readiness, watches them, stops them in reverse.

A component starts as soon as everything it depends on is ready, so independent components start
in parallel. If one fails to become ready, the others are stopped and the failure carries the tail of
its log. A component that dies later is reported through `on_event`; the rest keep running.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from shopctl.errors import ComponentFailedError, PortInUseError
from shopctl.health import check, probe_client
from shopctl.ports import port_holder, port_is_free
from shopctl.process import ManagedProcess, tail
from shopctl.resolve import ResolvedComponent
from shopctl.state import ComponentState, RunState, write_state

log = logging.getLogger(__name__)

_POLL_FIRST, _POLL_MAX = 0.05, 0.5


def check_ports(components: list[ResolvedComponent]) -> None:
    """Fail before starting anything when a port is taken, naming the holder when the OS tells us."""
    for component in components:
        for port_name, port in component.ports.items():
            if not port_is_free(component.host, port):
                raise PortInUseError(component.name, port_name, port, port_holder(port))


class Supervisor:
    def __init__(
        self,
        components: list[ResolvedComponent],
        *,
        root: Path,
        environ: Mapping[str, str] | None = None,
        state_path: Path | None = None,
        on_event: Callable[[str], None] = lambda message: None,
    ) -> None:
        self.components = components
        self._environ = dict(os.environ if environ is None else environ)
        self._root = root
        self._state_path = state_path
        self._on_event = on_event
        self._processes: dict[str, ManagedProcess] = {}
        self._status: dict[str, str] = {c.name: "pending" for c in components}
        self._run_status = "starting"
        self._error = ""
        self._watchers: list[asyncio.Task[None]] = []
        self._stopping = False
        self.started_at = time.monotonic()
        self.ready_after: float | None = None

    async def start(self) -> None:
        """Start everything and wait until all are ready; on failure stop what started, then raise."""
        check_ports(self.components)
        self._save()
        ready = {c.name: asyncio.Event() for c in self.components}
        tasks = [asyncio.create_task(self._start_one(c, ready), name=c.name) for c in self.components]
        try:
            await _first_failure(tasks)
        except BaseException as exc:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._run_status, self._error = "failed", str(exc)
            await self.stop()
            raise
        self.ready_after = time.monotonic() - self.started_at
        self._run_status = "ready"
        self._save()

    async def _start_one(self, component: ResolvedComponent, ready: dict[str, asyncio.Event]) -> None:
        for dep in component.depends_on:
            if dep in ready:
                await ready[dep].wait()
        process = ManagedProcess(component, self._root, self._environ)
        self._processes[component.name] = process
        self._set_status(component.name, "starting")
        await process.start()
        log.info("started %s (pid %s): %s", component.name, process.pid, " ".join(component.command))
        await self._wait_ready(component, process)
        self._set_status(component.name, "ready")
        self._on_event(f"{component.name} is ready")
        self._watchers.append(asyncio.create_task(self._watch(component, process)))
        ready[component.name].set()

    async def _wait_ready(self, component: ResolvedComponent, process: ManagedProcess) -> None:
        deadline = time.monotonic() + component.ready_timeout
        delay, detail = _POLL_FIRST, "no answer yet"
        async with probe_client() as client:
            while True:
                if process.returncode is not None:
                    self._set_status(component.name, f"exited ({process.returncode})")
                    raise ComponentFailedError(
                        component.name,
                        f"exited with code {process.returncode} before it was ready",
                        tail(component.log_file),
                    )
                healthy, detail = await check(component.ready, client)
                if healthy:
                    return
                if time.monotonic() >= deadline:
                    self._set_status(component.name, "not ready")
                    raise ComponentFailedError(
                        component.name,
                        f"was not ready after {component.ready_timeout:g} s "
                        f"({component.ready.describe()}: {detail})",
                        tail(component.log_file),
                    )
                await asyncio.sleep(delay)
                delay = min(delay * 2, _POLL_MAX)

    async def _watch(self, component: ResolvedComponent, process: ManagedProcess) -> None:
        code = await process.wait()
        if self._stopping:
            return
        self._set_status(component.name, f"exited ({code})")
        message = f"{component.name} exited unexpectedly with code {code}"
        log_tail = tail(component.log_file)
        self._on_event(f"{message}\n--- last lines of {component.name}'s log ---\n{log_tail}")

    async def stop(self) -> None:
        """Stop every started component, dependents before their dependencies."""
        self._stopping = True
        if self._run_status != "failed":
            self._run_status = "stopping"
        self._save()
        for component in reversed(self.components):
            process = self._processes.get(component.name)
            if process is None:
                continue
            if process.returncode is None:
                await process.stop(component.stop_timeout)
                self._set_status(component.name, "stopped")
        for watcher in self._watchers:
            watcher.cancel()
        await asyncio.gather(*self._watchers, return_exceptions=True)

    def pids(self) -> dict[str, int | None]:
        return {name: process.pid for name, process in self._processes.items()}

    def status_of(self, name: str) -> str:
        return self._status[name]

    def _set_status(self, name: str, status: str) -> None:
        self._status[name] = status
        self._save()

    def _save(self) -> None:
        if self._state_path is None:
            return
        state = RunState(supervisor_pid=os.getpid(), status=self._run_status, error=self._error)
        for component in self.components:
            process = self._processes.get(component.name)
            state.components[component.name] = ComponentState(
                pid=process.pid if process else None,
                status=self._status[component.name],
                ports=component.ports,
                urls=component.urls,
                health=component.health.describe(),
                log_file=str(component.log_file),
            )
        with contextlib.suppress(OSError):
            write_state(self._state_path, state)


async def _first_failure(tasks: list[asyncio.Task[None]]) -> None:
    """Wait for all tasks; re-raise the first exception as soon as it happens."""
    pending = set(tasks)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
