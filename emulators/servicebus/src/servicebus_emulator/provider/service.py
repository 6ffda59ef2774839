"""`ServiceBusProvider`, assembled from the layers of this package."""

from __future__ import annotations

from emulator_common.clock import Clock

from servicebus_emulator.model import NamespaceSettings
from servicebus_emulator.provider.addressing import _Addressing
from servicebus_emulator.provider.inspection import _Inspection
from servicebus_emulator.provider.loading import _Loading
from servicebus_emulator.provider.receiving import _Receiving
from servicebus_emulator.provider.rules import _Rules
from servicebus_emulator.provider.sending import _Sending
from servicebus_emulator.provider.sessions import _Sessions
from servicebus_emulator.provider.settlement import _Settlement
from servicebus_emulator.store.base import Store


class ServiceBusProvider(
    _Loading, _Addressing, _Sending, _Receiving, _Sessions, _Settlement, _Rules, _Inspection
):
    """The entity logic of one namespace (see the `servicebus_emulator.provider` package docstring)."""

    def __init__(self, settings: NamespaceSettings, store: Store, clock: Clock | None = None) -> None:
        super().__init__(settings, store, clock)
        self._build(settings)
        self._load()
