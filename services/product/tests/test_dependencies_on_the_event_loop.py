"""The routers' shared dependencies run on the event loop: FastAPI sends a plain `def` dependency to its
thread pool, a hand-off per dependency per request that showed in the load gate's profile."""

from __future__ import annotations

import inspect

from product_service.api import deps


def test_every_shared_dependency_is_a_coroutine_function() -> None:
    dependencies = [deps.get_runtime, deps.get_catalog, deps.get_reservations, deps.require_admin]
    blocking = [d.__name__ for d in dependencies if not inspect.iscoroutinefunction(d)]
    assert blocking == [], f"plain def dependencies run in the thread pool: {blocking}"
