"""Shared factories for the Event Hubs emulator tests: settings, providers on a manual clock, and
emulator processes on free ports."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from emulator_common.clock import ManualClock
from emulator_common.testing import ProviderFactory, ServiceProcess, connection_string
from eventhubs_emulator.model import DEFAULT_CONSUMER_GROUP, HubSettings, IncomingEvent, NamespaceSettings
from eventhubs_emulator.provider import EventHubsProvider
from eventhubs_emulator.store import MemoryStore, SqliteStore

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


class Factory(ProviderFactory[EventHubsProvider]):
    """Builds providers on a shared manual clock and closes them after the test."""

    hub = staticmethod(hub)
    namespace = staticmethod(namespace)
    events = staticmethod(events)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def factory(clock: ManualClock) -> AsyncIterator[Factory]:
    stores = {"memory_store": MemoryStore, "sqlite_store": SqliteStore}
    async with Factory(clock, EventHubsProvider, default_settings=namespace, **stores) as made:
        yield made


class EmulatorProcess(ServiceProcess):
    """An ``eventhubs-emulator`` process on free ports; its log lines are kept for inspection."""

    def __init__(
        self, config: Path, data_dir: Path | None = None, amqp_port: int = 0, extra: tuple[str, ...] = ()
    ) -> None:
        args = ["--config", str(config), "--amqp-port", str(amqp_port), "--http-port", "0", *extra]
        if data_dir is not None:
            args += ["--data-dir", str(data_dir)]
        super().__init__("eventhubs_emulator.cli", *args)

    @property
    def amqp_port(self) -> int:
        return self.port("amqp_port")

    @property
    def http_port(self) -> int:
        return self.port("http_port")

    def connection_string(self, hub_name: str | None = HUB) -> str:
        return connection_string(self.amqp_port, entity=hub_name)

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"


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
