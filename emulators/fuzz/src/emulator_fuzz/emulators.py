"""Both emulators as real processes on free ports, with the platform's own entity configuration."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from emulator_common.testing import ServiceProcess, connection_string, launched

from emulator_fuzz.corpus import PACKAGE_ROOT

_EMULATORS_DIR = PACKAGE_ROOT.parent
SERVICEBUS_CONFIG = _EMULATORS_DIR / "servicebus" / "config" / "platform.json"
EVENTHUBS_CONFIG = _EMULATORS_DIR / "eventhubs" / "config" / "platform.json"
# Entities of those configurations the SDK clients use.
QUEUE = "payment-requests"
TOPIC = "payment-events"
EVENT_HUB = "order-events"


@dataclass(frozen=True)
class RunningEmulators:
    servicebus: ServiceProcess
    eventhubs: ServiceProcess

    @property
    def servicebus_port(self) -> int:
        return self.servicebus.port("amqp_port")

    @property
    def eventhubs_port(self) -> int:
        return self.eventhubs.port("amqp_port")

    def servicebus_connection(self, port: int | None = None) -> str:
        return connection_string(port or self.servicebus_port)

    def eventhubs_connection(self, port: int | None = None) -> str:
        return connection_string(port or self.eventhubs_port, entity=EVENT_HUB)


@contextmanager
def running_emulators() -> Iterator[RunningEmulators]:
    """Start the Service Bus and Event Hubs emulators (in-memory state); kill both on exit."""
    ports = ("--amqp-port", "0", "--http-port", "0")
    with ExitStack() as stack:
        servicebus = stack.enter_context(
            launched("servicebus_emulator.cli", "--config", str(SERVICEBUS_CONFIG), *ports)
        )
        eventhubs = stack.enter_context(
            launched("eventhubs_emulator.cli", "--config", str(EVENTHUBS_CONFIG), *ports)
        )
        yield RunningEmulators(servicebus, eventhubs)
