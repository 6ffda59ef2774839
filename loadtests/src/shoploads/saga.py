"""Saga latency: from `POST /orders` to the order's first terminal payment status, as a Locust entry.

How it is measured: the shopper polls `GET /orders/{id}` as the storefront does (mix.SAGA_POLL_*: after
0.5 s, then backing off) until the status is PAID or PAYMENT_FAILED, then the saga time is the order's own
`updatedAt - createdAt` (server clock: the moment the order service applied the payment outcome minus the
moment it wrote the order). So the poll interval decides only when we learn the figure, not the figure. It
is reported as a request of type SAGA named routes.SAGA, so it gets p50/p95/p99 in every Locust report; a
saga that ends otherwise (CANCELLED, or no terminal status within SAGA_TIMEOUT_SECONDS) is a failure of
that entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

TERMINAL = frozenset({"PAID", "PAYMENT_FAILED"})
FAILED_ENDS = frozenset({"CANCELLED", "FULFILLED"})


def saga_ms(order: dict[str, Any]) -> float:
    created = datetime.fromisoformat(str(order["createdAt"]).replace("Z", "+00:00"))
    updated = datetime.fromisoformat(str(order["updatedAt"]).replace("Z", "+00:00"))
    return max(0.0, (updated - created).total_seconds() * 1000)
