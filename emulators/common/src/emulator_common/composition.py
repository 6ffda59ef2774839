"""The composition both messaging emulators share: store → provider → admin HTTP server → AMQP listener.

An emulator subclasses `MessagingEmulator` and fills in what is its own (which store and provider, which
admin routes, which AMQP application); starting, stopping in reverse order, cleaning up after a failed
start and the ``listening`` log fields are the same for both.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from aiohttp import web

from emulator_common.admin_http import AdminServer, create_admin_app
from emulator_common.clock import Clock, SystemClock
from emulator_common.faults import FaultRegistry
from emulator_common.sas import SasValidator

__all__ = ["EMULATOR_KEYS", "AmqpListener", "EmulatorOptions", "MessagingEmulator", "Provider"]

# The well-known key of Microsoft's Service Bus and Event Hubs emulators; it protects nothing and is
# public on purpose.
EMULATOR_KEYS = {"RootManageSharedAccessKey": "SAS_KEY_VALUE"}


class Provider(Protocol):
    def start(self) -> None: ...

    async def close(self) -> None: ...


class AmqpListener(Protocol):
    @property
    def port(self) -> int: ...

    async def close(self) -> None: ...


ProviderT = TypeVar("ProviderT", bound=Provider)
SettingsT = TypeVar("SettingsT")


@dataclass(frozen=True, slots=True)
class EmulatorOptions:
    """Where an emulator listens and keeps its data; each emulator's module states its default ports."""

    host: str = "127.0.0.1"
    amqp_port: int = 0
    http_port: int = 0
    data_dir: Path | None = None
    fault_seed: int | None = None
    # Required on the admin routes when set; a non-loopback host needs one (see `runner`).
    admin_token: str | None = field(default=None, repr=False)


class MessagingEmulator(ABC, Generic[SettingsT, ProviderT]):
    def __init__(self, settings: SettingsT, options: EmulatorOptions, clock: Clock | None = None) -> None:
        self.settings = settings
        self.options = options
        self._clock = clock or SystemClock()
        self.faults = FaultRegistry(seed=options.fault_seed)
        self.provider: ProviderT | None = None
        self._admin: AdminServer | None = None
        self._amqp: AmqpListener | None = None
        self.http_port: int | None = None
        self.amqp_port: int | None = None

    @abstractmethod
    def _open_provider(self, clock: Clock) -> ProviderT:
        """The provider over its store (memory, or SQLite in ``options.data_dir``), not yet started."""

    @abstractmethod
    def _add_routes(self, app: web.Application, provider: ProviderT) -> None:
        """The emulator's own admin routes, next to ``/health`` and ``/faults``."""

    @abstractmethod
    async def _serve_amqp(self, provider: ProviderT, sas: SasValidator) -> AmqpListener:
        """Start the AMQP listener on ``options.host`` / ``options.amqp_port``."""

    async def start(self) -> None:
        """Start everything; on failure, close what had started and re-raise."""
        try:
            await self._start()
        except BaseException:
            await self.close()
            raise

    async def _start(self) -> None:
        self.provider = self._open_provider(self._clock)
        self.provider.start()
        app = create_admin_app(self.faults, admin_token=self.options.admin_token)
        self._add_routes(app, self.provider)
        self._admin = AdminServer(app, self.options.host, self.options.http_port)
        self.http_port = await self._admin.start()
        self._amqp = await self._serve_amqp(self.provider, SasValidator(EMULATOR_KEYS, self._clock.now))
        self.amqp_port = self._amqp.port

    async def close(self) -> None:
        if self._amqp is not None:
            await self._amqp.close()
            self._amqp = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None
        if self.provider is not None:
            await self.provider.close()
            self.provider = None

    def listening(self) -> dict[str, object]:
        """The fields of the ``listening`` log line: where the emulator is reachable, once started."""
        return {
            "host": self.options.host,
            "amqp_port": self.amqp_port,
            "http_port": self.http_port,
            "data_dir": str(self.options.data_dir) if self.options.data_dir else None,
        }
