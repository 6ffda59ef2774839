"""The retry policy of the processor (pure arithmetic; the processor's steps run against the real
emulators in tests/worker)."""

from __future__ import annotations

from payment_service.domain.processor import RetryPolicy


def test_backoff_doubles_from_the_base_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=6, base_delay=0.5, max_delay=3.0)
    assert [policy.delay(attempt) for attempt in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
