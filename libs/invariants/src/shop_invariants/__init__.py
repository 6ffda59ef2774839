"""Invariants of the Contoso Shop platform, checked through its real interfaces: no accepted order lost or
stranded, nothing charged twice, stock conserved, one notification per status, outbox drained, dead-letter
queues holding only what was meant to be poisoned.

    from shop_invariants import Endpoints, Expectations, settle

    report = await settle(Endpoints.from_state_file(".shop/run/state.json"), expectations, within=120)
    print(report.render())
"""

from shop_invariants.checker import check_once, observe, settle
from shop_invariants.endpoints import Endpoints
from shop_invariants.model import (
    AcceptedOrder,
    Expectations,
    InvariantReport,
    InvariantResult,
    OrderLine,
    StockLevel,
)

__all__ = [
    "AcceptedOrder",
    "Endpoints",
    "Expectations",
    "InvariantReport",
    "InvariantResult",
    "OrderLine",
    "StockLevel",
    "check_once",
    "observe",
    "settle",
]
