"""What the consumer has done, for /metrics (Prometheus text) and /health."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Counters:
    pushed: int = 0
    batches: int = 0
    push_failures: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    """malformed events passed over, by reason (nothing is dead-lettered: Event Hubs has no DLQ)"""

    def prometheus(self) -> str:
        lines = [
            "# TYPE analytics_rows_pushed_total counter",
            f"analytics_rows_pushed_total {self.pushed}",
            "# TYPE analytics_push_batches_total counter",
            f"analytics_push_batches_total {self.batches}",
            "# TYPE analytics_push_failures_total counter",
            f"analytics_push_failures_total {self.push_failures}",
            "# TYPE analytics_events_skipped_total counter",
        ]
        lines += [
            f'analytics_events_skipped_total{{reason="{r}"}} {n}' for r, n in sorted(self.skipped.items())
        ]
        return "\n".join(lines) + "\n"
