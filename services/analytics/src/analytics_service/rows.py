"""One OrderStatusChanged event → one push-dataset row. Only the customer's email domain leaves the
platform (no personal data in the dashboard)."""

from __future__ import annotations

from typing import Any

from servicekit.contracts import Contracts
from servicekit.envelopes import EnvelopeDecoder

EVENT = ("OrderStatusChanged", 1)


class RowMapper:
    def __init__(self, contracts: Contracts) -> None:
        self._decoder = EnvelopeDecoder(contracts, EVENT)

    def row(self, body: bytes | None, properties: dict[str, str]) -> dict[str, Any]:
        """The row for one event, or ``servicekit.envelopes.PoisonError``."""
        envelope = self._decoder.decode(body, properties)
        data = envelope.data
        email = str(data.get("customer", {}).get("email", ""))
        return {
            "EventId": envelope.id,
            "OrderId": data["orderId"],
            "Status": data["status"],
            "PreviousStatus": data.get("previousStatus"),
            "TotalValue": float(data["total"]["value"]),
            "Currency": data["total"]["currency"],
            "OccurredAt": envelope.occurred_at,
            "CustomerDomain": email.rpartition("@")[2].lower() or None,
        }
