"""Shared factories for the Event Hubs emulator tests: settings, providers on a manual clock, and
emulator processes on free ports."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import pytest
from emulator_common.clock import ManualClock
from eventhubs_emulator.model import DEFAULT_CONSUMER_GROUP, HubSettings, IncomingEvent, NamespaceSettings
from eventhubs_emulator.provider import EventHubsProvider
from eventhubs_emulator.store import MemoryStore, SqliteStore, Store

CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"
HUB = "order-events"


def hub(
    name: str = HUB,
    partitions: int = 4,
    groups: tuple[str, ...] = ("analytics",),
    retention: timedelta = timedelta(days=7),
    max_event_size: int = 1024 * 1024,
) -> HubSettings:
    return HubSettings(name, partitions, (DEFAULT_CONSUMER_GROUP, *groups), retention, max_event_size)


def namespace(*hubs: HubSettings) -> NamespaceSettings:
    return NamespaceSettings("emulatorNs1", hubs or (hub(),))


def events(*bodies: bytes, key: str | None = None) -> list[IncomingEvent]:
    return [IncomingEvent(body, key) for body in bodies]


class Factory:
    """Builds providers on a shared manual clock and closes them after the test."""

    hub = staticmethod(hub)
    namespace = staticmethod(namespace)
    events = staticmethod(events)

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.providers: list[EventHubsProvider] = []

    def provider(
        self, settings: NamespaceSettings | None = None, store: Store | None = None
    ) -> EventHubsProvider:
        made = EventHubsProvider(settings or namespace(), store or MemoryStore(), self.clock)
        self.providers.append(made)
        return made

    def sqlite_provider(
        self, directory: Path, settings: NamespaceSettings | None = None
    ) -> EventHubsProvider:
        return self.provider(settings, SqliteStore(directory))

    async def close(self, provider: EventHubsProvider) -> None:
        self.providers.remove(provider)
        await provider.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def factory(clock: ManualClock) -> AsyncIterator[Factory]:
    made = Factory(clock)
    yield made
    for provider in list(made.providers):
        await provider.close()


class EmulatorProcess:
    """An ``eventhubs-emulator`` process on free ports; its log lines are kept for inspection."""

    def __init__(
        self, config: Path, data_dir: Path | None = None, amqp_port: int = 0, extra: tuple[str, ...] = ()
    ) -> None:
        self.config = config
        self.data_dir = data_dir
        self.requested_amqp_port = amqp_port
        self.extra = extra
        self.process: subprocess.Popen[str] | None = None
        self.lines: list[str] = []
        self.amqp_port = 0
        self.http_port = 0

    def start(self, timeout: float = 20.0) -> EmulatorProcess:
        command = [
            sys.executable,
            "-m",
            "eventhubs_emulator.cli",
            "--config",
            str(self.config),
            "--amqp-port",
            str(self.requested_amqp_port),
            "--http-port",
            "0",
            *self.extra,
        ]
        if self.data_dir is not None:
            command += ["--data-dir", str(self.data_dir)]
        self.lines = []
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        ready = threading.Event()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout, ready), daemon=True).start()
        if not ready.wait(timeout):
            self.kill()
            raise RuntimeError("emulator did not start:\n" + "\n".join(self.lines))
        return self

    def _read(self, stream: IO[str], ready: threading.Event) -> None:
        for line in stream:
            self.lines.append(line.rstrip())
            try:
                entry: dict[str, Any] = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("event") == "listening":
                self.amqp_port = int(entry["amqp_port"])
                self.http_port = int(entry["http_port"])
                ready.set()

    def connection_string(self, hub_name: str | None = HUB) -> str:
        text = (
            f"Endpoint=sb://127.0.0.1:{self.amqp_port};SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;"
        )
        return text + (f"EntityPath={hub_name}" if hub_name else "")

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


@pytest.fixture
def emulator_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[EmulatorProcess] = []

    def start(
        config: Path = CONFIG_DIR / "platform.json", data_dir: Path | None = None, amqp_port: int = 0
    ) -> EmulatorProcess:
        made = EmulatorProcess(config, data_dir, amqp_port).start()
        started.append(made)
        return made

    yield start
    for made in started:
        made.kill()


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    """One emulator (the platform config) shared by a test module."""
    made = EmulatorProcess(CONFIG_DIR / "platform.json").start()
    yield made
    made.kill()
