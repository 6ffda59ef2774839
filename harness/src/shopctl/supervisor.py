"""Starts components in dependency order, waits for readiness, watches them, stops them in reverse.

A component starts as soon as everything it depends on is ready, so independent components start
in parallel. If one fails to become ready, the others are stopped and the failure carries the tail of
its log. A component that dies later is reported through `on_event`; the rest keep running.

Operators and chaos experiments act on single components of a running platform (`restart`, `kill`,
`pause`, `resume`). A death one of those caused on purpose is reported as intended, naming the action;
any other death is still reported as unexpected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from shopctl.errors import ComponentFailedError, PortInUseError, ShopError
from shopctl.health import check, probe_client
from shopctl.ports import port_holder, port_is_free
from shopctl.process import ManagedProcess, tail
from shopctl.resolve import RUN_COMPONENTS, ResolvedComponent, env_variable_for
from shopctl.state import ComponentState, RunState, write_state

log = logging.getLogger(__name__)

_POLL_FIRST, _POLL_MAX = 0.05, 0.5
_PORT_RELEASE_SECONDS = 10.0


@dataclass(frozen=True)
class ActionOutcome:
    """What `restart`, `kill`, `pause` or `resume` did to one component."""

    component: str
    action: str
    old_pid: int | None
    pid: int | None
    status: str
    ready: bool
    seconds: float
    detail: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> ActionOutcome:
        return cls(**raw)


class ComponentActionError(ShopError):
    """An action that cannot be carried out (unknown component, not running, not paused)."""


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
        # Every process learns the components of this run (SHOP_RUN_COMPONENTS) and the ports it chose
        # (SHOP_PORT_<COMPONENT>_<PORT>), so one that reads platform.yaml itself (Prometheus's scrape config)
        # finds the optional groups that run and the overridden and free ports, not the defaults.
        chosen_ports = {
            env_variable_for(c.name, port): str(n) for c in components for port, n in c.ports.items()
        }
        self._environ = {
            **(os.environ if environ is None else environ),
            **chosen_ports,
            RUN_COMPONENTS: ",".join(c.name for c in components),
        }
        self._root = root
        self._state_path = state_path
        self._on_event = on_event
        self._processes: dict[str, ManagedProcess] = {}
        self._status: dict[str, str] = {c.name: "pending" for c in components}
        self._run_status = "starting"
        self._error = ""
        self._watchers: list[asyncio.Task[None]] = []
        self._stopping = False
        self._by_name = {c.name: c for c in components}
        # pid → why shopctl ended it on purpose, so its watcher reports the death as intended.
        self._intended: dict[int, str] = {}
        self._paused: set[str] = set()
        self._actions = asyncio.Lock()
        self.control_path = ""
        self.started_at = time.monotonic()
        self.ready_after: float | None = None

    async def start(self) -> None:
        """Start everything and wait until all are ready; on failure stop what started, then raise."""
        check_ports(self.components)
        self.save()
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
        self.save()

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
        assert process.pid is not None
        why = self._intended.pop(process.pid, None)
        if why is not None:
            self._on_event(f"{component.name} (pid {process.pid}) exited with code {code}: {why}, as asked")
            return
        self._paused.discard(component.name)
        self._set_status(component.name, f"exited ({code})")
        message = f"{component.name} exited unexpectedly with code {code}"
        log_tail = tail(component.log_file)
        self._on_event(f"{message}\n--- last lines of {component.name}'s log ---\n{log_tail}")

    def component(self, name: str) -> ResolvedComponent:
        found = self._by_name.get(name)
        if found is None:
            raise ComponentActionError(
                f"unknown component {name!r}; running here: {', '.join(self._by_name) or 'none'}"
            )
        return found

    def _running(self, name: str) -> ManagedProcess | None:
        process = self._processes.get(name)
        return process if process is not None and process.returncode is None else None

    async def restart(self, name: str) -> ActionOutcome:
        """Stop the component if it runs (SIGTERM, then SIGKILL after its stop_timeout), start it again
        and wait until it is ready; also starts a component that is down (killed or crashed)."""
        component = self.component(name)
        async with self._actions:
            started = time.monotonic()
            old = self._running(name)
            old_pid = old.pid if old else None
            if old is not None:
                assert old.pid is not None
                self._intended[old.pid] = "stopped by `shopctl restart`"
                self._set_status(name, "restarting")
                await old.stop(component.stop_timeout)
            self._paused.discard(name)
            await _ports_released(component)
            process = ManagedProcess(component, self._root, self._environ)
            self._processes[name] = process
            self._set_status(name, "starting")
            await process.start(append_log=True)
            self._watchers.append(asyncio.create_task(self._watch(component, process)))
            try:
                await self._wait_ready(component, process)
            except ComponentFailedError as exc:
                return ActionOutcome(
                    name,
                    "restart",
                    old_pid,
                    process.pid,
                    self._status[name],
                    False,
                    _since(started),
                    str(exc),
                )
            self._set_status(name, "ready")
            self._on_event(f"{name} restarted (pid {old_pid or '-'} -> {process.pid}) and is ready")
            return ActionOutcome(name, "restart", old_pid, process.pid, "ready", True, _since(started))

    async def kill(self, name: str, sig: signal.Signals, wait: float = 10.0) -> ActionOutcome:
        """Send `sig` to the component's process group and wait up to `wait` seconds for it to exit.
        The component stays down until `restart`; a signal it survives leaves it running."""
        component = self.component(name)
        async with self._actions:
            started = time.monotonic()
            process = self._running(name)
            if process is None:
                raise ComponentActionError(f"{name} is not running ({self._status[name]})")
            pid = process.pid
            assert pid is not None
            self._intended[pid] = f"killed by `shopctl kill --signal {sig.name}`"
            process.send_signal(sig)
            if name in self._paused:
                process.send_signal(signal.SIGCONT)  # a stopped process acts on SIGTERM only once it runs
                self._paused.discard(name)
            try:
                code = await asyncio.wait_for(asyncio.shield(process.wait()), wait)
            except TimeoutError:
                self._intended.pop(pid, None)
                detail = f"still running {wait:g} s after {sig.name}"
                return ActionOutcome(
                    name, "kill", pid, pid, self._status[name], False, _since(started), detail
                )
            status = f"killed ({sig.name}, exit {code})"
            self._set_status(name, status)
            hint = f"down until `shopctl restart {component.name}`"
            return ActionOutcome(name, "kill", pid, None, status, False, _since(started), hint)

    async def pause(self, name: str) -> ActionOutcome:
        """SIGSTOP the component's process group: it holds its sockets and locks but answers nothing."""
        self.component(name)
        async with self._actions:
            process = self._running(name)
            if process is None:
                raise ComponentActionError(f"{name} is not running ({self._status[name]})")
            process.send_signal(signal.SIGSTOP)
            self._paused.add(name)
            self._set_status(name, "paused")
            return ActionOutcome(name, "pause", process.pid, process.pid, "paused", False, 0.0)

    async def resume(self, name: str) -> ActionOutcome:
        """SIGCONT a paused component and wait until it is ready again."""
        component = self.component(name)
        async with self._actions:
            started = time.monotonic()
            process = self._running(name)
            if process is None or name not in self._paused:
                raise ComponentActionError(f"{name} is not paused ({self._status[name]})")
            process.send_signal(signal.SIGCONT)
            self._paused.discard(name)
            try:
                await self._wait_ready(component, process)
            except ComponentFailedError as exc:
                return ActionOutcome(
                    name,
                    "resume",
                    process.pid,
                    process.pid,
                    self._status[name],
                    False,
                    _since(started),
                    str(exc),
                )
            self._set_status(name, "ready")
            return ActionOutcome(name, "resume", process.pid, process.pid, "ready", True, _since(started))

    def paused(self) -> list[str]:
        return sorted(self._paused)

    async def stop(self) -> None:
        """Stop every started component, dependents before their dependencies."""
        self._stopping = True
        if self._run_status != "failed":
            self._run_status = "stopping"
        self.save()
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
        self.save()

    def save(self) -> None:
        if self._state_path is None:
            return
        state = RunState(
            supervisor_pid=os.getpid(), status=self._run_status, error=self._error, control=self.control_path
        )
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


def _since(started: float) -> float:
    return round(time.monotonic() - started, 2)


async def _ports_released(component: ResolvedComponent) -> None:
    """Wait until the old process's listeners are gone, so the new one can bind."""
    deadline = time.monotonic() + _PORT_RELEASE_SECONDS
    while time.monotonic() < deadline:
        if all(port_is_free(component.host, port) for port in component.ports.values()):
            return
        await asyncio.sleep(0.1)


async def _first_failure(tasks: list[asyncio.Task[None]]) -> None:
    """Wait for all tasks; re-raise the first exception as soon as it happens."""
    pending = set(tasks)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            if task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
