"""Where the platform's interfaces answer: base URLs, the ledger's table, the gateway simulator's state."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Azurite's public, well-known development account (the same in every Azurite install).
AZURITE_ACCOUNT_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)


@dataclass(frozen=True)
class Endpoints:
    product: str  # base URL of the product API
    order: str  # base URL of the order API (its /metrics carries the outbox backlog)
    mailbox: str  # base URL of the mailbox's HTTP inbox
    servicebus_admin: str  # base URL of the Service Bus emulator's admin API
    ledger_connection_string: str  # Table storage holding the payment ledger
    ledger_table: str = "payments"
    gateway_state: Path | None = None  # the card gateway simulator's SQLite file (local platform only)

    @classmethod
    def local(
        cls, ports: Mapping[str, Mapping[str, int]], host: str = "127.0.0.1", state_dir: Path | None = None
    ) -> Endpoints:
        """From the ports of a local platform (component → port name → port)."""
        table = ports["azurite"]["table"]
        gateway = state_dir / "data" / "payment-gateway.sqlite3" if state_dir is not None else None
        return cls(
            product=f"http://{host}:{ports['product']['http']}",
            order=f"http://{host}:{ports['order']['http']}",
            mailbox=f"http://{host}:{ports['mailbox']['http']}",
            servicebus_admin=f"http://{host}:{ports['servicebus']['http']}",
            ledger_connection_string=(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
                f"AccountKey={AZURITE_ACCOUNT_KEY};TableEndpoint=http://{host}:{table}/devstoreaccount1;"
            ),
            gateway_state=gateway,
        )

    @classmethod
    def from_state_file(cls, path: Path | str) -> Endpoints:
        """From a running `shopctl up`'s run state (`.shop/run/state.json`)."""
        state_path = Path(path)
        raw = json.loads(state_path.read_text())
        ports = {name: component["ports"] for name, component in raw["components"].items()}
        return cls.local(ports, state_dir=state_path.parent.parent)
