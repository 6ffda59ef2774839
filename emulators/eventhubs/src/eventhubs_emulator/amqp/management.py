"""The ``$management`` node: READ of hub and partition runtime properties.

Request application properties: ``operation=READ``, ``type`` (``com.microsoft:eventhub`` or
``com.microsoft:partition``), ``name`` (the hub), ``partition``. The reply's ``status-code`` /
``status-description`` are kebab-case (unlike Service Bus), its body an amqp-value map.
An unknown hub or partition is status 404, which the SDKs surface as an error.
"""

from __future__ import annotations

from typing import Any

from amqp_core.management import Request
from amqp_core.message import Message
from amqp_core.types import Int, Long, Timestamp
from emulator_common.faults import FaultAction, FaultRegistry

from eventhubs_emulator.amqp.replies import status_reply
from eventhubs_emulator.errors import EventHubsError, HubNotFoundError, PartitionNotFoundError
from eventhubs_emulator.provider import EventHubsProvider

MANAGEMENT_NODE = "$management"
HUB_TYPE = "com.microsoft:eventhub"
PARTITION_TYPE = "com.microsoft:partition"


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class ManagementResponder:
    def __init__(self, provider: EventHubsProvider, faults: FaultRegistry) -> None:
        self._provider = provider
        self._faults = faults

    async def __call__(self, request: Request) -> Message:
        properties = request.application_properties
        if request.operation != "READ":
            return status_reply(400, f"unsupported $management operation {request.operation!r}")
        kind = _text(properties.get("type", ""))
        hub = _text(properties.get("name", ""))
        fault = self._faults.match(hub or "*", "management")
        if fault is not None and fault.action is FaultAction.ERROR:
            return status_reply(503, fault.description)
        try:
            if kind == HUB_TYPE:
                return status_reply(200, "OK", self._hub(hub))
            if kind == PARTITION_TYPE:
                return status_reply(200, "OK", self._partition(hub, _text(properties.get("partition", ""))))
        except (HubNotFoundError, PartitionNotFoundError) as error:
            return status_reply(404, str(error))
        except EventHubsError as error:
            return status_reply(400, str(error))
        return status_reply(400, f"unsupported $management type {kind!r}")

    def _hub(self, name: str) -> dict[str, Any]:
        info = self._provider.hub_info(name)
        return {
            "name": info.name,
            "type": HUB_TYPE,
            "created_at": Timestamp(info.created_at_ms),
            "partition_count": Int(len(info.partition_ids)),
            "partition_ids": list(info.partition_ids),
        }

    def _partition(self, hub: str, partition_id: str) -> dict[str, Any]:
        info = self._provider.partition_info(hub, partition_id)
        return {
            "name": info.hub,
            "type": PARTITION_TYPE,
            "partition": info.partition_id,
            "begin_sequence_number": Long(info.begin_sequence_number),
            "last_enqueued_sequence_number": Long(info.last_sequence_number),
            "last_enqueued_offset": str(info.last_offset),
            "last_enqueued_time_utc": Timestamp(info.last_enqueued_time_ms),
            "is_partition_empty": info.is_empty,
        }
