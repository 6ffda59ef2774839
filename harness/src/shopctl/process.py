"""One component's operating-system process: spawn with its log file, stop with its whole process tree."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import psutil

from shopctl.resolve import ResolvedComponent

_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> Callable[[], None] | None:
    """On Linux, ask the kernel to SIGTERM the child when the supervisor dies, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(None, use_errno=True)

    def set_parent_death_signal() -> None:
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)

    return set_parent_death_signal


def tail(path: Path, lines: int = 20) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


class ManagedProcess:
    def __init__(self, component: ResolvedComponent, root: Path, environ: Mapping[str, str]) -> None:
        self.component = component
        self._root = root
        self._environ = environ
        self._process: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    @property
    def returncode(self) -> int | None:
        return self._process.returncode if self._process else None

    async def start(self, append_log: bool = False) -> None:
        """Spawn the command; a restart (`append_log`) keeps the earlier log so its last words survive."""
        component = self.component
        component.log_file.parent.mkdir(parents=True, exist_ok=True)
        component.data_dir.mkdir(parents=True, exist_ok=True)
        env = {**self._environ, "PYTHONUNBUFFERED": "1", **component.env}
        with component.log_file.open("ab" if append_log else "wb") as log:
            # A new session: Ctrl-C in the terminal reaches only shopctl, which then stops
            # each component in order, and each component's whole tree can be signalled as a group.
            self._process = await asyncio.create_subprocess_exec(
                *component.command,
                cwd=self._root,
                env=env,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=log,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent(),
            )

    async def wait(self) -> int:
        assert self._process is not None, "wait() before start()"
        return await self._process.wait()

    def send_signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the component's whole process group (its children too)."""
        if self._process is not None and self._process.returncode is None:
            _signal_group(self._process.pid, sig)

    async def stop(self, grace: float) -> None:
        """SIGTERM the process group, SIGKILL what is left after `grace` seconds, including strays."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        descendants = _descendants(process.pid)
        _signal_group(process.pid, signal.SIGTERM)
        # A paused (SIGSTOPped) group only acts on the SIGTERM once it runs again.
        _signal_group(process.pid, signal.SIGCONT)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except TimeoutError:
            _signal_group(process.pid, signal.SIGKILL)
            await process.wait()
        # Children that left the group (setsid, daemonising) would otherwise outlive us.
        _, alive = await asyncio.to_thread(psutil.wait_procs, descendants, timeout=1)
        for stray in alive:
            with contextlib.suppress(psutil.Error):
                stray.kill()


def _descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)
