"""OpenAPI links: what a client (and the stateful API tests) can do next with what a response created.

Targets are named by ``operationRef`` (a JSON pointer to the path and method), so the generated operation
ids stay as FastAPI makes them.
"""

from __future__ import annotations

from typing import Any


def links(path: str, parameter: str, value: str, **targets: str) -> dict[str, Any]:
    """A response's link objects: each target (link name → method of ``path``) gets ``parameter`` from the
    runtime expression ``value`` (``$response.body#/id``)."""
    pointer = path.replace("~", "~0").replace("/", "~1")
    return {
        name: {"operationRef": f"#/paths/{pointer}/{method}", "parameters": {parameter: value}}
        for name, method in targets.items()
    }
