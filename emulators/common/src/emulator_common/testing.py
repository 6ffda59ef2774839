"""Test helpers: run an emulator as a real process on free ports and learn its ports from its log;
build an emulator's providers on a manual clock (`ProviderFactory`).

Every emulator's command line logs one JSON line with ``"event": "listening"`` once it serves
(`emulator_common.runner`); started with port 0, that line is the only place the bound ports are known.

    with launched("mailbox_emulator.cli", "--smtp-port", "0", "--http-port", "0") as mailbox:
        mailbox.port("http_port")

The process's stdout (stderr merged into it) is read on a thread for its whole life, so a chatty process
never blocks on a full pipe and a test can inspect every line it wrote (`ServiceProcess.lines`).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, Generic, Protocol, Self, TypeVar

from emulator_common.clock import ManualClock

__all__ = ["ProviderFactory", "ServiceProcess", "close_receiving", "connection_string", "launched"]

ProviderT = TypeVar("ProviderT", bound="_Closable")


class _Closable(Protocol):
    async def close(self) -> None: ...


class ProviderFactory(Generic[ProviderT]):
    """Builds an emulator's providers (``build(settings, store, clock)``) on one manual clock and closes
    those a test leaves open (`close_all`, or leaving ``async with``). Settings and store default to
    ``default_settings()`` and ``memory_store()``."""

    def __init__(
        self,
        clock: ManualClock,
        build: Callable[[Any, Any, ManualClock], ProviderT],
        *,
        default_settings: Callable[[], Any],
        memory_store: Callable[[], Any],
        sqlite_store: Callable[[Path], Any],
    ) -> None:
        self.clock = clock
        self.providers: list[ProviderT] = []
        self._build = build
        self._default_settings = default_settings
        self._memory_store = memory_store
        self._sqlite_store = sqlite_store

    def provider(self, settings: Any = None, store: Any = None) -> ProviderT:
        made = self._build(settings or self._default_settings(), store or self._memory_store(), self.clock)
        self.providers.append(made)
        return made

    def sqlite_provider(self, directory: Path, settings: Any = None) -> ProviderT:
        return self.provider(settings, self._sqlite_store(directory))

    async def close(self, provider: ProviderT) -> None:
        self.providers.remove(provider)
        await provider.close()

    async def close_all(self) -> None:
        for provider in list(self.providers):
            await self.close(provider)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close_all()


def connection_string(port: int, key: str = "SAS_KEY_VALUE", *, entity: str | None = None) -> str:
    """A Service Bus / Event Hubs connection string for an emulator's AMQP ``port`` on 127.0.0.1."""
    parts = {
        "Endpoint": f"sb://127.0.0.1:{port}",
        "SharedAccessKeyName": "RootManageSharedAccessKey",
        "SharedAccessKey": key,
        "UseDevelopmentEmulator": "true",
    }
    if entity:
        parts["EntityPath"] = entity
    return "".join(f"{name}={value};" for name, value in parts.items())


async def close_receiving(client: _Closable, task: asyncio.Task[Any] | None) -> None:
    """Close an SDK consumer client, then cancel the task running its ``receive`` and wait for it (the
    asyncio SDKs' ``receive`` would return only after their 30 s load-balancing sleep)."""
    await client.close()
    if task is None:
        return
    task.cancel()
    with suppress(asyncio.CancelledError):
        await task


class ServiceProcess:
    """``python -m MODULE ARGS`` as a child process; `start` returns once it logged its listening line."""

    def __init__(self, module: str, *args: str, env: Mapping[str, str] | None = None) -> None:
        """``env``: variables added to this process's environment (e.g. ``PYTHONPATH``)."""
        self.command = [sys.executable, "-m", module, *args]
        self.env = {**os.environ, **env} if env is not None else None
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self.listening: dict[str, Any] = {}
        self._reader: threading.Thread | None = None

    def start(self, timeout: float = 30.0) -> Self:
        """Start the process and wait for its listening line; kill it and raise if none comes."""
        self.lines = []
        self.listening = {}
        self.process = subprocess.Popen(
            self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=self.env
        )
        settled = threading.Event()
        assert self.process.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.process.stdout, settled), daemon=True)
        self._reader.start()
        if not settled.wait(timeout) or not self.listening:
            self.kill()
            output = "\n".join(self.lines)
            code = self.process.returncode
            raise RuntimeError(f"{self.command[2]} did not start (exit code {code}):\n{output}")
        return self

    def _read(self, stream: IO[str], settled: threading.Event) -> None:
        """Keep every line; settle on the listening line or, if the process ends first, at its end."""
        with stream:
            for line in stream:
                self.lines.append(line.rstrip("\n"))
                if self.listening:
                    continue
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if isinstance(entry, dict) and entry.get("event") == "listening":
                    self.listening = entry
                    settled.set()
        settled.set()

    def port(self, name: str) -> int:
        """A port of the listening line (``amqp_port``, ``http_port``, ``smtp_port`` ...)."""
        return int(self.listening[name])

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, then SIGKILL if it has not ended within ``timeout``; the exit code."""
        assert self.process is not None, "not started"
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        self._join()
        return self.process.returncode

    def kill(self) -> None:
        """SIGKILL if still running (a crash, as far as the service can tell)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        self._join()

    def _join(self) -> None:
        if self._reader is not None:
            self._reader.join(10)
            self._reader = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.kill()


@contextmanager
def launched(
    module: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 30.0
) -> Iterator[ServiceProcess]:
    """A started `ServiceProcess`, killed when the block ends (whatever the test did to it meanwhile)."""
    with ServiceProcess(module, *args, env=env).start(timeout) as running:
        yield running
